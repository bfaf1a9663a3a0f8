"""Lesson 06, fix round q: each model's learning rate chosen on validation on a grid that extends past CNN-8's
best, no unsupported forecast or weight-decay claim, the augmentation named, check 3 seen firing."""

from pathlib import Path

import nbformat

from vit_explained import clinic

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "06_train_a_vit.ipynb"
APPENDIX = ROOT / "notebooks" / "06_train_a_vit_appendix.ipynb"


def _cells():
    return nbformat.read(LESSON, as_version=4).cells


def _markdown() -> str:
    return "\n".join(c.source for c in _cells() if c.cell_type == "markdown")


def test_the_lr_grid_extends_past_cnn_8_s_best():
    grid = clinic.stored_runs()["lr"]
    assert grid["lrs"] == [0.003, 0.01, 0.03, 0.1]
    best = clinic.best_rates(grid, {"ViT": "ViT", "SmallCNN width 8": "CNN-8"})
    assert best == {"ViT": 0.01, "CNN-8": 0.03}
    assert all(best[name] < max(grid["lrs"]) and best[name] > min(grid["lrs"]) for name in best)  # both inside


def test_the_verdict_states_each_chosen_rate_and_the_direction():
    (verdict,) = [c.source for c in _cells() if c.source.startswith("**The verdict**")]
    # round v: the headline compares each model at its own validation-chosen rate (stored own_rate runs)
    assert "ach at its own validation-chosen rate** (CNN-8 3e-2, the ViT 1e-2" in verdict
    assert "At the ViTs' shared rate CNN-8 only **leans**" in verdict  # review 16f: shorter


def test_no_forecast_and_no_unsupported_weight_decay_claim():
    text = _markdown()
    assert "(yet)" not in text
    assert "guards against over-fitting" not in text
    assert "are meant to guard against over-fitting" in " ".join(text.split())  # round 21b: both named


def test_the_augmentation_is_named_with_its_strength():
    cells = _cells() + nbformat.read(APPENDIX, as_version=4).cells  # round 21b: moved to appendix D
    (aug,) = [c.source for c in cells if '<a id="augmentation-main"></a>**With augmentation**' in c.source]
    assert "rotations up to 10 degrees" in aug and "1 ± 0.1" in aug and "up to 1 pixel" in aug
    printed = "\n".join(o.get("text", "") for c in cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "augmentation: rotations up to 10 degrees, scaling by 1 ± 0.1, sub-pixel moves up to 1 pixel" in printed


def test_check_3_fires_in_view_on_a_2_5x_head():
    appendix = nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells  # review 19b: moved
    (cell,) = [c for c in appendix if c.source.startswith("head_cases = ")]
    assert "hide-input" not in cell.metadata.get("tags", [])
    text = "".join(o.get("text", "") for o in cell.outputs)
    assert "head weights x2.5" in text and "check 3 FIRES" in text and "fixed model" in text and "passes" in text
