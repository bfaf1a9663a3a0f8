"""Lesson 06, fix round of 2026-12-05 (third pass, review r21d_06): DeiT's left-out ingredients without gradient
clipping, the weight-decay row printed beside label smoothing's with "3 seeds cannot tell", the per-run gains of
180 digits, the learned position table starting random, why section 5 reads the test digits, the ViT paper's
published scale, a shorter locality verdict, and the label-smoothing floor on the mnist-fast figure."""

from __future__ import annotations

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)


def _main_path():
    visible = [c for c in CELLS if not nb.hidden(c)]
    summary = next(
        i for i, c in enumerate(visible) if c["cell_type"] == "markdown" and re.match(r"#+ .*Summary", nb.source(c))
    )
    return visible[:summary]


def _summary_text():
    return nb.flat(SOURCES[nb.unique_index(SOURCES, "## Summary")])


def test_main_path_did_not_grow():
    main = _main_path()
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 60 and words <= 3800, (len(main), words)


def test_deit_left_out_list_names_repeated_augmentation_not_gradient_clipping():
    appendix = nb.sources(APPENDIX)  # review r21l: the paragraph moved to appendix C (#deit-recipe)
    text = nb.flat(appendix[nb.unique_index(appendix, "**Beside DeiT's recipe.**")])
    assert "stochastic depth and repeated augmentation" in text
    assert "gradient clipping" not in text


def test_weight_decay_row_is_printed_beside_label_smoothing_and_checked():
    at = nb.unique_index(SOURCES, 'decay = reg_change["weight decay"][0]')
    out = nb.printed(CELLS[at])
    smooth = out.index("label smoothing - neither, the rise:")
    decay = out.index("weight decay - neither, the rise: -0.01, 95 % [-0.19, +0.18], corrected (98.3%) [-0.33, +0.32]")
    assert decay > smooth and "(3 seeds): no detectable difference" in out[decay:]
    check = CELLS[at + 1]
    assert nb.hidden(check) and "[-0.01, -0.19, 0.18]" in nb.source(check)


def test_weight_decay_prose_says_three_seeds_cannot_tell_never_did_not():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "**Which regulariser stops the rise?**")])
    assert "3 seeds cannot tell" in text and "[−0.19, +0.18], is wider than the rise (0.09-0.10)" in text
    summary = _summary_text()
    assert "weight decay did not" not in summary and "for weight decay alone three seeds cannot tell" in summary
    assert "alone it did not stop the rise" not in summary
    assert "whether weight decay alone shrinks the rise, [the runs cannot tell](" in summary


def test_per_run_gains_are_printed_and_quoted():
    cells, sources = nb.cells(APPENDIX), nb.sources(APPENDIX)  # review r21i: moved to appendix C (#stopping)
    at = nb.unique_index(sources, "gains = {")
    out = nb.printed(cells[at])
    assert "of 180: ViT seed 0 +13; ViT seed 1 +4; ViT seed 2 +1; " in out
    assert "CNN-8 seed 0 +3; CNN-8 seed 1 +7; CNN-8 seed 2 +1" in out
    assert "[13, 4, 1, 3, 7, 1]" in nb.source(cells[at + 1])
    text = nb.flat(sources[nb.unique_index(sources, "Cross-entropy charges")])
    assert "by 1 to 13 of the 180 digits (printed above)" in text


def test_position_table_starts_random_not_seven_places_apart():
    moved = nb.sources(APPENDIX)  # review r23f: moved to appendix E (#vit-payoff)
    text = nb.flat(moved[nb.unique_index(moved, "Neighbouring patches learned similar positions")])
    assert "7 places apart" not in text and "The table starts random, so any 2-D structure is learned" in text
    assert "7 places apart" not in nb.all_printed(LESSON)


def test_why_section_5_reads_the_test_digits():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, '<a id="why-not-test"></a>')])
    assert "Validation chose their rates; the test digits chose nothing, so they measure the runs" in text  # round 22c


def test_vit_paper_scale_is_cited_as_reported():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, '<a id="less-data"></a>')])
    assert "The ViT paper reports BiT ResNets above its large ViTs pre-trained on ImageNet-1k" in text
    # review r21i: tightened to the paper's section 4.3 and Figure 3
    assert "overlapping at ImageNet-21k and ViT above at JFT-300M (Dosovitskiy et al., 2021, §4.3 and Figure 3)" in text


def test_locality_verdict_is_short_and_summary_bullet_is_one_sentence():
    app = nb.sources(APPENDIX)  # review r23d: the locality control moved to appendix D
    text = nb.flat(app[nb.unique_index(app, "So this stem does not reproduce")])
    assert len(text.split()) <= 60 and "+3.7 points at 300 digits" not in text
    summary = nb.source(CELLS[nb.unique_index(SOURCES, "## Summary")])
    bullet = next(line for line in summary.splitlines() if line.startswith("- The CNN's lead grows"))
    assert bullet.count(". ") == 0 and "wider stem" not in bullet


def test_mnist_fast_figure_draws_the_floor():
    at = nb.unique_index(SOURCES, "MNIST_FAST = dataclasses.replace")
    assert "floor=floor" in nb.source(CELLS[at])
    check = nb.source(CELLS[at + 1])
    assert "MNIST_FAST.label_smoothing == CURVES.label_smoothing == 0.1" in check


def test_x255_positions_hypothesis_moved_to_appendix_h_with_its_checks():
    lesson = nb.flat(SOURCES[nb.unique_index(SOURCES, "Pixels x255 do not show at step 0")])
    assert "drown the position embeddings" not in lesson and "#x255-positions" in lesson
    assert "position embedding norm" not in nb.all_printed(LESSON)
    appendix = nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb"
    cells, sources = nb.cells(appendix), nb.sources(appendix)
    at = nb.unique_index(sources, "x255_table = clinic.input_scale_table")
    assert "minus pixels x255 alone, seed by seed: -4, -17, -2 points" in nb.printed(cells[at])
    assert nb.hidden(cells[at + 1]) and "[-4, -17, -2]" in sources[at + 1]
    assert '<a id="x255-positions"></a>' in sources[at - 1]
