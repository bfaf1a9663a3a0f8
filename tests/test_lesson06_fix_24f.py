"""Lesson 06, review r24e: the warm-up difference's direction, augmentation's confounds on 8x8 digits, the Summary's
appendix-E claims with their measured figures, and the feature plane's overlaps as the printed mix-ups give them."""

from tests import _notebook as nb

LESSON = "notebooks/06_train_a_vit.ipynb"
APPENDIX = "notebooks/06_train_a_vit_appendix.ipynb"
SOURCES, CELLS = nb.sources(LESSON), nb.cells(LESSON)
APP_OUT = nb.all_printed(APPENDIX)


def test_item_6_warm_up_difference_is_named_no_warm_up_minus_warm_up():
    loop = nb.flat(SOURCES[nb.unique_index(SOURCES, "### 3a · The loop")])
    assert "(no warm-up − warm-up: −2.0 points, 95 % [−4.8, +0.8])" in loop
    assert "no warm-up - warm-up, validation (180 digits): -2.0 points, 95 % t-interval [-4.8, +0.8]" in APP_OUT


def test_item_3_augmentation_confounds_beside_the_400_step_caveat():
    verdict = nb.flat(SOURCES[nb.unique_index(SOURCES, "**The verdict**")])
    caveat = "these 400-step runs test neither ([appendix D](06_train_a_vit_appendix.ipynb#augmentation-main))."
    confound = (
        "Augmentation's bilinear resampling blurs 8x8 digits (full-ink pixels 9.1 % → 0.3 %); "
        "its moves can push ink out of frame ([appendix G](06_train_a_vit_appendix.ipynb#appendix-g))."
    )
    assert caveat + " " + confound in verdict
    assert "augmented training digits: 0.3% of pixels at full ink" in APP_OUT
    assert "before augmentation: 9.1% of pixels at full ink" in APP_OUT
    assert "with ink on the frame (blank margin 0): 1,257 of 1,257" in APP_OUT


def test_item_4_appendix_e_claims_move_to_the_appendix_summary_with_their_figures():
    # the Summary's bullets carry one number each (test_lesson06_fix_20a), so the two claims moved, with their figures
    summary = nb.flat(SOURCES[nb.unique_index(SOURCES, "## Summary")].split("\n- ")[1])
    assert "neighbouring patches learned" not in summary and "inked positions" not in summary
    assert (
        "what it learned about space (position embeddings, the class token's attention) is measured in "
        "[appendix E](06_train_a_vit_appendix.ipynb#vit-payoff)." in summary
    )
    app = nb.sources(APPENDIX)
    app_summary = nb.flat(app[nb.unique_index(app, "What each side experiment showed")])
    assert (
        "Section 2's shipped ViT (one trained model): neighbouring patches learned similar position embeddings "
        "(mean cosine +0.45 one step apart, +0.14 two steps)" in app_summary
    )
    assert (
        "the class token's last-block attention puts 58 % of its patch attention on inked patches, 33 % of the "
        "patches (paired gap +25.2 points, 95 % [+24.3, +26.1])" in app_summary
    )
    assert "mean cosine of two patches' positions, by grid steps apart: 1: +0.45, 2: +0.14" in APP_OUT
    assert "58% of the class token's patch attention on inked patches, which are 33% of the patches" in APP_OUT
    assert "attention on ink - ink's share of the patches: +25.2 points, 95 % interval [+24.3, +26.1]" in APP_OUT


def test_item_7_feature_plane_overlaps_follow_the_printed_mix_ups():
    i = nb.unique_index(SOURCES, "_, near_pixels = nearest_centre_plane(")
    prose, out = nb.flat(SOURCES[i - 1]), nb.printed(CELLS[i])
    assert "0, 2, 3 and 9 overlap" not in prose
    assert "9 overlaps 0 and 2, 3 touches 0; 5 and 8 overlap, with 4 next to them." in prose
    # the printed mix-ups of 7 or more: 9 with 0 and 2 both ways, 3 only into 0
    assert "9 as 0: 13, 9 as 2: 10, 2 as 9: 10" in out and "3 as 0: 8, 0 as 9: 8" in out
    mix = out.split("mix-ups on the plane, 7 or more of a digit's 100: ")[1].splitlines()[0]
    assert [p.split(":")[0] for p in mix.split(", ") if p.startswith("3 as") or p.endswith("as 3")] == ["3 as 0"]
