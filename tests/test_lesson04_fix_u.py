"""Lesson 04, fix round u: checker messages for three slips, the gate report's sd, the reference-slope label."""

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import check_drop_path, check_gelu_slope, check_parallel_block
from vit_explained.plotting.lesson04 import gate_report, plot_depth_gradients


def _feature_mask_drop_path(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    if not training or p == 0:
        return x
    mask = (torch.rand(x.shape[-1], dtype=x.dtype) < 1 - p).to(x.dtype)
    return x * mask / (1 - p)


def _all_kept_drop_path(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    return x / (1 - p) if training and p > 0 else x


@pytest.mark.parametrize("drop_path", [_feature_mask_drop_path, _all_kept_drop_path])
def test_drop_path_mask_not_per_sample(drop_path) -> None:
    with pytest.raises(ExerciseFailed, match="not per sample"):
        check_drop_path(drop_path)


def test_parallel_block_returning_x() -> None:
    with pytest.raises(ExerciseFailed, match="the branches are missing"):
        check_parallel_block(lambda x, block: x + 0.0)


def test_gelu_slope_nan() -> None:
    with pytest.raises(ExerciseFailed, match="not finite"):
        check_gelu_slope(lambda x: torch.full_like(x, float("nan")))


def test_gate_report_prints_pair_sd() -> None:
    is_open = torch.zeros(2, 100, dtype=torch.bool)
    is_open[0, :50] = True
    is_open[1, 25:75] = True
    text = gate_report(is_open, ["a token", "b token"]).text
    assert "a/b 25 vs 25.0 ± 4.3" in text and "binomial" not in text


def test_depth_guide_is_a_reference_slope() -> None:
    designs = {"pre-norm": {d: [1.0 / d**0.5 + 0.01 * s for s in range(3)] for d in (2, 4, 8, 16)}}
    labels = [line.get_label() for line in plot_depth_gradients(designs).axes[0].get_lines()]
    assert "slope -0.5, for reference" in labels and not any("Xiong" in label for label in labels)
