"""Lesson 06, fix round v: the stored update/weight ratios (check 4's reference-free reading) are what
``clinic.run(..., record_updates=True)`` records, and recording them changes nothing in the run."""

import pytest
import torch

from vit_explained import clinic


@pytest.mark.parametrize("bug", ["none", clinic.LAYER_NORM_NO_CENTRING])
def test_a_fresh_run_s_first_update_ratios_match_the_stored_ones(bug):
    torch.set_num_threads(1)
    stored = clinic.stored_runs()["update_ratios"]
    fresh = clinic.run(
        bug, steps=stored["steps"], lr=stored["lr"], seed=stored["seed"], stop_after=5, record_updates=True
    )
    plain = clinic.run(bug, steps=stored["steps"], lr=stored["lr"], seed=stored["seed"], stop_after=5)
    assert fresh.losses == plain.losses and plain.update_ratios == []  # recording draws nothing, changes nothing
    assert len(fresh.update_ratios) == 5
    for got, want in zip(fresh.update_ratios, stored["ratios"][bug][:5], strict=True):
        assert got == pytest.approx(want, rel=1e-3)


def test_the_stored_own_rate_runs_are_ten_seeds_at_cnn_8_s_chosen_rate():
    runs = clinic.stored_runs()
    own = runs["own_rate"]
    assert own["lr"] == {"SmallCNN width 8": 0.03} and own["seeds"] == list(range(10)) and own["steps"] == 400
    assert own["val"]["SmallCNN width 8"][:3] == runs["lr"]["val"]["0.03"]["SmallCNN width 8"]
