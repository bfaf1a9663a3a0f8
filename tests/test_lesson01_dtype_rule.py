"""Lesson 01 exercises 2-4: the dtype rule the exercise texts state (float64 is fine; only narrower
dtypes fail), and exercise 4's message for a table of zeros."""

import pytest
import torch
import torch.nn.functional as F

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import check_conv_to_linear, check_interpolate_positions, check_patchify


def _resize(pos: torch.Tensor, old: tuple[int, int], new: tuple[int, int]) -> torch.Tensor:
    (rows, cols), (new_rows, new_cols) = old, new
    grid = pos[:, 1:].reshape(1, rows, cols, -1).permute(0, 3, 1, 2)
    resized = F.interpolate(grid, size=(new_rows, new_cols), mode="bilinear", align_corners=False)
    return torch.cat([pos[:, :1], resized.permute(0, 2, 3, 1).reshape(1, new_rows * new_cols, -1)], dim=1)


def _patchify(images: torch.Tensor, patch_size: tuple[int, int]) -> torch.Tensor:
    (b, c, h, w), (ph, pw) = images.shape, patch_size
    grid = images.reshape(b, c, h // ph, ph, w // pw, pw).permute(0, 2, 4, 3, 5, 1)
    return grid.reshape(b, (h // ph) * (w // pw), ph * pw * c)


def test_float64_passes_every_dtype_checker(capsys):
    check_patchify(lambda images, patch_size: _patchify(images, patch_size).double())
    check_conv_to_linear(lambda weight: weight.double().permute(0, 2, 3, 1).reshape(weight.shape[0], -1))
    check_interpolate_positions(lambda pos, old, new: _resize(pos.double(), old, new))
    assert capsys.readouterr().out.count("Correct") == 3


@pytest.mark.parametrize("narrow", [torch.float16, torch.bfloat16])
def test_narrower_dtypes_fail_with_the_rule(narrow):
    with pytest.raises(ExerciseFailed, match="float64 is fine"):
        check_patchify(lambda images, patch_size: _patchify(images, patch_size).to(narrow))
    with pytest.raises(ExerciseFailed, match="float64 is fine"):
        check_interpolate_positions(lambda pos, old, new: _resize(pos, old, new).to(narrow))


def test_a_table_of_zeros_gets_its_own_message():
    with pytest.raises(ExerciseFailed, match="all zeros"):
        check_interpolate_positions(lambda pos, old, new: torch.zeros(1, 1 + new[0] * new[1], pos.shape[-1]))
