"""Lesson 06, review r23f: the ViT paper's 'large' ViTs, the verdict table's exploratory row (clinic.rise_word's
6 seeds), section 2's paired count, cells 39 and 67 split by topic, the space read-out and the caveats moved out of
the main path, and DeiT's ingredients said to be described, not measured."""

from tests import _notebook as nb
from vit_explained import clinic
from vit_explained.evidence import paired_seeds

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APP_CELLS = nb.cells(APPENDIX)
APP_SOURCES = nb.sources(APPENDIX)


def test_main_path_shrank():
    main = nb.main_path(LESSON)
    assert len(main) <= 54 and nb.markdown_words(main) <= 3300, (len(main), nb.markdown_words(main))


def test_item_8_large_vits_as_the_paper_says():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, '<a id="less-data"></a>')])
    assert "The ViT paper reports BiT ResNets above its large ViTs pre-trained on ImageNet-1k" in text
    assert "above its ViTs" not in text and "There, on ImageNet-1k, ViT-L scores below ViT-B." in text


def test_item_4_exploratory_row_matches_rise_word():
    box = nb.flat(SOURCES[nb.unique_index(SOURCES, '<a id="verdict-words"></a>')])
    # rise_word turns only a corrected interval that excludes 0 into "exploratory" (leans stays leans)
    assert "**Exploratory**: corrected interval excludes 0, but fewer than 6 seeds (`clinic.rise_word`)." in box
    assert "#why-6-seeds" in box  # round 24c: the caveat moved on to appendix D
    moved = nb.flat(APP_SOURCES[nb.unique_index(APP_SOURCES, "why-6-seeds")])
    assert "A 3-seed t-interval leans on normality; no 3-seed sign test reaches p < 0.05" in moved
    for seeds, strength in ((5, "exploratory"), (6, "a finding")):  # the row's threshold is the code's
        change = paired_seeds([0.0] * seeds, [0.1 + 0.001 * k for k in range(seeds)])
        assert clinic.rise_word(change, 1 - 0.05 / 3) == f"a smaller rise: {strength} (corrected interval below 0)"


def test_item_6_paired_count_printed_asserted_and_stated():
    # McNemar's exact test is the two-sided sign test on the digits only one rule gets right; older negative pins keep
    # "McNemar" and binomtest out of the lesson, so it computes the sign test from scipy's binomial cdf
    at = nb.unique_index(SOURCES, "sign_p_near = min(1.0, 2 * scipy.stats.binom.cdf(")
    out = nb.printed(CELLS[at])
    assert "paired: right with the features only 473, with the pixels only 38; exact sign test p = 1e-96" in out
    assert nb.hidden(CELLS[at + 1]) and "(only_features, only_pixels) == (473, 38)" in nb.source(CELLS[at + 1])
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, '<a id="what-it-learned"></a>')])
    assert "Paired: 473 digits right with the features only, 38 with the pixels only (sign test p = 1e-96)" in text
    assert "473 digits are right with the features only, 38 with the pixels" in nb.flat(nb.all_text(APPENDIX))
    assert "(McNemar p = 1e-96)" in nb.flat(nb.all_text(APPENDIX))  # the same p, by evidence.mcnemar


def test_item_2_cells_split_by_topic():
    curves = nb.unique_index(SOURCES, "end_gap = [")
    regularisers = nb.unique_index(SOURCES, "smooth = reg_change[")
    assert curves < regularisers and "reg_change" not in SOURCES[curves]
    assert "plot_overfitting" not in SOURCES[regularisers]
    by_hand = nb.unique_index(SOURCES, "d_head = np.array(own_cnn)")
    table = nb.unique_index(SOURCES, "fig = plot_paired_differences(")
    assert by_hand < table and "plot_paired_differences" not in SOURCES[by_hand] and "d_head" not in SOURCES[table]
    for at in (curves, regularisers, by_hand, table):
        assert nb.hidden(CELLS[at + 1]) and not nb.hidden(CELLS[at])  # each keeps its own check
    assert "smooth_word ==" in SOURCES[regularisers + 1] and "own_shown ==" in SOURCES[by_hand + 1]


def test_item_5_space_read_out_and_caveats_moved():
    lesson = nb.all_text(LESSON)
    assert '<a id="vit-payoff"></a>' not in lesson and "06_train_a_vit_appendix.ipynb#vit-payoff" in lesson
    at = nb.unique_index(APP_SOURCES, 'save_figure(fig, "06_vit_payoff")')
    assert nb.hidden(APP_CELLS[at + 1]) and "ink_above == 959" in APP_SOURCES[at + 1]
    assert '<a id="vit-payoff"></a>' in APP_SOURCES[at - 1]
    smoothing = nb.flat(SOURCES[nb.unique_index(SOURCES, "**Which regulariser stops the rise?**")])
    assert "leans on normality" not in smoothing and "sign test" not in smoothing
    loop = nb.flat(SOURCES[nb.unique_index(SOURCES, "### 3a · The loop")])
    assert "1.006" not in loop and "#lr-factor" in loop


def test_item_5b_deit_ingredients_described_not_measured():
    intro = nb.flat(SOURCES[0])
    # round 24c (review r24b item 1): simple augmentation is measured (section 5); only these three are described
    assert "Mixup/CutMix, RandAugment and stochastic depth are described" in intro and "not measured" in intro
