"""Lesson 03, review r24a: the gradient reaching q and k is larger without the scale (printed, asserted, in the
Summary); the two ratios and the two saturated shares are named as different samples; the layout explorer frames
cells of another role or head; the hook count moved to appendix I; the saturation table and the init rows are two
cells; the seed history is printed; the MHA comment says what torch 2.13 does; QK-norm in Going further."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import torch
from torch import nn

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APPENDIX_SOURCES = nb.sources(APPENDIX)
SUMMARY = nb.unique_index(SOURCES, "## Summary")
TIMM = Path("/work/.mirror/huggingface+pytorch-image-models/repo")


def test_item_1_the_gradient_at_q_and_k_is_larger_without_the_scale():
    table = nb.unique_index(SOURCES, "saturation = summarize_saturation(runs)")
    printed = nb.printed(CELLS[table])
    assert "the mean gradient reaching each query, no scale / with the scale: 14.1 (5 seeds: 13.3..15.0)" in printed
    check = SOURCES[nb.unique_index(SOURCES, "saturated, other_vs_saturated, mean_ratio = ")]
    assert '"14.1 (5 seeds: 13.3..15.0)"' in check and "math.sqrt(64) * at_scores" in check
    text = nb.flat(
        APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "Section 3's counterpoint in full")]
    )  # r24b; review r24c: the paragraph moved to appendix G
    assert "and so $W_q$ and $W_k$, is **larger** without the scale: 14.1 times at $d = 64$" in text
    assert "an uneven softmax, and an extra factor $\\sqrt{d} = 8$ in the gradient for $W_q$ and $W_k$" in text
    assert "The training run below does not tell the two apart." in text
    assert "no ablation here isolates why" in nb.flat(SOURCES[nb.unique_index(SOURCES, "**In training.**")])
    summary = nb.flat(SOURCES[SUMMARY])
    assert "Without it the gradient reaching $q$ and $k$ is larger (14.1 times at $d = 64$), not smaller." in summary


def test_item_4_the_two_ratios_and_the_two_shares_are_named_as_different_samples():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "The saturated row (left) gives one key 0.98")])
    assert "about 16 times more for these two rows; 8.5 times on average (above)" in text
    code = nb.unique_index(APPENDIX_SOURCES, "rows_above = len(runs[64]) * 8 * 197")  # review r24c: to appendix G
    printed = nb.printed(nb.cells(APPENDIX)[code])
    assert "400 rows: 36% saturated here, 37% over the 5 x 8 x 197 = 7,880 rows above: different draws" in printed
    assert nb.hidden(nb.cells(APPENDIX)[code + 1]) and "rows_above == 7880" in APPENDIX_SOURCES[code + 1]


def test_item_3_the_layout_explorer_frames_cells_of_another_role_or_head():
    from matplotlib.colors import to_hex

    from vit_explained.plotting.lesson03 import HEAD_SPLITS, plot_head_splits, qkv_sources, split_heads_as

    def framed(split: str) -> dict[str, list[str]]:
        fig = plot_head_splits(split_heads_as(qkv_sources(3, 8, 2), 2, split), split)
        out = {}
        for ax in fig.axes:
            pairs = zip(ax.patches, ax.texts, strict=True)  # one patch and one label per cell
            out[ax.get_title()] = [t.get_text() for p, t in pairs if to_hex(p.get_edgecolor()) == "#ff0000"]
        return out

    assert all(cells == [] for cells in framed(HEAD_SPLITS[0]).values())  # the right split: no red frame
    wrong = framed(HEAD_SPLITS[1])  # reshape, no permute
    head1_q = wrong["head 1 q <- mixed"]
    assert "t0\nk1.0" in head1_q  # slot 0 holds token 0, but head 1's key: framed now (review r24a)
    assert "t1\nq1.0" in wrong["head 0 k <- mixed"]  # token 1's query in head 0's key panel
    assert "t0\nq0.0" not in wrong["head 0 q <- mixed"]  # the one right cell stays unframed
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "**Explore: which features each head gets.**")])
    assert "red marks it" in text


def test_item_2_the_hook_count_left_section_1_for_appendix_i():
    main = "\n".join(nb.source(c) for c in nb.main_path(LESSON))
    assert "hook_calls" not in main and "register_forward_hook" not in main
    built = nb.unique_index(SOURCES, "We build `Attention` with ViT-B's sizes")
    assert SOURCES[built + 1].startswith("B, N, D, heads = 2, 197, 768, 12")  # the layer and the steps, one cell
    assert "def show(" in SOURCES[built + 1] and "print(attn)" in SOURCES[built + 1]
    anchor = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-i"></a>')
    code = nb.unique_index(APPENDIX_SOURCES, "hook_calls = {}")
    assert anchor < code < nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-j"></a>')


def test_item_5_one_result_per_cell_and_the_seed_history_printed():
    table = nb.unique_index(SOURCES, "saturation = summarize_saturation(runs)")
    assert "init_saturation" not in SOURCES[table]  # review r24b: the init rows moved on to appendix G
    assert any("init_scaled = {init:" in s for s in APPENDIX_SOURCES) and not any("init_scaled" in s for s in SOURCES)
    training = nb.flat(SOURCES[nb.unique_index(SOURCES, "**In training.**")])
    assert "seeds 3-9 were added" not in training and "(nominal: first printed line)" in training
    code = nb.unique_index(SOURCES, "scale_runs = stored_scale_training()")
    first = nb.printed(CELLS[code]).splitlines()[0]
    assert first == "nominal intervals: at both widths seeds 3-9 were added after a first look (dated in appendix G)"


def test_item_7_the_mha_comment_says_what_torch_does():
    code = SOURCES[nb.unique_index(SOURCES, "keep = torch.tensor([True, True, False, True, True])")]
    assert "a quicker path" not in code and "# eval, no grad: torch 2.13's native MHA path" in code
    calls = []
    native = torch._native_multi_head_attention

    def spy(*args, **kwargs):
        calls.append(1)
        return native(*args, **kwargs)

    torch._native_multi_head_attention = spy
    try:
        with torch.no_grad():
            layer, x = nn.MultiheadAttention(8, 2, batch_first=True), torch.randn(1, 5, 8)
            for mode, expected in (("eval", 1), ("train", 0)):
                layer.train(mode == "train")
                for need_weights in (True, False):
                    calls.clear()
                    layer(x, x, x, need_weights=need_weights)
                    assert len(calls) == expected, (mode, need_weights)  # weights or not: eval takes the native path
    finally:
        torch._native_multi_head_attention = native


def test_item_8_qk_norm_in_going_further():
    heading = nb.unique_index(SOURCES, "## Going further: QK-norm")
    text = nb.flat(SOURCES[heading])
    assert heading > SUMMARY
    # review r24e: the divergence was at about 8B parameters; ViT-22B was trained with the fix
    assert "Dehghani et al. 2023" in text and "adopted in ViT-22B" in text and "`qk_norm`" in text
    assert "first in tag v0.8.13dev0, first release v0.9.0" in text


@pytest.mark.skipif(not TIMM.exists(), reason="timm's history is not mirrored here")
def test_item_8_the_timm_tags_as_read():
    def has_qk_norm(tag: str) -> bool:
        source = subprocess.run(
            ["git", "--git-dir", str(TIMM), "show", f"{tag}:timm/models/vision_transformer.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return "qk_norm" in source

    assert not has_qk_norm("v0.8.10dev0") and has_qk_norm("v0.8.13dev0") and has_qk_norm("v0.9.0")
    assert not has_qk_norm("v0.6.13")  # the last 0.6 release


def test_the_main_path_did_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 47 and nb.markdown_words(main) <= 2472, (len(main), nb.markdown_words(main))
