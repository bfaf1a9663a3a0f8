"""Lesson 01's checkers accept the reference answers and reject plausible wrong ones, saying why."""

import pytest
import torch
from einops import rearrange

from vit_explained import patchify
from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises.lesson01 import check_conv_to_linear, check_patchify, check_token_count

# ----------------------------------------------------------------------------- token count


def count_reference(height, width, patch_height, patch_width):
    return (height // patch_height) * (width // patch_width) + 1


def test_token_count_accepts_the_reference(capsys):
    assert check_token_count(count_reference) is True
    assert "Correct!" in capsys.readouterr().out


def test_token_count_accepts_a_float_that_is_whole_and_a_tensor():
    assert check_token_count(lambda h, w, ph, pw: h * w / (ph * pw) + 1)
    assert check_token_count(lambda h, w, ph, pw: torch.tensor((h // ph) * (w // pw) + 1))


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda h, w, ph, pw: h // ph, "along one side"),  # "224x224 gives 14 patches"
        (lambda h, w, ph, pw: h // ph + 1, "along one side"),
        (lambda h, w, ph, pw: (h // ph) * (w // pw), "forgot the class token"),
        (lambda h, w, ph, pw: (h // ph) ** 2 + 1, "square image"),
        (lambda h, w, ph, pw: h * w + 1, "counts pixels"),
        (lambda h, w, ph, pw: (h // ph) * (w // pw) + 2, "not right"),
        (lambda h, w, ph, pw: (h / ph) * (w / pw) + 1.5, "whole number"),
        (lambda h, w, ph, pw: "197", "whole number"),
    ],
)
def test_token_count_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_token_count(wrong)


# ----------------------------------------------------------------------------- patchify


def patchify_reference(images, patch_size):
    ph, pw = patch_size
    b, c, h, w = images.shape
    grid = images.reshape(b, c, h // ph, ph, w // pw, pw)  # (B, C, rows, p1, cols, p2)
    return grid.permute(0, 2, 4, 3, 5, 1).reshape(b, (h // ph) * (w // pw), ph * pw * c)


@pytest.mark.parametrize("answer", [patchify_reference, patchify])
def test_patchify_accepts_the_reference_and_the_package(answer, capsys):
    assert check_patchify(answer) is True
    assert "Correct!" in capsys.readouterr().out


def column_major(images, patch_size):
    return rearrange(images, "b c (h p1) (w p2) -> b (w h) (p1 p2 c)", p1=patch_size[0], p2=patch_size[1])


def channels_first(images, patch_size):
    ph, pw = patch_size
    unfolded = torch.nn.functional.unfold(images, kernel_size=(ph, pw), stride=(ph, pw))  # (B, c*ph*pw, N)
    return unfolded.transpose(1, 2)


def unfold_not_transposed(images, patch_size):
    return torch.nn.functional.unfold(images, kernel_size=patch_size, stride=patch_size)


def pixels_column_by_column(images, patch_size):
    return rearrange(images, "b c (h p1) (w p2) -> b (h w) (p2 p1 c)", p1=patch_size[0], p2=patch_size[1])


def reshape_without_permute(images, patch_size):
    ph, pw = patch_size
    b, c, h, w = images.shape
    return images.reshape(b, (h // ph) * (w // pw), ph * pw * c)


def split_axes_swapped(images, patch_size):
    ph, pw = patch_size
    b, c, h, w = images.shape
    grid = images.reshape(b, c, ph, h // ph, pw, w // pw)  # wrong: (p1, rows) instead of (rows, p1)
    return grid.permute(0, 3, 5, 2, 4, 1).reshape(b, -1, ph * pw * c)


def square_patches_only(images, patch_size):
    ph = patch_size[0]
    return patchify_reference(images, (ph, ph))


def changes_its_input(images, patch_size):
    images.mul_(2)
    return patchify_reference(images, patch_size) / 2


def adds_noise(images, patch_size):
    return patchify_reference(images, patch_size) + 0.5


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (column_major, "column-major"),
        (channels_first, r"channel by channel, \(c p1 p2\)"),
        (unfold_not_transposed, "should be"),
        (pixels_column_by_column, "column by column"),
        (reshape_without_permute, "a reshape alone"),
        (split_axes_swapped, "spread all over the image"),
        (square_patches_only, "should be"),
        (changes_its_input, "changed its input"),
        (adds_noise, "different numbers"),
        (lambda images, patch_size: images.numpy(), "torch.Tensor"),
    ],
)
def test_patchify_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_patchify(wrong)


# ----------------------------------------------------------------------------- conv kernel -> Linear weight


def conv_to_linear_reference(weight):
    return weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1)


@pytest.mark.parametrize(
    "answer", [conv_to_linear_reference, lambda weight: rearrange(weight, "d c p1 p2 -> d (p1 p2 c)")]
)
def test_conv_to_linear_accepts_the_reference(answer, capsys):
    assert check_conv_to_linear(answer) is True
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda weight: weight.reshape(weight.shape[0], -1), "nn.Unfold's layout"),  # the missing permute
        (lambda weight: weight.flatten(1), "nn.Unfold's layout"),
        (lambda weight: weight.permute(0, 3, 2, 1).reshape(weight.shape[0], -1), r"\(pw, ph, c\)"),
        (lambda weight: weight.permute(0, 2, 3, 1), "out_features, in_features"),  # no flatten
        (lambda weight: weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1).T, "out_features, in_features"),
        (lambda weight: weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1) * 2, "not in the"),
        (lambda weight: weight.tolist(), "torch.Tensor"),
    ],
)
def test_conv_to_linear_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_conv_to_linear(wrong)


# ----------------------------------------------------------------------------- stubs and misuse


def stub(*args):
    raise NotImplementedError("your code here")


@pytest.mark.parametrize("checker", [check_token_count, check_patchify, check_conv_to_linear])
def test_unfilled_stub_is_not_attempted(checker):
    with pytest.raises(ExerciseNotAttempted, match="not done yet"):
        checker(stub)


@pytest.mark.parametrize("checker", [check_token_count, check_patchify, check_conv_to_linear])
def test_passing_a_result_instead_of_the_function(checker):
    with pytest.raises(TypeError, match="pass your function itself"):
        checker(197)
