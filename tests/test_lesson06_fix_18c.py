"""Review 18b, lesson 06: warm-up read on both splits and the training loss, the unused verdict row gone, the
size runs' epochs-per-digit confound named, torch trivia collapsed, DeiT's linear scaling rule named."""

from pathlib import Path

import nbformat
from matplotlib.figure import Figure

from vit_explained import clinic
from vit_explained.plotting.lesson06 import plot_overfitting_seeds

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "06_train_a_vit.ipynb"


APPENDIX = LESSON.with_name("06_train_a_vit_appendix.ipynb")


def _markdown(path=LESSON) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def test_warm_up_verdict_follows_the_test_digits_in_prose_summary_and_card():
    # round 21b: the warm-up runs moved to appendix C (#warm-up); main flow -> lesson or appendix
    text = _markdown() + "\n" + _markdown(APPENDIX)
    assert "On the 360 test digits, kept for measuring" in text
    assert "it **leans** worse: −3.3 points, 95 %\n[−5.7, −0.8]" in text
    assert "no detectable difference** (−2.0 points, 95 % [−4.8, +0.8])" in text
    # review r19b: the training-loss sign test moved to appendix C; the lesson points there
    assert "the last-epoch training loss is higher on 5 of 5 seeds" in " ".join(text.split())
    # r19d: the summary has one number per bullet; the card links the warm-up's evidence
    # round 22c: one appendix link per card item; item 4's one link (the same #warm-up) sits on the hint
    card = "4. Keep the usual short warm-up as the default: the runs cannot tell on validation; a hint only:"
    assert card in text and "on every seed](06_train_a_vit_appendix.ipynb#warm-up)" in text
    assert "dropping it showed no detectable difference here" not in text


def test_verdict_rows_confounds_and_notes():
    text = _markdown()
    assert "points towards" not in text
    assert "80 epochs of 300 digits but 20 of 1,257" in " ".join(text.split())
    assert "size, rate or epochs per digit" in text
    appendix_cells = nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells
    appendix = "\n".join(c.source for c in appendix_cells)
    # review 19b: moved with the DataLoader loop
    assert "<details><summary>Why epoch 2 differs (a torch detail)</summary>" in appendix
    assert "DeiT's 5e-4 × batch / 512 (linear scaling)" in " ".join(appendix.split())  # round 21b: moved to appendix C
    assert "the printed training accuracy" in text and "the training column" not in text
    code = "\n".join(c.source for c in nbformat.read(LESSON, as_version=4).cells if c.cell_type == "code")
    assert "placeholder" not in code


def test_the_over_fitting_figure_draws_its_dashed_crossings_thick():
    runs = clinic.stored_runs()["overfitting"]
    rise, _ = clinic.overfitting_rises(runs, window=5, margin=0.05, short={"SmallCNN width 8": "CNN-8"})
    fig = plot_overfitting_seeds(runs, rise, seed=1, last_epoch=100)
    assert isinstance(fig, Figure)
    dashed = [line for ax in fig.axes for line in ax.lines if line.get_linestyle() == "--"]
    assert dashed and all(line.get_linewidth() >= 2 for line in dashed)
