"""Lesson 06, review 18c: warm-up chosen on validation only, the one-batch rule's negative control run, wording."""

import pathlib

import nbformat

LESSON = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "06_train_a_vit.ipynb"


def _markdown() -> str:
    return "\n".join(c.source for c in nbformat.read(LESSON, as_version=4).cells if c.cell_type == "markdown")


def _outputs() -> str:
    cells = nbformat.read(LESSON, as_version=4).cells
    return "\n".join(o.get("text", "") for c in cells if c.cell_type == "code" for o in c.outputs)


def test_recipe_card_warm_up_rests_on_validation_and_training_loss():
    text = _markdown()
    assert "leaned worse on the test digits" not in text
    # review r19b: the sign test's detail moved to appendix C (#warm-up); the card points there
    assert "[training loss is higher without it on every seed](06_train_a_vit_appendix.ipynb#warm-up)" in text
    appendix = nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells
    printed = "\n".join(o.get("text", "") for c in appendix if c.cell_type == "code" for o in c.outputs)
    assert "higher without on 5 of 5 (sign test p = 0.06)" in printed


def test_one_batch_rule_runs_its_negative_control():
    text = _markdown()
    assert "a larger rate tells which" not in text
    # round 21b: tightened wording, same control and numbers
    # round 22c: the controls share one clause (Adam, 400 steps), same control and numbers
    # round 24c: plain sentences, same control and numbers
    assert "The controls use Adam for 400 steps. At 10x the rate the fixed model fits" in " ".join(text.split())
    assert "the hand-written LayerNorm still ends at 0.69-1.22" in " ".join(text.split())
    assert "slow optimiser, in this clinic (the LayerNorm bug still fails there)" in text
    assert "that LayerNorm at 10x (0.1), 400 steps   1.20, 1.22, 0.69" in _outputs()


def test_wording_plateau_plane_cnn_gap_and_clipping():
    text, out = _markdown(), _outputs()
    flat = " ".join(text.split())  # round 21b: tightened wording, same facts
    assert "stopped inside a plateau, not at a bug." in flat and "plateau: no bug" not in text
    assert "prove nothing" not in text and "Section 3's `LOOP` also left ln 10 only in epoch 3" in flat
    assert "On this plane the nearest centre" in text
    assert "head's features [83.7, 88.0], raw pixels [39.5, 45.6]" in out
    assert "its gap ends at 7-8 points" in text and "CNN-8, seeds 0-2: training minus validation accuracy" in out
    appendix = nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells
    assert "(its Table 3, pre-training)" in "\n".join(c.source for c in appendix)  # round 21b: moved to appendix C
