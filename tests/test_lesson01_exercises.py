"""Lesson 01's checkers accept the reference answers and reject plausible wrong ones, saying why."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from einops import rearrange

from vit_explained import patchify
from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises.lesson01 import (
    check_build_z0,
    check_conv_to_linear,
    check_interpolate_positions,
    check_patchify,
    check_token_count,
)
from vit_explained.positional import interpolate_positions

# ----------------------------------------------------------------------------- token count


def count_reference(height, width, patch_height, patch_width):
    return (height // patch_height) * (width // patch_width) + 1


def test_token_count_accepts_the_reference(capsys):
    check_token_count(count_reference)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    "answer",
    [
        lambda h, w, ph, pw: np.int64(h // ph) * np.int64(w // pw) + 1,  # numpy integers
        lambda h, w, ph, pw: len(range(0, h, ph)) * len(range(0, w, pw)) + 1,
        lambda h, w, ph, pw: torch.zeros(h, w)[::ph, ::pw].numel() + 1,
    ],
)
def test_token_count_accepts_answers_written_differently(answer):
    check_token_count(answer)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda h, w, ph, pw: h // ph, "along one side"),  # "224x224 gives 14 patches"
        (lambda h, w, ph, pw: h // ph + 1, "one side's patches plus the class token"),
        (lambda h, w, ph, pw: (h // ph) * (w // pw), "forgot the class token"),
        (lambda h, w, ph, pw: (h // ph) * (w // pw) + 2, "a ViT has one, the class token"),
        (lambda h, w, ph, pw: (h // ph) ** 2 + 1, "square image"),
        (lambda h, w, ph, pw: h * w + 1, "counts pixels"),
        (lambda h, w, ph, pw: (h // ph) * (w // ph) + 1, r"\(H // ph\) \* \(W // ph\) \+ 1, patch_height used"),
        (lambda h, w, ph, pw: (h // pw) * (w // pw) + 1, r"\(H // pw\) \* \(W // pw\) \+ 1, patch_width used"),
        (lambda h, w, ph, pw: (h / ph) * (w / pw) + 1.5, "whole number"),
        (
            lambda h, w, ph, pw: (h / ph) * (w / pw) + 1,
            r"the float 197\.0; return a whole number \(an int\)",
        ),  # the prompt asks for an int
        (lambda h, w, ph, pw: "197", "whole number"),
        (lambda h, w, ph, pw: (w // ph) * (h // pw) + 1, "patch height and width swapped"),  # patch sides swapped
        (lambda h, w, ph, pw: (h // ph + 1) * (w // pw + 1), r"one extra row and one extra column"),  # fence posts
        (lambda h, w, ph, pw: (h // ph + 1) * (w // pw), r"\(H // ph \+ 1\) \* \(W // pw\), the 1 added to one side"),
        (lambda h, w, ph, pw: (h // ph) * (w // pw + 1), r"the 1 added to one side before multiplying"),
        (lambda h, w, ph, pw: h * w // ph + 1, r"h \* w // ph \+ 1, the pixel count divided by one side.*right\)$"),
        (lambda h, w, ph, pw: h * w // pw + 1, r"divided by one side of the patch only"),
        (lambda h, w, ph, pw: h * w // ph * pw + 1, r"counts pixels, not patches .*multiplies by pw again\)$"),
        (lambda h, w, ph, pw: h * w // ph * pw + 1 if ph != pw else (h // ph) * (w // pw) + 1, "instead of dividing"),
        (lambda h, w, ph, pw: h - 3, "not right"),  # anything else: the generic message
        (lambda h, w, ph, pw: np.float64((h // ph) * (w // pw) + 1.5), "whole number"),
        (lambda h, w, ph, pw: torch.tensor([h // ph, w // pw]), "return an int, not a tensor"),
        (lambda h, w, ph, pw: torch.tensor([(h // ph) * (w // pw) + 1]), "return an int, not a tensor"),  # one axis
        (lambda h, w, ph, pw: ph * pw * 3, "length of one flattened patch"),  # the 768 coincidence
        (lambda h, w, ph, pw: ph * pw * 3 + 1, "length of one flattened patch"),
    ],
)
def test_token_count_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_token_count(wrong)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda h, w, ph, pw: 197, r"your count is 197 for every image and patch size: it does not follow the"),
        (lambda h, w, ph, pw: (h // 16) * (w // 16) + 1, r"your count is right only for 16x16 patches: it does not"),
        (lambda h, w, ph, pw: h * w // 256 + 1, r"your count is right only for 16x16.*read the patch size from"),
        (lambda h, w, ph, pw: (224 // ph) * (224 // pw) + 1, r"your count is right only for a 224x224 image: it does"),
    ],
)
def test_r34c_a_hard_coded_token_count_is_named(wrong, message):
    """r34c minor 3: exercise 1 names a hard-coded size, as exercises 2-5 do."""
    with pytest.raises(ExerciseFailed, match=rf"^Not yet: {message}"):
        check_token_count(wrong)


# ----------------------------------------------------------------------------- patchify


def patchify_reference(images, patch_size):
    ph, pw = patch_size
    b, c, h, w = images.shape
    grid = images.reshape(b, c, h // ph, ph, w // pw, pw)  # (B, C, rows, p1, cols, p2)
    return grid.permute(0, 2, 4, 3, 5, 1).reshape(b, (h // ph) * (w // pw), ph * pw * c)


def patchify_loops(images, patch_size):  # a loop over the grid, float64
    ph, pw = patch_size
    b, _c, h, w = images.shape
    tokens = []
    for row in range(h // ph):
        for col in range(w // pw):
            square = images[:, :, row * ph : (row + 1) * ph, col * pw : (col + 1) * pw]  # (B, C, ph, pw)
            tokens.append(square.permute(0, 2, 3, 1).reshape(b, -1).double())
    return torch.stack(tokens, dim=1)


def patchify_numpy(images, patch_size):  # numpy all the way
    ph, pw = patch_size
    array = images.numpy()
    b, c, h, w = array.shape
    grid = array.reshape(b, c, h // ph, ph, w // pw, pw).transpose(0, 2, 4, 3, 5, 1)
    return grid.reshape(b, -1, ph * pw * c)


def patchify_tensor_unfold(images, patch_size):  # Tensor.unfold is a view: allowed
    ph, pw = patch_size
    b, c = images.shape[:2]
    windows = images.unfold(2, ph, ph).unfold(3, pw, pw)  # (B, C, rows, cols, ph, pw)
    return windows.permute(0, 2, 3, 4, 5, 1).reshape(b, -1, ph * pw * c)


def patchify_transposes(images, patch_size):  # transpose and flatten instead of permute, on a copy
    ph, pw = patch_size
    b, c, h, w = images.shape
    x = images.clone().view(b, c, h // ph, ph, w // pw, pw).transpose(1, 5)  # (B, p2, rows, p1, cols, C)
    x = x.transpose(1, 2).transpose(2, 4)  # (B, rows, p2, p1, cols, C) -> (B, rows, cols, p1, p2, C)
    return x.flatten(3).flatten(1, 2)


@pytest.mark.parametrize(
    "answer",
    [
        patchify_reference,
        patchify_loops,
        patchify_tensor_unfold,
        patchify_transposes,
        lambda images, patch_size: patchify_reference(images.double(), patch_size),  # float64 loses nothing
        patchify_numpy,  # the lesson says numpy is fine: the checker takes the array through torch.as_tensor
    ],
)
def test_patchify_accepts_the_reference_and_answers_written_differently(answer, capsys):
    check_patchify(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("shortcut", "name"),
    [
        (patchify, "vit_explained.patches.patchify"),
        (lambda images, p: rearrange(images, "b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=p[0], p2=p[1]), "einops"),
        (lambda images, p: torch.nn.functional.unfold(images, p, stride=p).transpose(1, 2), "unfold"),
        (lambda images, p: torch.nn.Unfold(p, stride=p)(images).transpose(1, 2), "unfold"),
    ],
)
def test_patchify_refuses_the_shortcuts(shortcut, name):
    with pytest.raises(ExerciseFailed, match=f"build patchify with reshape and permute yourself; .*{name}"):
        check_patchify(shortcut)


def _grid(images, patch_size):
    ph, pw = patch_size
    b, c, h, w = images.shape
    return images.reshape(b, c, h // ph, ph, w // pw, pw)  # (B, C, rows, p1, cols, p2)


def column_major(images, patch_size):
    b = images.shape[0]
    return (
        _grid(images, patch_size).permute(0, 4, 2, 3, 5, 1).reshape(b, -1, images[0].numel() // _n(images, patch_size))
    )


def _n(images, patch_size):
    return (images.shape[2] // patch_size[0]) * (images.shape[3] // patch_size[1])


def channels_first(images, patch_size):  # what nn.Unfold gives, transposed
    b = images.shape[0]
    return _grid(images, patch_size).permute(0, 2, 4, 1, 3, 5).reshape(b, _n(images, patch_size), -1)


def unfold_not_transposed(images, patch_size):
    return channels_first(images, patch_size).transpose(1, 2)


def pixels_column_by_column(images, patch_size):
    b = images.shape[0]
    return _grid(images, patch_size).permute(0, 2, 4, 5, 3, 1).reshape(b, _n(images, patch_size), -1)


def reshape_without_permute(images, patch_size):
    ph, pw = patch_size
    b, c, h, w = images.shape
    return images.reshape(b, (h // ph) * (w // pw), ph * pw * c)


def split_axes_swapped(images, patch_size):
    ph, pw = patch_size
    b, c, h, w = images.shape
    grid = images.reshape(b, c, ph, h // ph, pw, w // pw)  # wrong: (p1, rows) instead of (rows, p1)
    return grid.permute(0, 3, 5, 2, 4, 1).reshape(b, -1, ph * pw * c)


def patch_sides_swapped(images, patch_size):
    pw, ph = patch_size  # the slip: unpacked in the wrong order
    b, c, h, w = images.shape
    grid = images.reshape(b, c, h // ph, ph, w // pw, pw).permute(0, 2, 4, 3, 5, 1)
    return grid.reshape(b, (h // ph) * (w // pw), ph * pw * c)


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
        (reshape_without_permute, "a reshape without a permute"),
        (split_axes_swapped, "spread all over the image"),
        (square_patches_only, r"square patches \(ph = pw works"),
        (changes_its_input, "changed the input tensor in place"),
        (adds_noise, "different numbers"),
        (lambda images, patch_size: images.numpy(), "your output has shape"),  # an array passes, this shape not
        (lambda images, patch_size: patchify_numpy(images, patch_size).tolist(), "return a tensor, not a list"),
        (lambda images, patch_size: str(images), "return a tensor"),
        (lambda images, patch_size: patchify_reference(images, patch_size).round().int() + 1, "a narrower dtype"),
        (lambda images, patch_size: patchify_reference(images, patch_size).long(), r"torch.int64 .*a narrower dtype"),
        (lambda images, patch_size: patchify_reference(images, patch_size).half(), r"torch.float16 .*\.half\(\)"),
        (lambda images, patch_size: patchify_reference(images, patch_size).bfloat16(), "a narrower dtype"),
        (lambda images, patch_size: patchify_reference(images, patch_size)[:, :-1], "should be"),  # off by one
        (lambda images, patch_size: patchify_reference(images, patch_size[::-1]), "height and width are swapped"),
        (patch_sides_swapped, "height and width are swapped"),
    ],
)
def test_patchify_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_patchify(wrong)


# ----------------------------------------------------------------------------- conv kernel -> Linear weight


def conv_to_linear_reference(weight):
    return weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1)


def conv_to_linear_loops(weight):
    d, c, ph, pw = weight.shape
    out = torch.empty(d, ph * pw * c, dtype=torch.float64)
    for i in range(ph):
        for j in range(pw):
            for k in range(c):
                out[:, (i * pw + j) * c + k] = weight[:, k, i, j]
    return out


@pytest.mark.parametrize(
    "answer",
    [
        conv_to_linear_reference,
        lambda weight: rearrange(weight, "d c p1 p2 -> d (p1 p2 c)"),
        conv_to_linear_loops,
        lambda weight: torch.einsum("dcij->dijc", weight).flatten(1),
        lambda weight: weight.double().permute(0, 2, 3, 1).reshape(weight.shape[0], -1),  # float64: exact
        lambda weight: weight.numpy().transpose(0, 2, 3, 1).reshape(weight.shape[0], -1),  # a numpy array passes
    ],
)
def test_conv_to_linear_accepts_the_reference(answer, capsys):
    check_conv_to_linear(answer)
    assert "Correct!" in capsys.readouterr().out


def zeroes_the_kernel(weight):
    out = weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1).clone()
    weight.zero_()  # the right weight, but the given kernel is wiped
    return out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda weight: weight.reshape(weight.shape[0], -1), "nn.Unfold's layout"),  # the missing permute
        (lambda weight: weight.flatten(1), "nn.Unfold's layout"),
        (lambda weight: weight.permute(0, 3, 2, 1).reshape(weight.shape[0], -1), r"\(pw, ph, c\)"),
        (lambda weight: weight.permute(0, 2, 3, 1), "out_features, in_features"),  # no flatten
        (lambda weight: weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1).T, "out_features, in_features"),
        (lambda weight: weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1) * 2, "different values"),
        (lambda weight: weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1) + 1e-3, "different values"),
        (lambda weight: weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1).round(decimals=1), "different values"),
        (lambda weight: weight.half().reshape(weight.shape[0], -1), "nn.Unfold's layout"),  # float16, wrong order
        (lambda weight: weight.half().permute(0, 2, 3, 1).reshape(weight.shape[0], -1), "float16 but the kernel is"),
        (lambda weight: weight.to(torch.bfloat16).permute(0, 2, 3, 1).flatten(1), "bfloat16 but the kernel is"),
        (lambda weight: weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1).long(), "a narrower dtype"),
        (lambda weight: weight.permute(0, 2, 1, 3).reshape(weight.shape[0], -1), r"\(ph, c, pw\) order, \(p1 c p2\)"),
        (lambda weight: weight.permute(0, 2, 1, 3).flatten(1).double(), r"\(p1 c p2\)"),  # wider dtype, same slip
        (lambda weight: weight.tolist(), "return a tensor, not a list"),
        (lambda weight: weight.numpy().transpose(0, 2, 3, 1).reshape(weight.shape[0], -1).tolist(), "not a list"),
        (lambda weight: "weight", "return a torch.Tensor"),
        (lambda weight: weight.permute(0, 1, 3, 2).reshape(weight.shape[0], -1), r"\(c, pw, ph\)"),
        (lambda weight: weight.permute(0, 2, 3, 1).reshape(-1, weight.shape[0]), "out_features, in_features"),
        (lambda weight: weight.sum(1).reshape(weight.shape[0], -1), "out_features, in_features"),
        (zeroes_the_kernel, "changed the kernel"),
        (lambda weight: weight.zero_().reshape(weight.shape[0], -1), "changed the kernel"),
    ],
)
def test_conv_to_linear_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_conv_to_linear(wrong)


# ----------------------------------------------------------------------------- positions on a new grid


def resize_reference(pos, old_grid, new_grid):
    (rows, cols), (new_rows, new_cols) = old_grid, new_grid
    dim = pos.shape[-1]
    image = pos[:, 1:].reshape(1, rows, cols, dim).permute(0, 3, 1, 2)  # (1, D, rows, cols)
    resized = F.interpolate(image, size=(new_rows, new_cols), mode="bilinear", align_corners=False)
    return torch.cat([pos[:, :1], resized.permute(0, 2, 3, 1).reshape(1, new_rows * new_cols, dim)], dim=1)


def _source(out_size, in_size):
    """Where output pixel i reads from (align_corners=False), as torch clamps it: index and weight."""
    for i in range(out_size):
        x = max((i + 0.5) * in_size / out_size - 0.5, 0.0)
        low = min(int(np.floor(x)), in_size - 1)
        yield low, min(low + 1, in_size - 1), x - low


def resize_loops(pos, old_grid, new_grid):  # bilinear by hand, float64, loops
    (rows, cols), (new_rows, new_cols) = old_grid, new_grid
    grid = pos[0, 1:].double().reshape(rows, cols, -1)
    out = [pos[0, 0].double()]
    for r0, r1, a in _source(new_rows, rows):
        for c0, c1, b in _source(new_cols, cols):
            top = (1 - b) * grid[r0, c0] + b * grid[r0, c1]
            bottom = (1 - b) * grid[r1, c0] + b * grid[r1, c1]
            out.append((1 - a) * top + a * bottom)
    return torch.stack(out).unsqueeze(0)


def resize_numpy(pos, old_grid, new_grid):  # numpy: two 1-D linear maps as matrices
    (rows, cols), (new_rows, new_cols) = old_grid, new_grid
    table = pos[0].numpy()

    def matrix(out_size, in_size):
        weights = np.zeros((out_size, in_size))
        for i, (low, high, a) in enumerate(_source(out_size, in_size)):
            weights[i, low] += 1 - a
            weights[i, high] += a
        return weights

    grid = table[1:].reshape(rows, cols, -1)
    resized = np.einsum("ir,rcd,jc->ijd", matrix(new_rows, rows), grid, matrix(new_cols, cols))
    return np.concatenate([table[:1], resized.reshape(new_rows * new_cols, -1)])[None]


def resize_einops_float64(pos, old_grid, new_grid):
    (rows, cols), new = old_grid, new_grid
    image = rearrange(pos[:, 1:].double(), "b (h w) d -> b d h w", h=rows, w=cols)
    resized = F.interpolate(image, size=tuple(new), mode="bilinear", align_corners=False, antialias=False)
    return torch.cat([pos[:, :1].double(), rearrange(resized, "b d h w -> b (h w) d")], dim=1)


@pytest.mark.parametrize("answer", [resize_reference, resize_loops, resize_einops_float64, resize_numpy])
def test_interpolate_positions_accepts_answers_written_differently(answer, capsys):
    check_interpolate_positions(answer)
    assert "Correct!" in capsys.readouterr().out


def _patch_rows(resize):
    """An answer that keeps the class token's row and resizes the patch rows with ``resize(table, old, new)``."""
    return lambda pos, old, new: torch.cat([pos[:, :1], resize(pos[:, 1:], old, new)], dim=1)


def _bilinear(**options):
    def resize(table, old, new):
        image = table.reshape(1, *old, -1).permute(0, 3, 1, 2)
        out = F.interpolate(image, size=tuple(new), **{"mode": "bilinear", "align_corners": False, **options})
        return out.permute(0, 2, 3, 1).reshape(1, -1, table.shape[-1])

    return resize


def no_permute(table, old, new):
    image = table.reshape(1, table.shape[-1], *old)
    return F.interpolate(image, size=tuple(new), mode="bilinear").reshape(1, -1, table.shape[-1])


def read_back_without_permute(table, old, new):
    image = table.reshape(1, *old, -1).permute(0, 3, 1, 2)  # laid out right
    return F.interpolate(image, size=tuple(new), mode="bilinear").reshape(1, -1, table.shape[-1])  # read back wrong


def read_back_column_by_column(table, old, new):
    image = table.reshape(1, *old, -1).permute(0, 3, 1, 2)
    return F.interpolate(image, size=tuple(new), mode="bilinear").permute(0, 3, 2, 1).reshape(1, -1, table.shape[-1])


def stretch_1d(table, old, new):
    return F.interpolate(table.transpose(1, 2), size=new[0] * new[1], mode="linear").transpose(1, 2)


def rows_cols_swapped(table, old, new):
    return _bilinear()(table, old[::-1], new[::-1])


def class_row_dropped(pos, old, new):
    return _bilinear()(pos[:, 1:], old, new)


def class_row_in_the_grid(pos, old, new):
    return torch.cat([pos[:, :1], _bilinear()(pos[:, : old[0] * old[1]], old, new)], dim=1)


def class_row_scaled(pos, old, new):
    return torch.cat([2 * pos[:, :1], _bilinear()(pos[:, 1:], old, new)], dim=1)


def changes_the_table(pos, old, new):
    out = resize_reference(pos, old, new)
    pos.zero_()
    return out


def raises(pos, old, new):
    return torch.cat([pos, pos[0]], dim=1)  # 3-D and 2-D: RuntimeError


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_patch_rows(no_permute), "without a permute"),
        (_patch_rows(stretch_1d), "along the sequence"),
        (_patch_rows(read_back_without_permute), "read the resized .* back with a reshape and no permute"),
        (_patch_rows(read_back_column_by_column), "column by column"),
        (lambda pos, old, new: stretch_1d(pos, old, (1, new[0] * new[1] + 1)), "along the sequence"),  # whole table
        (_patch_rows(rows_cols_swapped), "rows and columns are swapped"),
        (_patch_rows(lambda t, old, new: _bilinear()(t, old, new[::-1])), "rows and columns are swapped"),
        (_patch_rows(_bilinear(align_corners=True)), "align_corners=True"),
        (_patch_rows(_bilinear(mode="bicubic")), "bicubic"),
        (_patch_rows(_bilinear(antialias=True)), "antialias=True"),
        (_patch_rows(lambda t, old, new: _bilinear(mode="nearest", align_corners=None)(t, old, new)), "mode='nearest'"),
        # area equals align_corners=True from 3x3 to 5x5: the checker must still name area
        (_patch_rows(lambda t, old, new: _bilinear(mode="area", align_corners=None)(t, old, new)), "mode='area'"),
        (
            _patch_rows(lambda t, old, new: _bilinear(mode="nearest-exact", align_corners=None)(t, old, new)),
            "mode='nearest-exact'",
        ),
        (class_row_dropped, "no class-token row"),
        (class_row_in_the_grid, "starts with the class token's row"),
        (class_row_scaled, "class token's row changed"),
        (lambda pos, old, new: torch.cat([_bilinear()(pos[:, 1:], old, new), pos[:, :1]], dim=1), "stay in front"),
        (lambda pos, old, new: resize_reference(pos, old, new)[0], "batch axis"),
        (_patch_rows(lambda t, old, new: _bilinear()(t, old, new) + 0.01), "differ from a 2-D bilinear resize"),
        (changes_the_table, "changed the table"),
        (lambda pos, old, new: pos.clone(), "takes new_grid first"),  # not resized: names the argument order
        (raises, "raised RuntimeError"),
        (lambda pos, new, old: resize_reference(pos, old, new), "grids swapped it runs"),  # the package's order
        (lambda pos, old, new: interpolate_positions(pos, new, old, mode="bilinear", antialias=False), "yourself"),
        (lambda pos, old, new: "table", "return a tensor"),
        (lambda pos, old, new: resize_numpy(pos, old, new).tolist(), "return a tensor, not a list"),
        (lambda pos, old, new: torch.nn.Linear(2, 2), "torch.nn.Linear"),
        (lambda pos, old, new: resize_reference(pos, old, new).half(), r"torch.float16 .*\.half\(\)"),
        (lambda pos, old, new: resize_reference(pos, old, new).bfloat16(), "a narrower dtype"),
        (lambda pos, old, new: resize_reference(pos, old, new).long(), "a narrower dtype"),
    ],
)
def test_interpolate_positions_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_interpolate_positions(wrong)


# ----------------------------------------------------------------------------- stubs and misuse


def stub(*args):
    raise NotImplementedError("your code here")


@pytest.mark.parametrize(
    "checker", [check_token_count, check_patchify, check_conv_to_linear, check_interpolate_positions]
)
def test_unfilled_stub_is_not_attempted(checker):
    with pytest.raises(ExerciseNotAttempted, match="not done yet"):
        checker(stub)


@pytest.mark.parametrize(
    "checker", [check_token_count, check_patchify, check_conv_to_linear, check_interpolate_positions]
)
def test_passing_a_result_instead_of_the_function(checker):
    with pytest.raises(ExerciseFailed, match="pass your function itself"):
        checker(197)


def test_r27a_a_numpy_patchify_passes_with_exercise_4s_note(capsys):
    """r27a nit: exercises 3 and 4 treat a numpy answer alike: it passes, with the same 'stay in torch' note."""
    check_patchify(patchify_numpy)
    said = capsys.readouterr().out
    assert said.startswith("Correct!") and "It returns numpy; the stub says torch.Tensor" in said
    check_patchify(patchify_reference)
    assert "numpy" not in capsys.readouterr().out


# ----------------------------------------------------------------------------- a returned list: advice that works


def patchify_per_image(images, patch_size):  # one (N, P) tensor per image, never stacked
    return [patchify_reference(images[i : i + 1], patch_size)[0] for i in range(images.shape[0])]


def patchify_per_patch(images, patch_size):  # patchify_loops without its final stack: N pieces of (B, P)
    return list(patchify_reference(images, patch_size).unbind(dim=1))


def patchify_per_image_per_patch(images, patch_size):  # a list (images) of lists (patches) of (P,) tensors
    return [list(rows.unbind(0)) for rows in patchify_per_image(images, patch_size)]


@pytest.mark.parametrize(
    ("listed", "advice", "fixed"),
    [
        (patchify_per_image, r"torch\.stack\(pieces, dim=\.\.\.\)", lambda pieces: torch.stack(pieces, dim=0)),
        (patchify_per_patch, r"torch\.stack\(pieces, dim=\.\.\.\)", lambda pieces: torch.stack(pieces, dim=1)),
        (
            patchify_per_image_per_patch,
            r"torch\.stack\(\[torch\.stack\(row\) for row in \.\.\.\]\)",
            lambda pieces: torch.stack([torch.stack(row) for row in pieces]),
        ),
        (lambda images, patch_size: patchify_numpy(images, patch_size).tolist(), "torch.as_tensor", torch.as_tensor),
    ],
)
def test_exercise_3_a_returned_list_gets_advice_that_passes_when_followed(listed, advice, fixed, capsys):
    """A list of tensors is told to torch.stack (torch.as_tensor raises on it); a list of numbers keeps
    torch.as_tensor. Each advised fix, applied to the same list, passes the checker."""
    with pytest.raises(ExerciseFailed, match=advice) as failed:
        check_patchify(listed)
    if advice != "torch.as_tensor":
        assert "as_tensor" not in str(failed.value)
        with pytest.raises(ValueError, match="only one element tensors"):  # the advice it replaces would raise
            torch.as_tensor(listed(torch.zeros(2, 3, 8, 8), (4, 4)))
    check_patchify(lambda images, patch_size: fixed(listed(images, patch_size)))
    assert capsys.readouterr().out.startswith("Correct!")


def _z0(tokens, class_token, positions):
    return torch.cat([class_token.expand(tokens.shape[0], -1, -1), tokens], dim=1) + positions


def z0_per_image(tokens, class_token, positions):  # one (N + 1, D) z0 per image
    return [torch.cat([class_token[0], tokens[b]]) + positions[0] for b in range(tokens.shape[0])]


def z0_per_image_batched(tokens, class_token, positions):  # one (1, N + 1, D) z0 per image
    return [_z0(tokens[b : b + 1], class_token, positions) for b in range(tokens.shape[0])]


@pytest.mark.parametrize(
    ("listed", "advice", "fixed"),
    [
        (z0_per_image, r"stack the images with torch\.stack\(\.\.\., dim=0\)", lambda z: torch.stack(z, dim=0)),
        (z0_per_image_batched, r"join the images with torch\.cat\(\.\.\., dim=0\)", lambda z: torch.cat(z, dim=0)),
    ],
)
def test_exercise_2_a_per_image_list_is_told_to_stack_the_images(listed, advice, fixed, capsys):
    """One z0 per image is told to join the images along the batch axis (not to cat class token and patch tokens
    along dim 1); "1 piece", not "1 pieces"; the advised fix passes."""
    with pytest.raises(ExerciseFailed, match=advice) as failed:
        check_build_z0(listed)
    message = str(failed.value)
    assert "a list of 1 piece," in message and "pieces" not in message and "dim=1" not in message
    check_build_z0(lambda *inputs: fixed(listed(*inputs)))
    assert capsys.readouterr().out.startswith("Correct!")


def test_exercise_2_a_list_of_parts_keeps_the_cat_advice():
    with pytest.raises(ExerciseFailed, match=r"a list of 2 pieces; .*torch\.cat\(\.\.\., dim=1\), then add the table"):
        check_build_z0(lambda t, c, p: [c.expand(t.shape[0], -1, -1), t + p[:, 1:]])


# fix01_34a (r34a minor 6): a patch size written into the code (not the lesson's 16) is named, not left to torch's error
def patch_size_fixed_at_4(images, patch_size):
    ph = pw = 4  # the slip: the first cases' patch size, not read from patch_size
    b, c, h, w = images.shape
    grid = images.reshape(b, c, h // ph, ph, w // pw, pw).permute(0, 2, 4, 3, 5, 1)
    return grid.reshape(b, (h // ph) * (w // pw), ph * pw * c)


def test_patchify_names_a_fixed_patch_size():
    with pytest.raises(ExerciseFailed, match=r"the patch size \(4x4 works, 3x3 does not\)\. It looks hard-coded"):
        check_patchify(patch_size_fixed_at_4)


# a34a audit item 5: a patch size that fails the first case (no case passed yet) is named too
def patch_size_fixed_at_3(images, patch_size):
    ph = pw = 3  # the slip: a patch size written into the code, wrong from the first case
    b, c, h, w = images.shape
    grid = images.reshape(b, c, h // ph, ph, w // pw, pw).permute(0, 2, 4, 3, 5, 1)
    return grid.reshape(b, (h // ph) * (w // pw), ph * pw * c)


def test_patchify_names_a_fixed_patch_size_before_any_case_passed():
    with pytest.raises(ExerciseFailed, match=r"the patch size \(3x3 works, 4x4 does not\)\. It looks hard-coded"):
        check_patchify(patch_size_fixed_at_3)


# fix01_35a (r34e minor 7): a wrong class-token row is named as row 0; patch rows all wrong with row 0 right, too
@pytest.mark.parametrize(
    "answer",
    [
        lambda t, c, p: torch.cat([torch.zeros_like(c).expand(t.shape[0], -1, -1), t], dim=1) + p,  # zeros for c
        lambda t, c, p: torch.cat([t.mean(dim=1, keepdim=True), t], dim=1) + p,  # the mean patch token for c
    ],
    ids=["zeros", "mean-patch"],
)
def test_exercise_2_names_a_wrong_class_token_row(answer):
    with pytest.raises(ExerciseFailed, match=r": row 0 \(the class token\) differs .*use the class_token you were"):
        check_build_z0(answer)


def test_exercise_2_names_patch_rows_wrong_when_row_0_is_right():
    def class_token_on_every_patch(tokens, class_token, pos_embedding):
        front = class_token.expand(tokens.shape[0], -1, -1)
        return torch.cat([front, tokens + class_token], dim=1) + pos_embedding

    with pytest.raises(ExerciseFailed, match=r": row 0 \(the class token\) is right, but every patch row differs"):
        check_build_z0(class_token_on_every_patch)


# ------------------------------------------------------------------ r35a minor 6: messages that name the slip


def _patchify_channels_last(images, patch_size):
    ph, pw = patch_size
    b, h, w, c = images.shape  # the channels-last habit
    return images.reshape(b, h // ph, ph, w // pw, pw, c).permute(0, 1, 3, 2, 4, 5).reshape(b, -1, ph * pw * c)


def _patchify_int_patch(images, patch_size):
    b, c, h, w = images.shape
    p = patch_size  # used as an int
    return images.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 3, 5, 1).reshape(b, -1, p * p * c)


def _z0_reference(tokens, class_token, pos_embedding):
    return torch.cat([class_token.expand(tokens.shape[0], -1, -1), tokens], dim=1) + pos_embedding


def _resize_reference(pos, old, new):
    (rows, cols), (new_rows, new_cols) = old, new
    grid = pos[:, 1:].reshape(1, rows, cols, -1).permute(0, 3, 1, 2)
    out = F.interpolate(grid, size=(new_rows, new_cols), mode="bilinear", align_corners=False)
    return torch.cat([pos[:, :1], out.permute(0, 2, 3, 1).reshape(1, new_rows * new_cols, -1)], dim=1)


@pytest.mark.parametrize(
    ("checker", "wrong", "message"),
    [
        (check_patchify, _patchify_channels_last, r"Check how you unpack images.shape: it is \(B, C, H, W\)"),
        (check_patchify, _patchify_int_patch, r"patch_size is a tuple \(ph, pw\), not an int"),
        (check_build_z0, lambda t, c, p: (_z0_reference(t, c, p),), r"return a tensor, not a tuple; return the tensor"),
        (
            check_build_z0,
            lambda t, c, p: torch.cat([c.expand(t.shape[0], -1, -1), t], dim=0) + p,
            r"along dim 0, the batch axis: .* dim 1",
        ),
        (
            check_interpolate_positions,
            lambda p, o, n: _resize_reference(p, o, (5, 5)),
            r"the new grid looks written into your code",
        ),
    ],
)
def test_r35a_each_slip_gets_its_own_message(checker, wrong, message):
    """r35a minor 6: channels-last unpacking, an int patch_size, a 1-tuple, the cat axis and a hard-coded new grid
    are each named, not mistaken for another slip."""
    with pytest.raises(ExerciseFailed, match=message) as caught:
        checker(wrong)
    assert "square-grid slip" not in str(caught.value) and "16, 224, 768" not in str(caught.value)


def test_r35a_a_square_grid_is_still_named_as_one():
    """The square-grid slip keeps its message when the output's grid follows new_grid."""
    with pytest.raises(ExerciseFailed, match="a square-grid slip"):
        check_interpolate_positions(
            lambda p, o, n: _resize_reference(p, (o[0], o[0]) if o[0] == o[1] else o, (n[0], n[0]))
        )


# ------------------------------------------------------------------ a35b audit items 2-3: each message on its own slip


def _patchify_true_division(images, patch_size):
    ph, pw = patch_size
    b, c, h, w = images.shape
    return images.reshape(b, c, h / ph, ph, w / pw, pw).permute(0, 2, 4, 3, 5, 1).reshape(b, -1, ph * pw * c)


def _patchify_unflattened(images, patch_size):
    ph, pw = patch_size
    b, c, h, w = images.shape  # the right unpacking; the slip is the missing flatten
    out = images.new_empty(b, (h // ph) * (w // pw), ph * pw * c)
    out[:] = images.reshape(b, c, h // ph, ph, w // pw, pw).permute(0, 2, 4, 3, 5, 1)
    return out


def _kernel_unflattened(weight):
    d, c, ph, pw = weight.shape  # the right unpacking; the slip is the missing flatten
    out = weight.new_zeros(d, ph * pw * c)
    out[:] = weight.permute(0, 2, 3, 1)
    return out


def _kernel_channels_last_loop(weight):
    d, ph, pw, c = weight.shape  # the channels-last habit, in a loop answer
    out = weight.new_empty(d, ph * pw * c)
    for i in range(ph):
        for j in range(pw):
            for k in range(c):
                out[:, (i * pw + j) * c + k] = weight[:, k, i, j]
    return out


@pytest.mark.parametrize(
    ("checker", "wrong", "message", "not_named"),
    [
        (check_patchify, _patchify_true_division, r"a float size: h / ph gives a float; use h // ph", "not an int"),
        (check_patchify, _patchify_unflattened, r"print each intermediate tensor's shape", "Check how you unpack"),
        (check_conv_to_linear, _kernel_unflattened, r"print each intermediate tensor's shape", "Check how you unpack"),
        (check_conv_to_linear, _kernel_channels_last_loop, r"Check how you unpack weight.shape", "intermediate"),
        (check_patchify, _patchify_channels_last, r"Check how you unpack images.shape", "intermediate"),
        (check_patchify, _patchify_int_patch, r"patch_size is a tuple \(ph, pw\), not an int", "a float size"),
    ],
)
def test_a35b_each_message_fires_only_on_its_slip(checker, wrong, message, not_named):
    """a35b audit items 2-3: `/` for `//` (patch_size unpacked) is not the tuple slip; a missing flatten after a right
    unpacking is not an unpacking slip; the slips those messages name still get them."""
    with pytest.raises(ExerciseFailed, match=message) as caught:
        checker(wrong)
    assert not_named not in str(caught.value) and "16, 224, 768" not in str(caught.value)
