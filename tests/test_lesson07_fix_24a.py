"""Lesson 07, fixes for review r23f_07: section 6 says that 10-epoch gaps measure speed as much as capacity (the
whole-stem gap's fall, pointed to in the appendix) and reads "at 10 epochs", not "go with"; one sign convention
(token transformers minus the arm) in prose, printed lines and figure; the seed-pair cell split into counts,
intervals and picture; the porters' sentence left section 3; a one-sentence "In short" without numbers; the widget
counts the Performer's stored terms (2 N m); the later stems' layers as read in their code; the SDPA line names the
PyTorch version; the Summary only points to the whole-stem numbers."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"


def _cell(text: str) -> str:
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, text)])


def test_section_6_says_ten_epoch_gaps_measure_speed_and_points_to_the_whole_stem_cell():
    arms = _cell("**The `Linear` arm.**")
    assert "At 10 epochs these gaps measure speed as much as capacity" in arms
    assert "(07_tokens_to_token_vit_appendix.ipynb#whole-stem)" in arms
    # 24c (review r24b item 1): the 10- and 93-epoch numbers moved to the appendix's Sources; one sentence here
    assert "+27.1" not in arms and "go with" not in arms and "on these 180 digits, 10 epochs:" in arms
    # the appendix cell the link reaches prints those numbers
    assert "whole stem - 2x2 patches: 10 epochs +27.1 [+17.1, +37.0] points; 93 epochs +1.2 [-0.1, +2.5]" in (
        nb.all_printed(APPENDIX)
    )
    summary = _cell("## Summary")
    assert "+27.1" not in summary and "[-0.1, +2.5]" not in summary  # a recap points, it brings no new evidence


def test_one_sign_convention_token_transformers_minus_the_arm():
    section_6 = _cell("## 6. Does T2T help?")
    assert section_6.count("**token transformers minus the arm**") == 1
    main = nb.flat("\n".join(nb.source(c) for c in nb.main_path(LESSON)))
    summary = _cell("## Summary")
    for text in (main, summary):
        assert "+1.2 [+0.2, +2.2]" not in text and "[+0.2, +2.2]" not in text and "1.2 points ahead" not in text
    assert "-1.2 points (95 % t-interval [-2.2, -0.2]" in main
    assert "[-2.2, -0.2]" not in summary  # 24c (review r24b item 2): the interval is section 6's
    printed = nb.all_printed(LESSON)
    assert "ahead by" not in printed and "[+0.2, +2.2]" not in printed
    assert "token transformers minus the arm, points [95 % t-interval]" in printed
    picture = nb.source(nb.cells(LESSON)[nb.unique_index(nb.sources(LESSON), "plot_seed_pairs(pairs, 180")])
    assert "token transformers minus the arm" in picture


def test_the_seed_pair_cell_is_split_into_counts_intervals_and_picture():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    counts = nb.unique_index(sources, "# benchmarks/results/lesson07_token_transformer.md")
    intervals, check, picture = cells[counts + 1], cells[counts + 2], cells[counts + 3]
    assert "paired_seeds" not in sources[counts] and "plot_seed_pairs" not in sources[counts]
    assert "paired_seeds(" in nb.source(intervals) and "plot_seed_pairs" not in nb.source(intervals)
    assert nb.hidden(check) and "mlp_interval.high < 0" in nb.source(check)
    assert "plot_seed_pairs(pairs, 180" in nb.source(picture) and "paired_seeds" not in nb.source(picture)
    assert all(len(nb.source(c).splitlines()) <= 15 for c in (cells[counts], intervals, picture))


def test_the_porters_sentence_left_section_3():
    scale = _cell("**The scale uses the input width: `qk_scale`.**")
    assert "**For porters**" not in scale and "pretrained=True" not in scale
    assert "(07_tokens_to_token_vit_appendix.ipynb#porters)" in scale


def test_in_short_is_one_sentence_of_findings_without_numbers():
    section_6 = _cell("## 6. Does T2T help?")
    verdict = section_6.split("**In short:** ")[1].split(" ### ")[0]
    assert verdict.count(". ") == 0 and verdict.endswith("hard patches.")
    assert not any(sign + digit in verdict for sign in "+-" for digit in "0123456789")
    assert "t-interval" not in verdict


def test_the_widget_counts_what_each_token_layer_stores():
    from vit_explained.widgets.lesson07 import PERFORMER_FEATURES, T2TChainWidget

    t2t = "T2T-ViT: (7,4,2) (3,2,1) (3,2,1)"
    widget = T2TChainWidget(224, 224, t2t)
    line, fig = widget.compute(224, 224, t2t, token_layers="performer")
    right = fig.axes[-1]
    assert right.get_title().startswith("attention-matrix entries per image")
    heights = {round(p.get_height()) for p in right.patches}
    assert 2 * 3136 * PERFORMER_FEATURES in heights and 2 * 784 * PERFORMER_FEATURES in heights
    assert "two N x 32 feature maps instead of N x N" in line
    _, fig = widget.compute(224, 224, t2t)
    assert fig.axes[-1].get_title().startswith("attention-matrix entries per image")


def test_the_later_stems_are_named_layer_by_layer():
    going_further = _cell("## Going further · Where T2T stands today")
    # 24g (review r24f item 1): the same facts in two plain sentences
    assert "In CvT's and PVTv2's released code, a LayerNorm follows the convolutions" in going_further
    assert "In Xiao's and LeViT's, BatchNorm and ReLU or Hardswish follow them" in going_further
    assert "`ConvEmbed` in `microsoft/CvT`" in going_further and "`b16` in `facebookresearch/LeViT`" in going_further
    assert "The four stems listed are nonlinear" not in going_further


def test_the_sdpa_line_names_the_pytorch_version():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    index = nb.unique_index(sources, 'first, _ = costs["T2T transformer 1"]')
    assert "in torch 2.13.0+cpu, the flash and memory-efficient SDPA kernels" in nb.printed(cells[index])
    assert 'torch.__version__.startswith("2.13")' in nb.source(cells[index + 1])


def test_the_main_path_did_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 50 and nb.markdown_words(main) <= 2940
