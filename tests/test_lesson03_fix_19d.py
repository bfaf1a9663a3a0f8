"""Review r19c_03's items, checked on the stored lesson 03, its appendix and the package."""

from __future__ import annotations

import math

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson03 import check_attention
from vit_explained.plotting import lesson03 as plots

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = [nb.source(c) for c in CELLS]
APPENDIX_SOURCES = nb.sources(APPENDIX)


def test_1_the_four_head_strip_and_the_heads_result_are_on_the_main_path():
    # review r20g: section 0's trained half (overlay, strip and their checks) moved to appendix E together
    appendix_cells = nb.cells(APPENDIX)
    overlay = nb.unique_index(APPENDIX_SOURCES, "plots.plot_query_attention(")
    strip = nb.unique_index(APPENDIX_SOURCES, "plots.plot_query_heads(")
    e = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-e"></a>')
    assert e < overlay < strip < nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-f"></a>')
    assert strip <= overlay + 4  # right after the single-head overlay and its check
    printed = nb.printed(appendix_cells[strip])
    assert "head 3: patch 10 (row 1, col 3), weight 0.30" in printed
    # review r19d: section 0 stays about one query; the heads result is appendix F's (test_lesson03_fix_20a)
    assert "difference +3.8 points [+2.7, +4.8] (95 % t, 10 paired seeds)" in nb.all_printed(APPENDIX)
    reading = nb.flat(APPENDIX_SOURCES[strip + 1])
    assert "#appendix-f" in reading
    check = APPENDIX_SOURCES[strip + 2]
    assert nb.hidden(appendix_cells[strip + 2]) and "int(top_keys[3]) == query" in check
    assert not any("plots.plot_query_heads(" in s for s in SOURCES)  # moved, not copied


def test_2_and_3_the_training_result_is_not_pinned_on_saturation_and_the_settings_are_named():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "**In training.**")])
    assert "no ablation here isolates why" in text  # review r19d: the candidate causes moved to appendix G
    assert "The two settings also differ in head count" in text
    assert "two arms also differ" not in text
    appendix = nb.flat("\n".join(APPENDIX_SOURCES))
    assert "$\\sqrt{d}$-larger gradient that reaches $W_q$ and $W_k$" in appendix
    assert "saturates few rows at initialisation without the scale" in appendix


def test_4_the_all_rows_counterpoint_is_one_sentence_and_its_numbers_are_in_appendix_g():
    reading = nb.flat(SOURCES[nb.unique_index(SOURCES, "Without the scale, 37 % of the rows saturate")])
    assert "2.34" not in reading and "1.69" not in reading
    counterpoint = nb.flat(SOURCES[nb.unique_index(SOURCES, "Averaged over **all** rows")])  # after the rows (r20g)
    assert "2.34" not in counterpoint and "1.69" not in counterpoint and "not larger" in counterpoint
    main = "\n".join(SOURCES[: nb.unique_index(SOURCES, "## Summary")])
    assert "mean_lines()" not in main
    g = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-g"></a>')
    h = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-h"></a>')
    assert any("(16, 2.34), (64, 1.78), (256, 1.05), (1024, 0.60)" in s for s in APPENDIX_SOURCES[g:h])


def test_5_the_head_claim_is_about_this_digit():
    text = nb.flat(APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "The query (cyan), patch 10")])  # appendix E
    assert "on this 6 it is the block's most stroke-bound head" in text and "not a typical one" not in text


def test_6_sdpa_is_a_dispatcher_and_scale_needs_torch_2_1():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "### The same as PyTorch's attention")])
    assert "is a dispatcher" in text and "#appendix-j" in text  # the back-end list moved to appendix J (review r20b)
    appendix = nb.flat("\n".join(nb.sources(LESSON.with_name("03_attention_shapes_appendix.ipynb"))))
    assert "flash,\nmemory-efficient, cuDNN and math".replace("\n", " ") in appendix
    assert "`scale=`, a keyword PyTorch 2.1 added" in text and "`torch>=2.1`" in text
    assert "the fused kernel behind" not in text
    check = SOURCES[nb.unique_index(SOURCES, "### The same as PyTorch's attention") + 2]
    assert "importlib.metadata.requires" in check and "scale=self.scale" in check


def test_7_the_selection_lives_in_the_package_and_the_cell_is_short():
    code = APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "mnist_vit = load_mnist_vit()")]  # appendix E (r20g)
    assert "plots.pick_head_and_query(" in code and "argmax" not in code and len(code.splitlines()) <= 12
    pick = plots.pick_head_and_query(_Toy(), torch.rand(1, 28, 28), block=0)
    assert pick.weights.shape == (2, 50, 50) and 0 <= pick.head < 2 and 0 <= pick.query < 50
    assert len(pick.report().splitlines()) == 3


class _Toy(torch.nn.Module):
    """The smallest model queries_and_keys reads: patches, a class token, blocks with norm1 and attn."""

    def __init__(self) -> None:
        super().__init__()
        from vit_explained import Attention

        block = torch.nn.Module()
        block.norm1, block.attn = torch.nn.Identity(), Attention(8, 2)
        self.blocks = torch.nn.ModuleList([block])
        self.embed = torch.nn.Linear(16, 8)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        patches = images.reshape(-1, 7, 4, 7, 4).permute(0, 1, 3, 2, 4).reshape(-1, 49, 16)
        tokens = torch.cat([torch.zeros(images.shape[0], 1, 8), self.embed(patches)], dim=1)
        for block in self.blocks:
            tokens = tokens + block.attn(block.norm1(tokens))
        return tokens


def _scaled(q, k, v):
    return (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v


def test_8_a_wider_result_passes_with_a_note_and_weights_at_k_is_named(capsys):
    check_attention(lambda q, k, v: _scaled(q.double(), k.double(), v.double()))
    assert "Wider is accepted here; in real code keep q's dtype" in capsys.readouterr().out
    check_attention(_scaled)
    assert "Wider" not in capsys.readouterr().out
    check_attention(
        lambda q, k, v: torch.einsum(
            "bhqk,bhkd->bhqd", torch.einsum("bhqd,bhkd->bhqk", q, k).div(q.shape[-1] ** 0.5).softmax(-1), v
        )
    )
    assert "Wider" not in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match=r"weights multiply k instead of v \(weights @ k\)"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ k)


def test_9_the_memory_panel_says_the_lines_coincide():
    fig = plots.plot_cost_growth(num_tokens=(196, 784))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("memory does not depend on D" in t for t in texts)
