"""Lesson 04, fix round o: the helpers behind sections 2 and 6's short visible cells (gate_overlap, depth_report,
training_summary), and checker messages that name a slip without giving the code away."""

import json
import math
from pathlib import Path

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import check_drop_path, check_gelu_slope
from vit_explained.norm_placement import stored_norm_training_runs, training_summary
from vit_explained.plotting.lesson04 import depth_report, depth_slope, gate_overlap

ROOT = Path(__file__).resolve().parents[1]


def test_gate_overlap_counts_switching_units_and_its_baselines() -> None:
    is_open = torch.tensor([[1, 1, 0, 0], [1, 0, 1, 0]], dtype=torch.bool)  # rates 1/2 and 1/2
    overlap = gate_overlap(is_open)
    assert overlap["switching"] == 2 and overlap["nested"] == 0
    assert overlap["independent"] == pytest.approx(4 * 0.5)  # 1 - 1/4 - 1/4 per unit
    assert overlap["independent_sd"] == pytest.approx(math.sqrt(4 * 0.5 * 0.5))
    nested = torch.tensor([[1, 1, 1, 0], [1, 0, 0, 0]], dtype=torch.bool)
    assert gate_overlap(nested)["switching"] == gate_overlap(nested)["nested"] == 2  # the smaller set inside


def test_depth_report_prints_every_slope_and_the_paired_deepest_depth() -> None:
    falling = {d: [d**-0.5 * (1 + 0.01 * s) for s in range(3)] for d in (2, 4, 8, 16)}
    flat = {d: [1.0 + 0.01 * s for s in range(3)] for d in (2, 4, 8, 16)}
    report = depth_report({"post-norm": flat, "pre-norm": falling}, {"stored": falling})
    assert list(report.slope) == ["post-norm", "pre-norm", "stored"]
    assert report.slope["pre-norm"] == depth_slope(falling) and round(report.slope["pre-norm"][0], 2) == -0.5
    assert "depth 16:" in report.text and "t-interval of the mean difference" in report.text
    assert report.deepest.consistent and report.text.count("L^") == 3


def test_training_summary_matches_the_stored_runs() -> None:
    stored = stored_norm_training_runs()
    summary = training_summary(stored)
    assert list(summary.gaps) == [0, 50, 150]
    assert summary.at_chance == {"post-norm": {0: 3, 50: 3, 150: 3}, "pre-norm": {0: 0, 50: 0, 150: 0}}
    diverged = sum(run["diverged"] for run in stored["runs"] if run["lr"] == 5e-3 and run["placement"] == "post-norm")
    assert diverged == 9 and round(summary.widest, 1) == 13.9
    assert summary.text.startswith("lr 1e-3, ") and "\nlr 5e-3, " in summary.text  # not 1e-03
    file = json.loads((ROOT / "benchmarks" / "results" / "lesson04_norm_training.json").read_text())
    assert len(file["runs"]) == len(stored["runs"]) == 36


def _message(checker, answer) -> str:
    with pytest.raises(ExerciseFailed) as caught:
        checker(answer)
    return str(caught.value)


def test_gelu_slope_names_the_exponent_sign_slip() -> None:
    def grows(x):  # exp(+x^2 / 2): the density grows instead of decaying
        return 0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * torch.exp(0.5 * x**2) / math.sqrt(2 * math.pi)

    message = _message(check_gelu_slope, grows)
    assert "wrong sign" in message and "grows" in message and "differs" not in message


def test_messages_name_the_slip_without_the_code() -> None:
    def erf_slip(x):
        return 0.5 * (1 + torch.erf(x)) + x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)

    message = _message(check_gelu_slope, erf_slip)
    assert "wrong argument" in message and "sqrt(2)" not in message

    def three_axes(x, p, training):  # a (B, 1, 1) mask: grows a 2-D x
        if not training or p == 0:
            return x
        return x * (torch.rand(x.shape[0], 1, 1) >= p).to(x.dtype) / (1 - p)

    message = _message(check_drop_path, three_axes)
    assert "hard-coded" in message and "x.dim()" not in message and "(1,) *" not in message


def test_logits_with_activation_swaps_every_block_and_puts_them_back() -> None:
    from torch import nn

    from vit_explained import GELU, ViT
    from vit_explained.plotting.lesson04 import logits_with_activation

    torch.manual_seed(0)
    model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    images = torch.rand(5, 1, 8, 8)
    own = [block.mlp.act for block in model.encoder.blocks]
    with torch.no_grad():
        expected = model(images)
    torch.testing.assert_close(logits_with_activation(model, images, chunk=2), expected)  # chunks: the same numbers
    relu = logits_with_activation(model, images, nn.ReLU())
    assert not torch.allclose(relu, expected)
    assert [block.mlp.act for block in model.encoder.blocks] == own and all(type(a) is GELU for a in own)
    for block in model.encoder.blocks:  # the same as swapping by hand
        block.mlp.act = nn.ReLU()
    with torch.no_grad():
        torch.testing.assert_close(model(images), relu)
