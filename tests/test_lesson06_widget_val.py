"""Lesson 06's widget draws the validation loss beside the training loss (fresh review 17a, item 5)."""

import pytest

from vit_explained import clinic
from vit_explained.plotting.lesson06 import plot_losses


def test_run_records_the_validation_loss_without_changing_the_training():
    plain, recorded = clinic.run(steps=30, lr=1e-2), clinic.run(steps=30, lr=1e-2, val_every=10)
    assert plain.losses == recorded.losses and plain.val_losses == []  # eval mode, no gradients: the same steps
    assert [step for step, _ in recorded.val_losses] == [10, 20, 30]
    assert all(0 < value < 5 for _, value in recorded.val_losses)
    with pytest.raises(ValueError, match="val_every"):
        clinic.run(steps=10, val_every=0)


def test_the_stored_clinic_runs_carry_their_validation_curve():
    for bug, run in clinic.stored_clinic_runs().items():
        assert [step for step, _ in run.val_losses] == list(range(10, 151, 10)), bug
    stored = clinic.stored_clinic_runs()
    assert (
        stored["none"].val_losses[-1][1]
        < 1.0
        < 2.2
        < stored["MultiheadAttention without batch_first"].val_losses[-1][1]
    )


def test_plot_losses_draws_a_validation_panel_in_each_runs_style():
    fig = plot_losses(
        {"a": [2.3] * 30, "b": [2.3 - 0.05 * i for i in range(30)]}, val_losses={"a": [(10, 2.3), (20, 2.3)], "b": []}
    )
    train, val = fig.axes[:2]
    assert val.get_title().startswith("Validation loss") and len(val.lines) == 2  # run a, and the ln 10 line
    assert val.lines[0].get_color() == train.lines[0].get_color()
    assert len(plot_losses({"a": [2.3] * 30}).axes) == 1  # without val_losses: one panel, as before


def test_the_widget_shows_both_runs_validation_losses(monkeypatch):
    from vit_explained.widgets import lesson06

    made, drawn = [], []

    def fake_run(bug, **options):
        made.append(options["val_every"])
        return clinic.ClinicRun([2.3] * 150, {"embed": 1.0}, 0.5, val_losses=[(10, 2.3), (150, 1.0)])

    def spy(curves, **options):
        drawn.append(options["val_losses"])
        return plot_losses(curves, **options)

    monkeypatch.setattr(lesson06, "run", fake_run)
    monkeypatch.setattr(lesson06, "plot_losses", spy)
    monkeypatch.setattr(lesson06, "_RUNS", {})
    w = lesson06.training_widget()
    w.train()
    w.controls["bug"].value = "no activation in the MLP"
    w.train()
    assert made == [10, 10] and len(drawn[-1]) == 2  # this run's and the previous run's validation curves
    assert all(points == [(10, 2.3), (150, 1.0)] for points in drawn[-1].values())
