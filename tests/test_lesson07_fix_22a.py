"""Lesson 07, fixes for review r21l (8.5): the chain widget draws without tight_layout, the scale quirk measured at
the RGB model's ratios, section 3's skip and scale in two cells, the folded channels' wording from a printed
spread, the trained-stem picture in the appendix, a digest of section 6's arms, the attention memory at batch 64,
and the paired-seed picture's "xN" labels explained."""

from __future__ import annotations

import re
import time

import matplotlib.figure
import pytest

from tests import _notebook as nb
from vit_explained.plotting.lesson07 import plot_seed_pairs
from vit_explained.widgets.lesson07 import t2t_chain_widget

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"
T2T = "T2T-ViT: (7,4,2) (3,2,1) (3,2,1)"


def test_the_widget_draws_without_tight_layout(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("tight_layout costs most of a draw's CPU time")

    monkeypatch.setattr(matplotlib.figure.Figure, "tight_layout", refuse)
    widget = t2t_chain_widget()
    widget.compute(224, 224, T2T, show_field=False, fold=1)  # warm the digit cache
    start = time.process_time()
    for fold in (0, 1, 2):
        _, fig = widget.compute(224, 224, T2T, show_field=False, fold=fold)
        assert fig is not None and len(fig.axes) == (4 if fold else 3)
    assert time.process_time() - start < 3 * 1.0  # the 19b bound per draw; 0.07 CPU-s each on an idle machine
    _, fig = widget.compute(224, 224, "four splits: (3,2,1) x 4", token_layers="performer", fold=2)
    grid = fig.axes[0].get_gridspec()
    assert grid.wspace >= 0.225 and grid.bottom >= 0.2  # tight_layout's widest gap over the presets; the legend row


def test_the_scale_is_its_own_cell_direction_first_and_names_the_rgb_ratios():
    sources = nb.sources(LESSON)
    skip = nb.unique_index(sources, "So `TokenAttention` adds its *values* instead")
    scale = nb.unique_index(sources, "**The scale uses the input width: `qk_scale`.**")
    assert scale == skip + 1 and "qk_scale" not in sources[skip]
    text = nb.flat(sources[scale])
    assert text.index("inverse temperature: a smaller one flattens the softmax") < text.index("```python")
    assert text.index("```python") < text.index("a port must copy it")
    # 22e: the ratios and the measurements moved to the appendix's porters; the slip MULTIPLIES the scale
    appendix = nb.sources(APPENDIX)
    porters = nb.flat(appendix[nb.unique_index(appendix, "## Appendix · For porters")])
    # 22c (review r22b item 3): stage 1's ratio is 0.875 grayscale, 1.52 RGB; stage 2's is 3 in every model
    assert "is 0.875 at stage 1 for grayscale, 1.52 for RGB, and 3 at stage 2 (dim = 9 x `token_dim`)" in porters
    assert "move it by 9.5 to 10.4 % and 26.9 to 33.0 %" in porters
    printed = nb.all_printed(APPENDIX)
    assert "the same stems, scale multiplied by 1.52: max |change| = 10.4 %, 9.5 %, 9.7 % of max |out|" in printed
    assert "the same stems, scale multiplied by 3.00: max |change| = 33.0 %, 26.9 %, 28.7 % of max |out|" in printed
    check = nb.unique_index(appendix, '["10.4", "9.5", "9.7"], ["33.0", "26.9", "28.7"]')
    assert nb.hidden(nb.cells(APPENDIX)[check])


def test_the_folded_channels_are_a_feature_of_their_own_window_as_printed():
    # 22c (review r22b item 4): the spread and its sentence moved to the appendix's section B
    cells, sources = nb.cells(APPENDIX), nb.sources(APPENDIX)
    run = nb.unique_index(sources, 'spread = {"v": v.squeeze(1).std(1).mean().item()')
    assert "attention term 0.030, 14x smaller" in nb.printed(cells[run]) and nb.hidden(cells[run + 1])
    caption = nb.flat(sources[run + 2])
    lesson = nb.sources(LESSON)
    assert "random features of each window" not in nb.flat(lesson[nb.unique_index(lesson, "The folded map keeps")])
    assert "the attention term varies 14 times less than the `v` term (printed), so each channel is mostly" in caption
    assert "a feature of the token's own window (random weights)" in caption


def test_the_trained_stem_study_left_the_main_path():
    sources = nb.sources(LESSON)
    summary = nb.unique_index(sources, "## Summary")
    assert not any("What training does to the stem" in s or "trained_fold_study(" in s for s in sources[:summary])
    assert 'Appendix, "What training does to the first token transformer"' in nb.flat("\n".join(sources))
    appendix = nb.sources(APPENDIX)
    assert nb.unique_index(appendix, "plot_trained_fold(") > nb.unique_index(
        appendix, "### What training does to the first token transformer"
    )


def test_section_6_prints_a_three_row_digest_and_the_caveats_are_one_line_each():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    table = nb.unique_index(sources, "t2t_arm = [count / 180")  # 24a: the intervals cell, split from the counts
    printed = nb.printed(cells[table])
    rows = [line for line in printed.splitlines() if line.count(" | ") == 2]
    # r22g item 2: the ImageNet single-run row is printed on its own line, under its own heading, before the table
    # 24e (review r24d item 1): a fourth row, appendix A's overlap result marked "several changes"
    assert len(rows) == 4 and rows[0].startswith("the arm | what it changes |")
    assert rows[3].startswith("no overlap (appendix A) | several changes")
    # 23c (review r23b item 3): the ImageNet single-run row left the digits cell; the prose after it states it
    assert not [line for line in printed.splitlines() if line.startswith("Table 7's T2T-ViT_c-14")]
    appendix = nb.sources(APPENDIX)  # 24c (review r24b item 1): the ImageNet paragraph moved to the appendix
    imagenet = nb.flat(appendix[nb.unique_index(appendix, "**On ImageNet**")])
    assert "is 0.9 points above the convolution stem T2T-ViT_c-14 (81.7 against 80.8 %" in imagenet
    assert "a single run per model)" in imagenet and "**On ImageNet**" not in nb.all_text(LESSON)
    assert rows[1].startswith("Linear |") and rows[1].endswith("+8.8 [+4.3, +13.3] (digits, 6 seeds)")
    assert rows[2].startswith("token MLP |") and rows[2].endswith("-1.2 [-2.2, -0.2] (digits, 6 seeds)")
    # 23a (review r22i item 1): the caveats moved to the appendix's Sources, next to their arms
    appendix = nb.sources(APPENDIX)
    arms = nb.flat(appendix[nb.unique_index(appendix, "**Section 6's `Linear` arm.**")])
    caveats = re.findall(r"Caveat: (.*?\.)(?=\s+[A-Z*]|\s*$)", arms)
    assert len(caveats) == 2 and all(len(nb.flat(c)) < 260 for c in caveats)


def test_the_cost_section_prints_the_attention_memory_at_batch_64():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    run = nb.unique_index(sources, 'first, _ = costs["T2T transformer 1"]')
    # 23d (review r23c item 8): the long line is split into three; the same words, in order
    assert "39.3 MB per image in float32 (4 bytes per entry); at least 2.5 GB at batch 64" in nb.flat(
        nb.printed(cells[run])
    )
    assert '"2.5"' in sources[run + 1] and nb.hidden(cells[run + 1])


def test_the_paired_seed_panels_explain_their_xn_labels():
    # 23a (review r22i item 5): tied seeds are jittered apart instead of labelled "x2"; the title says so
    fig = plot_seed_pairs([("a vs b", {"a": [10, 10, 12], "b": [9, 9, 8]})], 20)
    assert "tied seeds drawn side by side" in fig.axes[0].get_title()
    assert [t.get_text() for t in fig.axes[0].texts] == []
    starts = [line.get_xdata()[0] for line in fig.axes[0].lines[:2]]  # the two tied seeds
    assert abs(starts[1] - starts[0]) >= 0.1
    fig = plot_seed_pairs([("a vs b", {"a": [10, 11, 12], "b": [9, 9, 8]})], 20)
    assert "tied seeds" not in fig.axes[0].get_title()


@pytest.mark.parametrize("notebook", [LESSON])
def test_the_main_path_stays_within_its_cap(notebook):
    cells = [c for c in nb.cells(notebook) if not nb.hidden(c)]
    end = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and nb.source(c).startswith("## Summary"))
    words = sum(len(nb.source(c).split()) for c in cells[:end] if c["cell_type"] == "markdown")
    assert end <= 50 and words <= 2998
