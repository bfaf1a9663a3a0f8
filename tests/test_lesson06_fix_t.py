"""Lesson 06, fix round t: the LayerNorm cross-reference, the loss-versus-accuracy sentence, exercise 5's
0-answer message, the per-seed crossings of the over-fitting figure, the split accuracy cell, augmentation's
scale on 8x8 digits."""

from pathlib import Path

import nbformat
import pytest

from vit_explained import clinic
from vit_explained.exercises import ExerciseFailed, lesson06

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "06_train_a_vit.ipynb"


def _cells():
    return nbformat.read(LESSON, as_version=4).cells


def _markdown() -> str:
    return "\n".join(c.source for c in _cells() if c.cell_type == "markdown")


def test_layernorm_line_is_the_blogs_not_lesson_04s():
    text = _markdown()
    assert "lesson 04's hand-written LayerNorm" not in text
    # round 21b: tightened to what the line does
    assert "a blog's LayerNorm line" in text and "only $\\mu$ where\n  $x - \\mu$ belongs" in text


def test_validation_accuracy_keeps_rising_where_the_loss_rises():
    text = _markdown()
    assert "accuracy barely moves" not in text and "accuracy keeps" not in text
    appendix = nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells  # round 18a
    # review r21i: the sentence moved to appendix C (#stopping)
    said = "validation accuracy ends higher than at the lowest-loss epoch (all 6 runs)"
    assert said in " ".join("\n".join(c.source for c in appendix).split())
    summary = [c for c in appendix if c.cell_type == "code" and "print(summary.text)" in c.source]
    assert summary  # the printed accuracies the sentence points to


def test_weight_decay_rise_untested_said_plainly():
    # round v: now tested (the stored regularisers runs): each switched back on, with paired intervals
    text = _markdown()
    assert "switch both off" in text and "switches each back on" in text  # round 21b: tightened
    # review 19a: the arms' reading moved to appendix C
    assert "weight decay alone makes **no detectable difference**" in " ".join(text.split())
    appendix = nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells
    reading = "Weight decay alone: **no detectable difference**"
    assert any(reading in c.source for c in appendix if c.cell_type == "markdown")


def test_exercise_5_zero_answer_message_is_true():
    with pytest.raises(ExerciseFailed) as caught:
        lesson06.check_smoothing_floor(lambda epsilon, classes: 0.0)
    message = str(caught.value)
    assert "no logits match" not in message and "the target's entropy" in message and "not one-hot" in message


def test_overfitting_figure_marks_each_seeds_crossing_in_its_colour():
    from vit_explained.plotting.lesson06 import SEED_COLOURS, plot_overfitting, plot_overfitting_seeds

    runs = clinic.stored_runs()["overfitting"]
    vit = runs["curves"]["ViT"]
    seeds = {f"seed {s}": r for s, r in zip(runs["seeds"], vit, strict=True)}
    fig = plot_overfitting(vit[1], seeds=seeds, loss_top=1.5, crossings={"seed 0": 42, "seed 1": 32, "seed 2": 97})
    middle = fig.axes[1]
    dashed = {int(line.get_xdata()[0]): line.get_color() for line in middle.lines if line.get_linestyle() == "--"}
    assert dashed == {42: SEED_COLOURS[0], 32: SEED_COLOURS[1], 97: SEED_COLOURS[2]}
    assert not middle.patches  # no single band any more
    with pytest.raises(ValueError, match="not one of the runs"):
        plot_overfitting(vit[1], seeds=seeds, crossings={"seed 9": 10})
    (cell,) = [c.source for c in _cells() if c.cell_type == "code" and '"06_overfitting"' in c.source]
    assert "plot_overfitting_seeds(" in cell and "shade_from" not in cell  # round x: the call lives in the helper
    fig = plot_overfitting_seeds(runs, clinic.overfitting_rises(runs)[0])
    dashed = {int(line.get_xdata()[0]) for line in fig.axes[1].lines if line.get_linestyle() == "--"}
    assert dashed == {42, 32, 97} and fig.axes[1].get_xlim() == (0.0, 100.0)


def test_accuracy_cell_split_in_two():
    cells = _cells()
    (i,) = [i for i, c in enumerate(cells) if "\ngap = history" in c.source]  # round 21b: merged with the loss prints
    assert cells[i].source.split("\ngap = history")[1].count("print(") == 3
    appendix = nbformat.read(LESSON.parent / "06_train_a_vit_appendix.ipynb", as_version=4).cells  # review 17d
    assert any(c.source.startswith('stored_curves = RUNS["curves_eval"]') for c in appendix if c.cell_type == "code")


def test_augmentation_scale_on_8x8_digits_printed():
    cells = nbformat.read(LESSON.parent / "06_train_a_vit_appendix.ipynb", as_version=4).cells  # round 21b: moved
    (aug,) = [c for c in cells if c.cell_type == "code" and c.source.startswith("moved = RUNS")]
    assert "12.5% of the 8-pixel width" in aug.outputs[0]["text"]
    assert any("1-pixel move is 12.5 % of an 8x8 digit's width" in c.source for c in cells if c.cell_type == "markdown")
