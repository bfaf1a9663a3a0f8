"""Lesson 01's checkers name a hard-coded batch size, channel count, square image or square patch, and an
answer that changes its input in place (fix round n)."""

from __future__ import annotations

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import (
    PATCH_CASES,
    check_build_z0,
    check_conv_to_linear,
    check_interpolate_positions,
    check_patchify,
)


def _by_hand(images: torch.Tensor, b: int, c: int, h: int, w: int, ph: int, pw: int) -> torch.Tensor:
    rows, cols = h // ph, w // pw
    return images.reshape(b, c, rows, ph, cols, pw).permute(0, 2, 4, 3, 5, 1).reshape(b, rows * cols, ph * pw * c)


def batch_of_one(images, patch_size):
    _, c, h, w = images.shape
    return _by_hand(images, 1, c, h, w, *patch_size)


def three_channels(images, patch_size):
    b, _, h, w = images.shape
    return _by_hand(images, b, 3, h, w, *patch_size)


def square_image(images, patch_size):
    b, c, h, _ = images.shape
    return _by_hand(images, b, c, h, h, *patch_size)


def batch_of_one_and_square(images, patch_size):
    _, c, h, _ = images.shape
    return _by_hand(images, 1, c, h, h, *patch_size)


def square_patches(images, patch_size):
    b, c, h, w = images.shape
    return _by_hand(images, b, c, h, w, patch_size[0], patch_size[0])


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (batch_of_one, r"the batch size \(B = 1 works, B = 2 does not\)"),
        (three_channels, r"the channel count \(C = 3 works, C = 1 does not\)"),
        (square_image, r"a square image \(H = W works, 12x8 does not\)"),
        (batch_of_one_and_square, r"the batch size .*; a square image"),
        (square_patches, r"square patches \(ph = pw works, 4x2 does not\)"),
    ],
)
def test_a_hard_coded_size_is_named(answer, named):
    with pytest.raises(ExerciseFailed, match=rf"^Not yet: .*{named}.*It looks hard-coded: read B, C, H, W"):
        check_patchify(answer)


def test_the_cases_hold_a_batch_of_three_with_one_channel_on_a_non_square_image():
    assert any(b == 3 and c == 1 and h != w for b, c, h, w, _, _ in PATCH_CASES)
    assert any(c == 3 for _, c, *_ in PATCH_CASES) and any(b == 1 for b, *_ in PATCH_CASES)


def test_a_right_answer_still_passes(capsys):
    check_patchify(lambda images, patch_size: _by_hand(images, *images.shape, *patch_size))
    assert capsys.readouterr().out.startswith("Correct!")


def test_an_answer_that_changes_its_input_in_place_is_named():
    def in_place(images, patch_size):
        out = _by_hand(images, *images.shape, *patch_size).clone()
        images.zero_()
        return out

    with pytest.raises(ExerciseFailed, match=r"^Not yet: your function changed the input tensor in place"):
        check_patchify(in_place)


def test_a_wrong_layout_is_not_called_hard_coded():
    def column_major(images, patch_size):
        b, c, h, w = images.shape
        ph, pw = patch_size
        out = images.reshape(b, c, h // ph, ph, w // pw, pw).permute(0, 4, 2, 3, 5, 1)
        return out.reshape(b, -1, ph * pw * c)

    with pytest.raises(ExerciseFailed, match="column-major") as failure:
        check_patchify(column_major)
    assert "hard-coded" not in str(failure.value)


def kernel_three_channels(weight):
    d, _, ph, pw = weight.shape
    return weight.reshape(d, 3, ph, pw).permute(0, 2, 3, 1).reshape(d, -1)


def kernel_square_patch(weight):
    d, c, ph, _ = weight.shape
    return weight.reshape(d, c, ph, ph).permute(0, 2, 3, 1).reshape(d, -1)


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (kernel_three_channels, r"the channel count \(C = 3 works, C = 1 does not\)"),
        (kernel_square_patch, r"square patches \(ph = pw works, 2x3 does not\)"),
    ],
)
def test_a_hard_coded_kernel_size_is_named(answer, named):
    with pytest.raises(ExerciseFailed, match=rf"^Not yet: .*{named}.*read D, C, ph, pw from weight.shape"):
        check_conv_to_linear(answer)


def _z0_expand_three(tokens, class_token, pos_embedding):
    return torch.cat([class_token.expand(3, -1, -1), tokens], dim=1) + pos_embedding


def _z0_repeat_four(tokens, class_token, pos_embedding):
    return torch.cat([class_token.repeat(4, 1, 1), tokens], dim=1) + pos_embedding


@pytest.mark.parametrize(("answer", "works"), [(_z0_expand_three, 3), (_z0_repeat_four, 4)])
def test_exercise_2_names_a_hard_coded_batch_size(answer, works):
    """r27c minor 6: a batch size hard-coded in the expand is named, as exercises 3 and 4 name theirs, not torch's
    raw 'Sizes of tensors must match' message."""
    named = rf"the batch size \(B = {works} works, B = 1 does not\)\. It looks hard-coded: read B from tokens.shape"
    with pytest.raises(ExerciseFailed, match=rf"^Not yet: .*{named}") as caught:
        check_build_z0(answer)
    assert "Sizes of tensors" not in str(caught.value) and "RuntimeError" not in str(caught.value)


def _z0_squeezed(tokens, class_token, pos_embedding):
    return (torch.cat([class_token.expand(tokens.shape[0], -1, -1), tokens], dim=1) + pos_embedding).squeeze(0)


def _z0_squeezed_all(tokens, class_token, pos_embedding):
    return (torch.cat([class_token.expand(tokens.shape[0], -1, -1), tokens], dim=1) + pos_embedding).squeeze()


@pytest.mark.parametrize("answer", [_z0_squeezed, _z0_squeezed_all])
def test_r32b_minor_1_exercise_2_names_a_dropped_batch_axis(answer):
    """r32b minor 1: a squeeze after section 5's B = 1 cell drops the batch axis; nothing is hard-coded, so the
    message names the dropped axis (as exercise 5's does), not 'It looks hard-coded'."""
    with pytest.raises(
        ExerciseFailed, match=r"^Not yet: .*the batch axis was dropped \(a squeeze\?\); keep the leading batch axis"
    ) as caught:
        check_build_z0(answer)
    assert "hard-coded" not in str(caught.value), str(caught.value)


def test_exercise_2_keeps_its_message_for_a_class_token_never_expanded():
    """A class token never expanded is right for B = 1 only: it keeps the 'expand it to (B, 1, D)' message."""

    def never_expanded(tokens, class_token, pos_embedding):
        return torch.cat([class_token, tokens], dim=1) + pos_embedding

    with pytest.raises(ExerciseFailed, match=r"expand it to \(B, 1, D\) before the cat") as caught:
        check_build_z0(never_expanded)
    assert "hard-coded" not in str(caught.value)


# r27d minor 3: the lesson's own sizes written into the code fail on every case; the message names them.
def _patchify_16(images, patch_size):
    b, c, h, w = images.shape
    ph, pw = 16, 16
    return _by_hand(images, b, c, h, w, ph, pw)


def _patchify_224(images, patch_size):
    b, c = images.shape[:2]
    h = w = 224
    return _by_hand(images, b, c, h, w, *patch_size)


def _kernel_768(weight):
    return weight.permute(0, 2, 3, 1).reshape(768, -1)


def _resize(pos, rows, cols, dim, new_grid):
    grid = pos[:, 1:].reshape(1, rows, cols, dim).permute(0, 3, 1, 2)
    grid = torch.nn.functional.interpolate(grid, size=new_grid, mode="bilinear", align_corners=False)
    return torch.cat([pos[:, :1], grid.permute(0, 2, 3, 1).reshape(1, -1, dim)], dim=1)


def _resize_768(pos, old_grid, new_grid):
    dim = 768
    return _resize(pos, *old_grid, dim, new_grid)


def _resize_7x7(pos, old_grid, new_grid):
    old = (7, 7)
    return _resize(pos, *old, pos.shape[-1], new_grid)


@pytest.mark.parametrize(
    ("checker", "answer", "size"),
    [
        (check_patchify, _patchify_16, "16"),
        (check_patchify, _patchify_224, "224"),
        (check_conv_to_linear, _kernel_768, "768"),
        (check_interpolate_positions, _resize_768, "768"),
        (check_interpolate_positions, _resize_7x7, "7"),
    ],
)
def test_a_lesson_size_written_into_the_code_is_named(checker, answer, size):
    with pytest.raises(ExerciseFailed) as caught:
        checker(answer)
    message = str(caught.value)
    assert "a shape error on every case" in message.lower() and f"your code has {size})" in message, message
    assert "read the sizes from the tensors' shapes" in message.lower()


def test_exercise_2_names_an_in_place_write_on_an_input():
    """r27d minor 4: tokens.add_(0.0) raises on a leaf that needs gradients: not a detach or numpy slip."""

    def in_place(tokens, class_token, pos_embedding):
        tokens.add_(0.0)
        return torch.cat([class_token.expand(tokens.shape[0], -1, -1), tokens], dim=1) + pos_embedding

    with pytest.raises(ExerciseFailed, match="in place into a tensor it was given") as caught:
        check_build_z0(in_place)
    assert "numpy" not in str(caught.value)


# fix01_35a (r34e minor 8): the MNIST ViT's width (section 5b's card: width 64) written as D is named too
def _resize_64(pos, old_grid, new_grid):
    dim = 64
    return _resize(pos, *old_grid, dim, new_grid)


def test_the_mnist_vit_width_written_into_exercise_5_is_named():
    with pytest.raises(ExerciseFailed) as caught:
        check_interpolate_positions(_resize_64)
    message = str(caught.value)
    assert "your code has 64)" in message and "16, 224, 768, 7 or 64" in message, message
