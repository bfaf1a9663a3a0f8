"""Lesson 06, review l: one definition of the lowest epoch (the 5-epoch mean's), the figure's marker on it, the
exercise 2 starter without comments that name its bugs (both notebooks alike), exercise 5's messages without the
K - 1 term spelled out, and the augmentation sentence's numbers."""

from __future__ import annotations

import math
from pathlib import Path

import nbformat
import pytest

from vit_explained import clinic
from vit_explained.exercises import ExerciseFailed, lesson06

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "06_train_a_vit.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "06_train_a_vit_solutions.ipynb"


def _markdown(path: Path) -> list[str]:
    return [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown"]


def test_overfitting_summary_reads_the_lowest_epoch_on_the_windowed_curve():
    loss = [1.0, 0.2, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.8, 0.8, 0.8, 0.8, 0.8]  # raw lowest: epoch 2 (a spike)
    run = {"val_loss": loss, "val_accuracy": [0.5] * 14 + [0.6], "train_accuracy": [1.0] * 15}
    runs = {"curves": {"ViT": [run]}, "seeds": [0], "epochs": 15}
    assert clinic.overfitting_summary(runs).lowest["ViT", 0] == 2
    windowed = clinic.overfitting_summary(runs, window=5)
    assert windowed.lowest["ViT", 0] == 10 == clinic.windowed_rise(loss, window=5, margin=0.05)[0]
    assert "5-epoch mean validation loss lowest at epoch 10" in windowed.text


def test_the_lesson_uses_one_lowest_epoch_and_the_plot_marks_it():
    from vit_explained.plotting.lesson06 import plot_overfitting

    runs = clinic.stored_runs()["overfitting"]
    summary = clinic.overfitting_summary(runs, window=5)
    for name, seed_runs in runs["curves"].items():
        for seed, run in zip(runs["seeds"], seed_runs, strict=True):
            assert summary.lowest[name, seed] == clinic.windowed_rise(run["val_loss"], 5, 0.05)[0]
    assert summary.higher_at_end == 6 and round(summary.sign_p, 2) == 0.03
    fig = plot_overfitting(runs["curves"]["ViT"][1])
    for ax in (fig.axes[0], fig.axes[2]):  # the loss and accuracy panels
        marks = [line for line in ax.lines if line.get_label().startswith("lowest 5-epoch mean")]
        assert len(marks) == 1 and marks[0].get_xdata()[0] == summary.lowest["ViT", 1] == 29


def test_short_curves_keep_the_raw_marker():
    from vit_explained.plotting.lesson06 import plot_overfitting

    curves = {
        "train_loss": [2.0, 1.0, 0.5],
        "val_loss": [2.1, 0.9, 1.0],
        "train_accuracy": [0.3, 0.6, 0.9],
        "val_accuracy": [0.3, 0.5, 0.6],
    }
    marks = [
        line for line in plot_overfitting(curves).axes[0].lines if line.get_label().startswith("lowest validation loss")
    ]
    assert len(marks) == 1 and marks[0].get_xdata()[0] == 2


def _exercise_2(path: Path) -> str:
    (text,) = [source for source in _markdown(path) if source.startswith("### Exercise 2")]
    return text


def test_exercise_2_starter_names_symptoms_not_bugs_and_is_the_same_in_both_notebooks():
    text = _exercise_2(LESSON)
    assert text == _exercise_2(SOLUTIONS)
    code = text.split("```python")[1].split("```")[0]
    assert "#" not in code  # no comment names a bug
    assert "leaves the weights where they were" in text and "the losses fall, then climb" in text
    for cause in ("zero_grad", "never cleared", "before backward"):
        assert cause not in text
    # round 17b: the checker's set-up is stated (the model may arrive in eval mode), not which line is missing
    assert text.count("eval mode") == 1 and "may arrive in eval mode (your step must set training mode)" in text


@pytest.mark.parametrize("slip", [lambda e, k: -math.log(1 - e), lambda e, k: -(1 - e) * math.log(1 - e)])
def test_exercise_5_messages_do_not_spell_out_the_other_classes_term(slip):
    with pytest.raises(ExerciseFailed) as failure:
        lesson06.check_smoothing_floor(slip)
    message = str(failure.value)
    assert "you kept only the label's term" in message and "epsilon/(K-1)" not in message


def test_the_augmentation_sentence_gives_both_drops_and_only_leans():
    markdown = _markdown(LESSON.with_name("06_train_a_vit_appendix.ipynb"))  # round 21b: moved to appendix D
    (start,) = [i for i, s in enumerate(markdown) if '<a id="augmentation-main"></a>**With augmentation**' in s]
    text = markdown[start + 1]  # review 16g: the intervals are printed between the two cells
    assert "Both models are **behind** their unaugmented selves" in text and "#section-5-tables" in text
    assert "by −10.0" not in text and "only **leans**" in text  # no double negative; the ViT's larger loss leans
    (widget,) = [source for source in _markdown(LESSON) if source.startswith("## 6 · Try it")]
    assert " ".join(widget.split()).endswith("the stored picture; run the cell for the controls):")  # round 21b


def test_exercise_2_symptoms_are_what_the_starter_does():
    """The starter as printed: the first call leaves the weights, the second raises the in-place error."""
    import torch
    import torch.nn.functional as F

    def starter(model, optimizer, images, labels):
        logits = model(images)
        loss = F.cross_entropy(logits, labels)
        optimizer.step()
        loss.backward()
        return loss

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).eval()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    images, labels = torch.randn(16, 4), torch.randint(0, 3, (16,))
    before = [p.detach().clone() for p in model.parameters()]
    starter(model, optimizer, images, labels)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        starter(model, optimizer, images, labels)
