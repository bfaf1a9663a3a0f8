"""Lesson 06, fix round p: the over-fitting figure's middle panel draws every seed on one full-range axis,
and the exercise-6 checker names 'none' as the fixed model."""

from __future__ import annotations

import numpy as np

from vit_explained import clinic


def test_overfitting_middle_panel_draws_every_seed_from_zero():
    from vit_explained.plotting.lesson06 import plot_overfitting

    runs = clinic.stored_runs()["overfitting"]
    vit = runs["curves"]["ViT"]
    fig = plot_overfitting(vit[1], seeds={f"seed {s}": run for s, run in zip(runs["seeds"], vit, strict=True)})
    left, middle, _ = fig.axes
    labelled = [line for line in middle.lines if line.get_label().startswith("seed ")]
    assert [line.get_label() for line in labelled] == ["seed 0", "seed 1", "seed 2"]
    for line, run in zip(labelled, vit, strict=True):
        assert np.allclose(line.get_ydata(), clinic.windowed(run["val_loss"], 5))
    assert middle.get_ylim()[0] == 0 and middle.get_ylim()[1] > 2  # the full range, not a zoom on the bump
    assert left.get_legend()._loc == 1  # upper right: clear of the early curves


def test_the_default_middle_panel_draws_the_run_itself():
    from vit_explained.plotting.lesson06 import plot_overfitting

    run = clinic.stored_runs()["overfitting"]["curves"]["ViT"][0]
    labelled = [line for line in plot_overfitting(run).axes[1].lines if line.get_label() == "this run"]
    assert len(labelled) == 1
