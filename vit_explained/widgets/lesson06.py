"""Lesson 06's widget: launch a short training run of the clinic's tiny ViT and read its loss against ln 10, the loss
of guessing.

Choose the number of training digits (300, 600 or all 1,257: section 5's nested subsets), a bug (or none), the
optimizer, the learning rate, the pooling and whether the model has position embeddings (two bugs fix a control:
the SGD bug sets the optimizer to SGD, the positions bug unticks positions; that control is then greyed out), the
number of steps and the seed (the weights and the batches); press **train** (150, 300 or 600 steps on the 8x8
digits: 1-2.5 s per 150 steps on a free core, measured, so 1-10 s). The line says what will run, or what the run
reached, with the step-0 gradient norm of every part (section 4's check 4: only an exact 0 reads alone) and the
permutation test of the same model at initialisation (check 5: the largest logit change when every image's patches
are shuffled, 0 to rounding for a model blind to positions; two forwards on 64 validation digits); the picture
shows this run's loss and the previous run's (on fewer digits: the same setting's run on all of them, when there
is one), training on the left, validation (every 10 steps) on the right. Runs are cached, so going back to a
setting shows it at once; the lesson hands over the stored 150-step runs of every bug on each number of digits, so
moving that control draws at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import torch
from matplotlib.figure import Figure

from ..clinic import BUGS, CHANCE_LOSS, BlogViT, ClinicRun, _digits, permutation_change, run, training_subset
from ..plotting.lesson06 import plot_losses
from . import LessonWidget

__all__ = ["TrainingWidget", "training_widget"]

LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
VAL_EVERY = 10  # the validation loss is recorded every 10 steps (as the stored clinic runs)
STEPS = 150  # as the clinic's runs, so the lesson can hand them over (training_widget(runs=...))
STEP_CHOICES = (STEPS, 300, 600)  # longer runs show what a slow optimiser reaches with more steps
SEEDS = (0, 1, 2, 3, 4)  # the clinic's stored runs are seed 0
SGD_BUG, POSITIONS_BUG = "SGD at Adam's learning rate", "no position embeddings"
ALL_DIGITS = 1257  # the 8x8 digits' training split
#: the training-digits control: the nested subsets of section 5's size runs (clinic.training_subset), then all
IMAGE_CHOICES = (("300", 300), ("600", 600), (f"all {ALL_DIGITS:,}", ALL_DIGITS))


#: The permutation test's result per setting (bug, pool, positions, seed): the model at initialisation.
_SHUFFLES: dict[tuple[str, str, bool, int], float] = {}


def permutation_reading(bug: str, pool: str, positions: bool, seed: int) -> float:
    """Section 4's check 5 for one widget setting: the largest logit change of ``BlogViT`` at initialisation
    (the weights :func:`~vit_explained.clinic.run` starts from, seed ``seed``) when the patches of the first
    64 validation digits are shuffled. Leaves torch's global random state as it was."""
    key = (bug, pool, positions, seed)
    if key not in _SHUFFLES:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = BlogViT(bug, pool=pool, positions=positions)
        _SHUFFLES[key] = permutation_change(model, _digits().val_images[:64])
    return _SHUFFLES[key]


def _shuffle_text(change: float) -> str:
    if change < 1e-5:
        return "below 1e-5: blind to where a patch sits"
    return f"{change:.1e}: sees positions"


#: The runs made so far in this kernel, by setting (bug, optimizer, lr, pool, positions, steps, seed, images).
_RUNS: dict[tuple[str, str, float, str, bool, int, int, int], ClinicRun] = {}


def _label(
    bug: str,
    optimizer: str,
    lr: float,
    pool: str,
    positions: bool,
    steps: int,
    seed: int = 0,
    images: int = ALL_DIGITS,
) -> str:
    where = "" if positions else ", no positions"
    if bug == SGD_BUG and lr != 1e-2:  # at another rate than Adam's, the bug's name would contradict the label
        bug = "SGD (momentum 0.9)"
    digits = "" if images == ALL_DIGITS else f", {images:,} training digits"
    return f"{bug}: {optimizer} lr {lr:g}, pool {pool}{where}, {steps} steps, seed {seed}{digits}"


class TrainingWidget(LessonWidget):
    """Dropdowns for the training digits, the bug, the optimizer, the learning rate, the pooling, the steps and
    the seed, a positions checkbox, and a **train** button; :meth:`train` runs the current setting."""

    def __init__(self) -> None:
        controls = {
            "images": widgets.Dropdown(options=IMAGE_CHOICES, value=ALL_DIGITS, description="training digits"),
            "bug": widgets.Dropdown(options=BUGS, value="none", description="bug"),
            "optimizer": widgets.Dropdown(options=("adam", "sgd"), value="adam", description="optimizer"),
            "lr": widgets.SelectionSlider(options=LEARNING_RATES, value=1e-2, description="lr"),
            "pool": widgets.Dropdown(options=("cls", "mean"), value="cls", description="pool"),
            "positions": widgets.Checkbox(value=True, description="positions"),
            "steps": widgets.Dropdown(options=STEP_CHOICES, value=STEPS, description="steps"),
            "seed": widgets.Dropdown(options=SEEDS, value=0, description="seed"),
        }
        # Two bugs fix another control: the SGD bug trains with SGD, the positions bug has no positions. Those
        # controls follow the bug and are greyed out, so no combination silently does nothing.
        self._chosen: dict[str, Any] = {}  # the learner's own value of a control a bug has fixed
        controls["bug"].observe(self._follow_bug, names="value")
        self.previous: tuple[str, list[float], list[tuple[int, float]]] | None = None
        self.button = widgets.Button(description="train", button_style="primary")
        self.button.on_click(lambda _: self.train())
        super().__init__(controls, rows=2)
        self.children = (*self.children[:-2], self.button, *self.children[-2:])

    def _follow_bug(self, change: Any) -> None:
        """Grey out (and set) the control a bug fixes; give it back its earlier value when the bug goes."""
        bug = change["new"] if isinstance(change, dict) else self.controls["bug"].value
        for name, fixed_by, forced in (("optimizer", SGD_BUG, "sgd"), ("positions", POSITIONS_BUG, False)):
            control = self.controls[name]
            if bug == fixed_by and not control.disabled:
                self._chosen[name] = control.value
                control.disabled = True
                control.value = forced
            elif bug != fixed_by and control.disabled:
                control.disabled = False
                control.value = self._chosen.pop(name, control.value)

    def compute(self, **values: Any) -> tuple[str, Figure | None]:
        if values["bug"] not in BUGS:
            raise ValueError(f"unknown bug {values['bug']!r}; choose one of {BUGS}")
        key = _key(values)
        label = _label(*key)
        if key not in _RUNS:
            return f"ready to train ({label}): press train (1-2.5 s per 150 steps on a free core, measured)", None
        result = _RUNS[key]
        final = sum(result.losses[-20:]) / 20
        norms = ", ".join(f"{part} {value:.2g}" for part, value in result.gradient_norms.items())
        line = (
            f"{label}: loss {result.losses[0]:.2f} at step 0, {final:.2f} at the end "
            f"(ln 10 = {CHANCE_LOSS:.3f}); validation accuracy {result.val_accuracy:.0%}; "
            f"step-0 gradient norms: {norms or 'not recorded'}; "
            "permutation test at step 0, largest logit change "
            f"{_shuffle_text(permutation_reading(key[0], key[3], key[4], key[6]))}"
        )
        other = self.beside(key)
        mine = f"this run ({label})"
        if other is not None and other[0].startswith("all "):  # fewer digits beside all of them: short legend labels
            name = "fixed model" if key[0] == "none" else key[0]
            mine, other = f"{name}, {key[-1]:,} digits", (f"{name}, all {ALL_DIGITS:,}", *other[1:])
        curves, val = {mine: result.losses}, {mine: result.val_losses}
        if other is not None and other[0] != label:
            curves[f"{other[0]}"] = other[1]
            val[f"{other[0]}"] = other[2]
        return line, plot_losses(curves, title="Training loss of the clinic's tiny ViT", val_losses=val)

    def beside(self, key: tuple) -> tuple[str, list[float], list[tuple[int, float]]] | None:
        """The curve drawn beside this run: on fewer training digits, the same setting on all of them (when run
        or stored); otherwise the previous run."""
        full = (*key[:-1], ALL_DIGITS)
        if key[-1] != ALL_DIGITS and full in _RUNS:
            return f"all {ALL_DIGITS:,} digits ({_label(*full)})", _RUNS[full].losses, _RUNS[full].val_losses
        if self.previous is None:
            return None
        return f"previous ({self.previous[0]})", self.previous[1], self.previous[2]

    def train(self) -> None:
        """Run (or fetch from the cache) the current setting, then show it."""
        key = _key(self.values)
        if key not in _RUNS:
            bug, optimizer, lr, pool, positions, steps, seed, images = key
            _RUNS[key] = run(
                bug,
                steps=steps,
                optimizer=optimizer,
                lr=lr,
                pool=pool,
                positions=positions,
                seed=seed,
                val_every=VAL_EVERY,
                data=training_subset(images),
            )
        self.update()
        self.previous = (_label(*key), _RUNS[key].losses, _RUNS[key].val_losses)


def _key(values: dict[str, Any]) -> tuple[str, str, float, str, bool, int, int, int]:
    """The setting that actually runs: the SGD bug means SGD, the positions bug means no positions."""
    optimizer = "sgd" if values["bug"] == SGD_BUG else values["optimizer"]
    positions = bool(values["positions"]) and values["bug"] != POSITIONS_BUG
    steps, seed, images = int(values["steps"]), int(values.get("seed", 0)), int(values.get("images", ALL_DIGITS))
    return (values["bug"], optimizer, values["lr"], values["pool"], positions, steps, seed, images)


def training_widget(
    runs: Mapping[str, ClinicRun] | None = None,
    *,
    lr: float = 1e-2,
    size_runs: Mapping[tuple[str, int], ClinicRun] | None = None,
) -> TrainingWidget:
    """The lesson's widget (the notebook calls it as the last expression of a cell).

    ``runs``: ``{bug: clinic.run(bug, steps=STEPS, lr=lr)}`` already made (Adam, class token, positions
    unless the bug removes them, seed 0); ``size_runs``: ``{(bug, n): the same on clinic.training_subset(n)}``
    (``clinic.stored_size_runs()``). The widget shows them without training again."""
    handed = [((bug, ALL_DIGITS), result) for bug, result in (runs or {}).items()]
    for (bug, images), result in [*handed, *(size_runs or {}).items()]:
        if len(result.losses) != STEPS:
            raise ValueError(f"the run for {bug!r} has {len(result.losses)} steps; the widget's runs have {STEPS}")
        setting = {"bug": bug, "optimizer": "adam", "lr": lr, "pool": "cls", "positions": True}
        _RUNS[_key({**setting, "steps": STEPS, "seed": 0, "images": images})] = result
    return TrainingWidget()
