"""Lesson 06, fix round w: the stopping hint is per model, the warm-up result is in the main flow with its
picture, the closing recipe card links only to anchors that exist, exercise 1's length-mismatch message leads
with the hint, and the over-fitting figure's legend names the faint training curves once."""

import re
from pathlib import Path

import nbformat
import pytest

from vit_explained import clinic
from vit_explained.exercises import ExerciseFailed, lesson06
from vit_explained.plotting.lesson06 import plot_overfitting, plot_warmup

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "06_train_a_vit.ipynb"


def _cells():
    return nbformat.read(LESSON, as_version=4).cells


def _markdown() -> str:
    return "\n".join(c.source for c in _cells() if c.cell_type == "markdown")


def test_the_stopping_point_is_a_hint_with_per_model_intervals():
    text = _markdown()
    assert "+0.02" not in text and "barely excludes 0" not in text and "**stop on the metric you\nreport**" not in text
    appendix = nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells  # round 18a: moved
    text = "\n".join(c.source for c in appendix if c.cell_type == "markdown")
    assert "Per model the mean gain's interval holds 0" in text and "a hint, not a finding" in text
    printed = "\n".join(o.get("text", "") for c in appendix if c.cell_type == "code" for o in c.get("outputs", []))
    assert "ViT, end minus lowest-loss epoch: mean +3.3 points, 95 % t-interval [-5.3, +11.9] (3 seeds)" in printed
    assert "CNN-8, end minus lowest-loss epoch: mean +2.0 points, 95 % t-interval [-2.2, +6.3] (3 seeds)" in printed


def test_the_warm_up_result_is_in_the_main_flow_on_both_splits():
    # round 21b: warm-up detail, main flow -> lesson or appendix (appendix C, #warm-up)
    cells = _cells() + nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells
    (i,) = [i for i, c in enumerate(cells) if 'warm = RUNS["warmup"]  # the plain ViT' in c.source]
    printed = "".join(o.get("text", "") for o in cells[i].outputs)
    assert "no warm-up - warm-up, validation (180 digits): -2.0 points, 95 % [-4.8, +0.8]" in printed
    assert "no warm-up - warm-up, test (360 digits): -3.3 points, 95 % [-5.7, -0.8]" in printed
    assert ": leans" in printed
    # review r19b: the training loss's sign test moved to appendix C (#warm-up)
    appendix = nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells
    assert "higher without on 5 of 5" in "".join(
        o.get("text", "") for c in appendix if c.cell_type == "code" for o in c.outputs
    )
    assert any("image/png" in o.get("data", {}) for o in cells[i].outputs) and '"06_warmup"' in cells[i].source
    assert (ROOT / "figures" / "06_warmup.png").exists()


def test_the_recipe_card_links_resolve_and_has_six_to_eight_lines():
    cells = _cells()
    (card,) = [c.source.split('<a id="recipe-card"></a>')[1] for c in cells if '<a id="recipe-card"></a>' in c.source]
    steps = re.findall(r"^\d\. ", card, flags=re.M)
    assert 6 <= len(steps) <= 8
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', "\n".join(c.source for c in cells)))
    for target in re.findall(r"\]\(#([^)]+)\)", card):
        assert target in anchors, target


def test_exercise_1_length_mismatch_leads_with_the_hint():
    def wrong_axis(logits, labels):
        return (logits.argmax(dim=0) == labels).float().mean().item()

    with pytest.raises(ExerciseFailed) as failure:
        lesson06.check_accuracy(wrong_axis)
    message = str(failure.value)
    assert message.startswith("Not yet: the predictions and the labels have different lengths")
    assert "RuntimeError" not in message and "dim=1" not in message  # review 18a: no raw torch error text


def test_the_overfitting_legend_names_the_faint_training_curves_once():
    runs = clinic.stored_runs()
    overfitting = runs["overfitting"]
    vit = overfitting["curves"]["ViT"]
    seeds = {f"seed {s}": run for s, run in zip(overfitting["seeds"], vit, strict=True)}
    fig = plot_overfitting(vit[1], seeds=seeds, loss_top=1.5, crossings={"seed 2": 97})
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts.count("train") == 1  # round 17b: the middle panel no longer draws the faint training curves
    assert texts.index("seed 0") < texts.index("seed 1") < texts.index("seed 2")
    fig = plot_warmup(runs["warmup"]["train_loss"], 20)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "no warm-up" in labels and "warm-up 10% of the steps" in labels
    with pytest.raises(ValueError):
        plot_warmup({}, 20)
