"""Lesson 04, fix round t: the gate statistics as one report, the MLP knock-out (stored), the DropPath schedule
figure and the gate widget's right-panel title."""

import json
from pathlib import Path

import pytest
import torch

from vit_explained import ViT
from vit_explained.plotting.lesson04 import (
    STORED_MLP_KNOCKOUT,
    drop_path_rates,
    gate_overlap,
    gate_report,
    mlp_knockout_correct,
    plot_drop_path_rates,
    plot_gelu_gate,
    stored_mlp_knockout,
)

ROOT = Path(__file__).resolve().parents[1]


def test_gate_report_prints_the_shares_the_overlap_and_every_pair() -> None:
    is_open = torch.tensor([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1]], dtype=torch.bool)
    report = gate_report(is_open, ["class token", "background patch", "stroke patch"])
    assert report.overlap == gate_overlap(is_open)
    assert report.pairs[(0, 1)] == (1, pytest.approx(4 * 0.5 * 0.5)) and report.pairs[(0, 2)][0] == 0
    assert list(report.pairs) == [(0, 1), (0, 2), (1, 2)]
    lines = report.text.splitlines()
    shares = "class token 50 %; background patch 50 %; stroke patch 25 %"
    assert lines[0] == f"share of the 4 units open (Phi > 0.5): {shares}"
    assert "class/background 1 vs 1.0 ± 0.9" in lines[-1] and len(lines) == 5
    with pytest.raises(ValueError, match="one name per row"):
        gate_report(is_open, ["only one"])


def test_mlp_knockout_silences_every_mlp_branch_on_a_copy() -> None:
    torch.manual_seed(0)
    model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    before = {name: value.clone() for name, value in model.state_dict().items()}
    images, labels = torch.rand(6, 1, 8, 8), torch.tensor([0, 1, 2, 0, 1, 2])
    correct = mlp_knockout_correct(model, images, labels, chunk=4)
    assert all(torch.equal(before[name], value) for name, value in model.state_dict().items())  # model unchanged
    with torch.no_grad():
        assert torch.equal(correct["intact"], model(images).argmax(1) == labels)
        for block in model.encoder.blocks:
            block.mlp.fc2.weight.zero_()
            block.mlp.fc2.bias.zero_()
        assert torch.equal(correct["no_mlp"], model(images).argmax(1) == labels)


def test_the_stored_knockout_is_the_benchmarks_file() -> None:
    stored = stored_mlp_knockout()
    assert set(stored) == {"intact", "no_mlp", "mean_mlp", "relu", "relu_changed"}  # relu: round 17b
    assert all(v.shape == (1000,) and v.dtype == torch.bool for v in stored.values())
    assert round(100 * stored["intact"].float().mean().item(), 1) == 97.4
    assert round(100 * stored["no_mlp"].float().mean().item(), 1) == 43.0
    results = json.loads((ROOT / "benchmarks" / "results" / "lesson04_mlp_knockout.json").read_text())
    assert results == json.loads(STORED_MLP_KNOCKOUT.read_text())  # the packaged copy is the benchmark's


def test_drop_path_rate_figure_draws_timms_schedule() -> None:
    fig = plot_drop_path_rates(0.1, 12)
    (line,) = fig.axes[0].lines
    assert list(line.get_ydata()) == drop_path_rates(0.1, 12) and list(line.get_xdata()) == list(range(12))
    assert fig.axes[0].get_xlabel() == "block index"


def test_gate_figure_names_phi_as_the_keep_probability() -> None:
    fig = plot_gelu_gate(0.5)
    assert fig.axes[1].get_title() == "x kept with probability Phi(x)"
