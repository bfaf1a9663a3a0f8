"""Lesson 06, review r24b: check 4 (not 6) separates the runs stuck at ln 10; the augmentation result on the main path
(section 5, printed and asserted); the takeaway names the 1,860-step lean; the pooling comparison named near Beyer et
al.; plain sentences in cells 33, 38, 57 and 60 and a plain gloss of the verdict words; the main path did not grow."""

from tests import _notebook as nb
from vit_explained.exercises import lesson06

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APP_SOURCES = nb.sources(APPENDIX)


def test_main_path_did_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 54 and nb.markdown_words(main) <= 3299, (len(main), nb.markdown_words(main))


def test_item_2_check_4_separates_the_stuck_runs_as_exercise_6_expects():
    prose = nb.flat(SOURCES[nb.unique_index(SOURCES, "Three runs are still at ln 10")])
    assert "check 6 tells them apart" not in prose
    assert "Check 4 (one backward) separates them; check 6 confirms the slow optimiser." in prose
    assert lesson06._NEXT_CHECK == 4  # the exercise's answer agrees with the prose
    # what check 4 prints: an exact 0 for batch_first, SGD's norms equal to the fixed model's, the LayerNorm's smaller
    out = nb.printed(CELLS[nb.unique_index(SOURCES, "norms = {bug: r.gradient_norms")])
    lines = {
        line.split(" step-0")[0].strip(): line.split(": ", 1)[1]
        for line in out.splitlines()
        if "step-0 gradient norms" in line
    }
    assert "embed 0," in lines["MultiheadAttention without batch_first"]
    assert lines["SGD at Adam's learning rate"] == lines["none"]
    # and check 6 confirms the slow optimiser: SGD fits one batch at 10x for 400 steps, the LayerNorm bug does not
    one_batch = nb.printed(CELLS[nb.unique_index(SOURCES, 'one_batch = RUNS["overfit"]')])
    assert "SGD at 10x that (0.1), 400 steps         0.00, 0.02, 0.01" in one_batch
    assert "that LayerNorm at 10x (0.1), 400 steps   1.20, 1.22, 0.69" in one_batch


def test_item_1_augmentation_measured_on_the_main_path():
    intro = nb.flat(SOURCES[0])
    assert "Simple augmentation is measured ([section 5](#student-t))." in intro
    assert "Mixup/CutMix, RandAugment and stochastic depth are described" in intro
    assert "DeiT's and Steiner et al.'s ingredients" not in intro
    i = nb.unique_index(SOURCES, 'aug_runs = RUNS["augment"]')
    summary = nb.unique_index(SOURCES, "## Summary")
    assert i < summary and not nb.hidden(CELLS[i]) and nb.hidden(CELLS[i + 1])
    out = nb.printed(CELLS[i])
    assert (
        "augmentation - none (400 steps, 10 seeds; appendix D), corrected (99.75%): ViT -10.0 [-15.8, -4.2] behind; "
        "CNN-8 -4.0 [-6.5, -1.5] behind; the ViT's - CNN-8's -6.0 [-13.1, +1.1] leans" in out
    )
    check = nb.source(CELLS[i + 1])
    assert '["behind", "behind", "leans"]' in check and "[-10.0, -4.0, -6.0]" in check
    verdict = nb.flat(SOURCES[nb.unique_index(SOURCES, "**The verdict**")])
    assert (
        "costs the ViT 10.0 points and CNN-8 4.0 (both **behind**); that it costs the ViT more only **leans**"
        in verdict
    )
    # Steiner et al.'s point as the abstract states it: AugReg with more compute can match ~10x the training data
    assert "*with more compute* can match ten times the data; these 400-step runs test neither" in verdict
    # the appendix's numbers agree with the row
    app_out = "\n".join(nb.printed(c) for c in nb.cells(APPENDIX))
    assert (
        "ViT augmented - unaugmented: -10.0 points" in app_out
        and "CNN-8 augmented - unaugmented: -4.0 points" in app_out
    )


def test_item_7_takeaway_names_the_1860_step_lean():
    verdict = nb.flat(SOURCES[nb.unique_index(SOURCES, "**The verdict**")])
    takeaway = verdict[verdict.index("**Takeaway") :]
    assert "at 400 steps on these 360 test digits; at 1,860 steps, and for new test digits" in takeaway
    assert "it only leans." in takeaway.split("**")[1]  # inside the bold box
    out = nb.printed(CELLS[nb.unique_index(SOURCES, 'long_own = RUNS["own_rate_long"]  # the headline')])
    assert "the headline at 1,860 steps (appendix D): +1.5 points, corrected (99.75%) [-0.02, +2.97]: leans" in out


def test_item_6_pooling_comparison_named_near_beyer():
    moved = nb.flat(APP_SOURCES[nb.unique_index(APP_SOURCES, '<a id="baseline"></a>')])  # r24c: from the card
    beyer = moved[moved.index("Beyer et al. (2022") :]
    assert (
        "Appendix B compares mean pooling with the class token (SGD, 300 steps, 10 seeds, three rates: "
        "no detectable difference at any); no other pooling comparison is run here." in beyer[:700]
    )
    app = nb.flat(APP_SOURCES[nb.unique_index(APP_SOURCES, "## B · Does mean pooling learn with SGD")])
    assert "over ten seeds" in app and "three learning rates" in app


def test_item_4_plain_sentences_and_verdict_gloss():
    text = nb.flat(nb.all_text(LESSON))
    for clipped in (
        "not proves it",
        "a running tally counted before each step",
        "(neither: 11-16)",
        "The controls, Adam for 400 steps:",
        "(to 0.05, each seed)",
    ):
        assert clipped not in text, clipped
    assert (
        "Check 4 points to the precedence bug: its step-0 gradients are 5-21x smaller (seeds 0-4). "
        "It does not prove it." in text
    )
    assert "That training accuracy is a running tally: each batch is scored just before its own step" in text
    box = nb.flat(SOURCES[nb.unique_index(SOURCES, '<a id="verdict-words"></a>')])
    assert (
        "Plainly: **ahead**, shown; **leans**, a hint chance may explain; **no detectable difference**, cannot tell;"
        in box
    )
    # the moved notes live in appendix D, with anchors the lesson links
    app = "\n".join(APP_SOURCES)
    assert '<a id="why-6-seeds"></a>' in app and '<a id="wilson"></a>' in app and "(p+z²/2n" in app
    assert "06_train_a_vit_appendix.ipynb#why-6-seeds" in box and "06_train_a_vit_appendix.ipynb#wilson" in text
    # 6 seeds is the first count whose all-one-sided sign test reaches p < 0.05, as the moved note says
    assert 2 * 0.5**5 > 0.05 > 2 * 0.5**6 == 0.03125
