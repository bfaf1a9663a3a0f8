"""Lesson 06's widget: launch a short training run of the clinic's tiny ViT and read its loss
against ln 10, the loss of guessing.

Choose a bug (or none), the optimizer, the learning rate, the pooling and whether the model has
position embeddings; press **train** (a few hundred steps on the 8x8 digits, a few seconds). The
line says what will run, or what the run reached; the picture shows this run's loss and the
previous run's. Runs are cached, so going back to a setting shows it at once.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..clinic import BUGS, CHANCE_LOSS, ClinicRun, run
from ..plotting.lesson06 import plot_losses
from . import LessonWidget

__all__ = ["TrainingWidget", "training_widget"]

LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
STEPS = 200


#: The runs made so far in this kernel, by setting (bug, optimizer, lr, pool, positions).
_RUNS: dict[tuple[str, str, float, str, bool], ClinicRun] = {}


def _label(bug: str, optimizer: str, lr: float, pool: str, positions: bool) -> str:
    where = "" if positions else ", no positions"
    return f"{bug}: {optimizer} lr {lr:g}, pool {pool}{where}"


class TrainingWidget(LessonWidget):
    """Dropdowns for the bug, the optimizer, the learning rate and the pooling, a positions
    checkbox, and a **train** button; :meth:`train` runs the current setting."""

    def __init__(self) -> None:
        controls = {
            "bug": widgets.Dropdown(options=BUGS, value="none", description="bug"),
            "optimizer": widgets.Dropdown(options=("adam", "sgd"), value="adam", description="optimizer"),
            "lr": widgets.SelectionSlider(options=LEARNING_RATES, value=3e-3, description="lr"),
            "pool": widgets.Dropdown(options=("cls", "mean"), value="cls", description="pool"),
            "positions": widgets.Checkbox(value=True, description="positions"),
        }
        self.previous: tuple[str, list[float]] | None = None
        self.button = widgets.Button(description="train", button_style="primary")
        self.button.on_click(lambda _: self.train())
        super().__init__(controls, rows=2)
        self.children = (*self.children[:-2], self.button, *self.children[-2:])

    def compute(self, **values: Any) -> tuple[str, Figure | None]:
        if values["bug"] not in BUGS:
            raise ValueError(f"unknown bug {values['bug']!r}; choose one of {BUGS}")
        key = _key(values)
        label = _label(*key)
        if key not in _RUNS:
            return f"ready to train {STEPS} steps ({label}): press train", None
        result = _RUNS[key]
        final = sum(result.losses[-20:]) / 20
        line = (
            f"{label}: loss {result.losses[0]:.2f} at step 0, {final:.2f} at the end "
            f"(ln 10 = {CHANCE_LOSS:.3f}); validation accuracy {result.val_accuracy:.0%}"
        )
        curves = {f"this run ({label})": result.losses}
        if self.previous is not None and self.previous[0] != label:
            curves[f"previous ({self.previous[0]})"] = self.previous[1]
        return line, plot_losses(curves, title="Training loss of the clinic's tiny ViT")

    def train(self) -> None:
        """Run (or fetch from the cache) the current setting, then show it."""
        key = _key(self.values)
        if key not in _RUNS:
            bug, optimizer, lr, pool, positions = key
            _RUNS[key] = run(bug, steps=STEPS, optimizer=optimizer, lr=lr, pool=pool, positions=positions)
        self.update()
        self.previous = (_label(*key), _RUNS[key].losses)


def _key(values: dict[str, Any]) -> tuple[str, str, float, str, bool]:
    return (values["bug"], values["optimizer"], values["lr"], values["pool"], bool(values["positions"]))


def training_widget() -> TrainingWidget:
    """The lesson's widget (the notebook calls it as the last expression of a cell)."""
    return TrainingWidget()
