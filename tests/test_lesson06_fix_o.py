"""Lesson 06, fix round o: section 5's verdict numbers printed in the lesson itself, the statistics words moved to
section 5, section 4's Adam/SGD step and rank count moved to appendix H, the widget's slow-optimiser hint and a
weight-decay ablation read from stored runs."""

import re
from pathlib import Path

import nbformat
import pytest
import torch

from vit_explained import clinic
from vit_explained.exercises import ExerciseFailed, lesson06

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "06_train_a_vit.ipynb"
APPENDIX = ROOT / "notebooks" / "06_train_a_vit_appendix.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "06_train_a_vit_solutions.ipynb"


def _outputs(cell) -> str:
    return "\n".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", []))


def _visible_outputs(path: Path) -> str:
    cells = nbformat.read(path, as_version=4).cells
    return "\n".join(
        _outputs(c) for c in cells if c.cell_type == "code" and "hide-input" not in c.metadata.get("tags", [])
    )


def _markdown(path: Path, prefix: str) -> str:
    (text,) = [c.source for c in nbformat.read(path, as_version=4).cells if prefix in c.source]  # merged cells too
    return text


@pytest.mark.parametrize(
    ("path", "prefix"),  # review r19b: the weight-decay reading moved to appendix C
    [
        (LESSON, "**The verdict**"),
        (APPENDIX, "Dropping weight decay changes"),
        (APPENDIX, "Dropping the warm-up:"),
    ],  # round 21b: moved
)
def test_every_interval_section_5_quotes_is_in_a_visible_output(path, prefix):
    printed = _visible_outputs(LESSON)
    quoted = re.findall(r"\[[−+-]\d+\.\d, [−+-]\d+\.\d\]", _markdown(path, prefix))
    assert quoted
    for interval in quoted:
        assert interval.replace("−", "-") in _visible_outputs(path), interval
    assert "860 : 400 steps" in _visible_outputs(APPENDIX)  # review 16f: the readings table lives in appendix D
    chosen = "rate chosen on validation (4 rates, mean over seeds 0-2): "
    chosen += "ViT 0.01, soft split 0.01, conv stem 0.01, CNN-8 0.03"
    assert chosen in printed


def test_statistics_words_live_in_section_5():
    # review r19b: one statistics box, at the first comparison (section 3); section 2 and section 5 point to it
    how_sure = _markdown(LESSON, '<a id="how-sure"></a>')
    assert "95 % interval" in how_sure and "#verdict-words" in how_sure and "| **leans**" not in how_sure
    verdicts = _markdown(LESSON, '<a id="verdict-words"></a>')
    assert all(word in verdicts for word in ("**ahead**", "**leans**", "**behind**", "**no detectable difference**"))
    assert all(
        word in verdicts
        for word in ("**95 % interval**", "**holds 0**", "**paired**", "**corrected**")  # round 21b
    )
    assert "Bootstrap" not in how_sure + verdicts
    rows = [line for line in verdicts.splitlines() if line.startswith("| **")]
    assert len(rows) == 3 and "points towards" not in verdicts  # review 18b: the unused row is gone
    box = _markdown(LESSON, '<a id="student-t"></a>')
    assert "#verdict-words" in box and "**Paired**" not in box
    assert "#section-5-tables" in box and "Bonferroni" not in box  # review 16f: the family's wording in appendix D


def test_section_4_keeps_one_step_and_rank_in_appendix_h():
    lesson = "\n".join(c.source for c in nbformat.read(LESSON, as_version=4).cells)
    assert "first_step_size" not in lesson and "feature_rank" not in lesson
    appendix = "\n".join(c.source for c in nbformat.read(APPENDIX, as_version=4).cells)
    assert '<a id="small-gradients"></a>' in appendix and '<a id="one-direction"></a>' in appendix
    assert "first_step_size" in appendix and "feature_rank" in appendix
    assert "#small-gradients" in lesson and "#one-direction" in lesson


def test_the_widget_hint_and_the_weight_decay_ablation_are_stored():
    runs = clinic.stored_runs()
    long = runs["sgd_long"]["runs"]
    assert abs(sum(long["150"]["losses"][-20:]) / 20 - clinic.CHANCE_LOSS) < 0.01 and long["600"]["val_accuracy"] > 0.9
    decay = runs["weight_decay"]
    assert decay["steps"] == 400 and decay["weight_decay"] == [0.05, 0.0] and decay["seeds"] == list(range(10))
    assert decay["val"]["0.05"][:5] == runs["warmup"]["val"]["0.1"]  # the with-decay arm is QUICK itself
    packaged = ROOT / "vit_explained" / "checkpoints" / "lesson06_runs.json"
    assert packaged.read_bytes() == (ROOT / "benchmarks" / "results" / "lesson06_runs.json").read_bytes()
    assert "SGD bug, lr 0.1, 600 steps" in _visible_outputs(APPENDIX)  # review 19a: moved to appendix F


def test_gradient_ratio_labels_and_steiner():
    from vit_explained.plotting.lesson06 import PART_LABELS

    assert PART_LABELS["embed"].startswith("patch embedding") and "γ, β" in PART_LABELS["norm"]
    assert "Steiner et al. (2021" in _markdown(
        APPENDIX,
        "Both models are **behind**",  # round 21b: moved to appendix D
    )  # the arXiv year, as in the appendix


def test_exercise_3_states_the_int_policy_the_checker_applies():
    texts = [_markdown(path, "### Exercise 3") for path in (LESSON, SOLUTIONS)]
    assert texts[0] == texts[1] and "a one-number integer tensor passes too" in texts[0]

    def margin(images):
        ink = (images != 0).any(dim=1)  # (B, H, W)
        rows, cols = ink.any(dim=2), ink.any(dim=1)
        first = lambda m: m.float().argmax(dim=1)  # noqa: E731
        sides = [first(rows), first(rows.flip(1)), first(cols), first(cols.flip(1))]
        return int(torch.stack(sides).min())

    lesson06.check_max_safe_shift(margin)
    lesson06.check_max_safe_shift(lambda images: torch.tensor(margin(images)))  # a 0-d integer tensor passes
    with pytest.raises(ExerciseFailed, match="got a float"):
        lesson06.check_max_safe_shift(lambda images: float(margin(images)))


def test_augmentation_comparisons_and_best_rates_from_the_stored_runs():
    runs = clinic.stored_runs()
    paired = clinic.augmentation_comparisons(runs)
    assert list(paired)[:3] == ["ViT: with - without", "CNN-8: with - without", "the lead's change (with - without)"]
    assert round(100 * paired["ViT: with - without"].difference.mean, 1) == -10.0
    assert len(paired["ViT's cost: 1,860 minus 400 steps"].difference.values) == 3
    assert clinic.best_rates(runs["lr"], {"ViT": "ViT", "SmallCNN width 8": "CNN-8"}) == {"ViT": 0.01, "CNN-8": 0.03}
