"""Lesson 07's checkers accept the reference answers and reject plausible wrong ones, saying why.

The references are written independently of the package: the token count from convolutions run
on empty (meta) images, the reconstruction from indexing, the attention from
F.scaled_dot_product_attention.
"""

import math
import re

import pytest
import torch
import torch.nn.functional as F

from vit_explained import T2T_SPLITS, Tokens2Token
from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises.lesson07 import check_fold_tokens, check_t2t_token_count, check_token_attention

# ----------------------------------------------------------------------------- token count


def count_reference(height, width):
    for kernel, stride, padding in T2T_SPLITS:
        height = (height + 2 * padding - kernel) // stride + 1
        width = (width + 2 * padding - kernel) // stride + 1
    return height * width


def count_by_conv(height, width):
    """Slide each split's window as a convolution over an empty (meta) image: its output is the token grid."""
    image = torch.empty(1, 1, height, width, device="meta")
    for kernel, stride, padding in T2T_SPLITS:
        weight = torch.empty(1, 1, kernel, kernel, device="meta")
        image = F.conv2d(image, weight, stride=stride, padding=padding)  # (1, 1, rows, cols)
    return image.shape[-2] * image.shape[-1]


def test_the_reference_count_matches_unfold_and_the_module():
    for height, width in [(400, 100), (224, 224), (225, 225), (97, 61), (33, 50)]:
        assert count_reference(height, width) == count_by_conv(height, width)
    assert count_reference(400, 100) == Tokens2Token((400, 100), 1).num_tokens == 175


@pytest.mark.parametrize("answer", [count_reference, count_by_conv, lambda h, w: torch.tensor(count_reference(h, w))])
def test_token_count_accepts_the_reference(answer, capsys):
    check_t2t_token_count(answer)
    assert "Correct!" in capsys.readouterr().out


def no_padding(height, width):
    for kernel, stride, _ in T2T_SPLITS:
        height, width = (height - kernel) // stride + 1, (width - kernel) // stride + 1
    return height * width


def ceil_size_over_stride(height, width):
    for _, stride, _ in T2T_SPLITS:
        height, width = math.ceil(height / stride), math.ceil(width / stride)
    return height * width


def first_split_only(height, width):
    kernel, stride, padding = T2T_SPLITS[0]
    return ((height + 2 * padding - kernel) // stride + 1) * ((width + 2 * padding - kernel) // stride + 1)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        # review r33a minor 4 (brief fix07_33a item 4): ViT's count is named first in its message
        (lambda h, w: (h // 16) * (w // 16), r"image you return \d+: that is ViT's count for 16x16 patches"),
        # review r31b minor 3 (brief fix07v item 3): floor at the (3, 2, 1) splits is named as their padding's
        (
            lambda h, w: ((h + 1) // 4 // 2 // 2) * ((w + 1) // 4 // 2 // 2),
            r"at the \(3, 2, 1\) splits you rounded down.*Their padding of 1 at both ends makes each of them ceil",
        ),
        # review r32a minor 8 (brief fix07y item 4): round() at every split is named as rounding to nearest
        (
            lambda h, w: round(round(round((h + 1) / 4) / 2) / 2) * round(round(round((w + 1) / 4) / 2) / 2),
            r"at the \(3, 2, 1\) splits you rounded down or to nearest, not up",
        ),
        (lambda h, w: math.ceil(h / 16) * math.ceil(w / 16), "rounded up"),  # right for 400x100, not for 225
        # review r27d minor 1: section 1's ceil(size / 2) carried to split 1 is named as such
        (ceil_size_over_stride, r"ceil\(size / stride\) at every split.*not for \(7, 4, 2\): there it is floor"),
        (no_padding, r"either the padding or the \+ 1 is missing"),
        (first_split_only, "after soft split 1"),
        (lambda h, w: count_reference(h, w) + 1, "class token"),
        (lambda h, w: count_reference(w, w), "assumes a square image"),  # the width used twice
        (lambda h, w: (h // 16, w // 16), "pair"),
        (lambda h, w: (h // 16) ** 2, r"the original code's square-image count \(img_size // 16\) \*\* 2"),
        (lambda h, w: (w // 16) ** 2, r"the original code's square-image count \(img_size // 16\) \*\* 2"),
        (lambda h, w: h * w / 256, "whole number"),
        # review r29d minor 7: rows only (25 for 400x100), or columns only
        (lambda h, w: count_reference(h, 16), "that is the row count alone; multiply by the columns"),
        (lambda h, w: count_reference(16, w), "that is the column count alone; multiply by the rows"),
    ],
)
def test_token_count_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_t2t_token_count(wrong)


# ----------------------------------------------------------------------------- reconstruction


def fold_reference(tokens, rows, cols):
    """Pixel (r, c) of every channel is token r * cols + c, by explicit indexing."""
    batch, _, channels = tokens.shape
    image = torch.empty(batch, channels, rows, cols, dtype=tokens.dtype)
    for r in range(rows):
        for c in range(cols):
            image[:, :, r, c] = tokens[:, r * cols + c, :]
    return image


def fold_einops(tokens, rows, cols):
    from einops import rearrange

    return rearrange(tokens, "b (r c) d -> b d r c", r=rows, c=cols)


@pytest.mark.parametrize("answer", [fold_reference, fold_einops])
def test_fold_accepts_the_reference(answer, capsys):
    check_fold_tokens(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda t, r, c: t.reshape(t.shape[0], t.shape[2], r, c), "reshaped .* straight"),
        (lambda t, r, c: t.transpose(1, 2).reshape(t.shape[0], t.shape[2], c, r), "rows and cols are swapped"),
        (
            lambda t, r, c: t.transpose(1, 2).reshape(t.shape[0], t.shape[2], c, r).transpose(2, 3),
            "column by column",
        ),
        (lambda t, r, c: t.reshape(t.shape[0], r, c, t.shape[2]), r"channels last: permute to \(B, C, rows, cols\)"),
        (lambda t, r, c: t.transpose(1, 2).reshape(t.shape[0], t.shape[2], r, c).flip(-1), "values are not"),
        (lambda t, r, c: {"image": t}, "return a torch.Tensor"),
    ],
)
def test_fold_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_fold_tokens(wrong)


def test_fold_names_nn_fold_with_a_kernel():  # review r33a (brief fix07_33a item 3): a reshape, not nn.Fold
    for kernel, stride in ((3, 2), (3, 1), (2, 2)):
        with pytest.raises(ExerciseFailed, match=r"you used F.fold \(nn.Fold\) with a k x k kernel"):
            check_fold_tokens(
                lambda t, rows, cols, k=kernel, s=stride: F.fold(
                    t.transpose(1, 2), (rows, cols), k, stride=s, padding=1
                )
            )


# ----------------------------------------------------------------------------- token attention


def attention_reference(tokens, qkv, proj):
    """T2T's token attention via torch's fused kernel, with the original code's scale."""
    token_dim = proj.out_features
    q, k, v = qkv(tokens).split(token_dim, dim=-1)
    out = F.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5)
    return v + proj(out)


def attention_by_hand(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(tokens.shape[-1]), dim=-1)
    return v + proj(weights @ v)


@pytest.mark.parametrize("answer", [attention_reference, attention_by_hand])
def test_token_attention_accepts_the_reference(answer, capsys):
    check_token_attention(answer)
    assert "Correct!" in capsys.readouterr().out


def _parts(tokens, qkv, proj):
    return qkv(tokens).split(proj.out_features, dim=-1)


def scale_by_token_dim(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(F.scaled_dot_product_attention(q, k, v))  # default scale: 1/sqrt(token_dim)


def skip_through_x(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return tokens + proj(F.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5))


def skip_through_x_when_it_fits(tokens, qkv, proj):
    """Adds x where the widths match, v elsewhere: caught on the case where dim == token_dim."""
    q, k, v = _parts(tokens, qkv, proj)
    skip = tokens if tokens.shape[-1] == v.shape[-1] else v
    return skip + proj(F.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5))


def double_skip(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return tokens + v + proj(F.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5))


def skip_added_twice(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(F.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5)) + v


def test_token_attention_checker_leaves_the_global_rng_alone():  # review r33a minor 3 (brief fix07_33a item 4)
    torch.manual_seed(0)
    before = torch.get_rng_state()
    check_token_attention(attention_reference)
    assert torch.equal(before, torch.get_rng_state())


def double_skip_when_it_fits(tokens, qkv, proj):
    """x + v where the widths match, v alone elsewhere: caught on the case where dim == token_dim."""
    q, k, v = _parts(tokens, qkv, proj)
    skip = tokens + v if tokens.shape[-1] == v.shape[-1] else v
    return skip + proj(F.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5))


def no_skip(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return proj(F.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5))


def x_skip_only_where_it_fits(tokens, qkv, proj):
    """Adds x where the widths match and no skip elsewhere (review r29d minor 8): caught on the first case."""
    q, k, v = _parts(tokens, qkv, proj)
    out = proj(F.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5))
    return tokens + out if tokens.shape[-1] == out.shape[-1] else out


def no_proj(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + F.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5)


def softmax_over_queries(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    weights = torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-2)
    return v + proj(weights @ v)


def q_and_k_swapped_with_v(tokens, qkv, proj):
    v, k, q = _parts(tokens, qkv, proj)
    return v + proj(F.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5))


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (scale_by_token_dim, "1/sqrt\\(token_dim\\)"),
        (skip_through_x, "cannot be added"),
        (skip_through_x_when_it_fits, "added the input tokens"),
        (skip_added_twice, "the skip is added twice"),  # review r33a minor 5
        (double_skip, r"on top of it \(x \+ v \+ proj\(...\), a second skip\)"),
        (double_skip_when_it_fits, r"the input tokens \*and\* v: two skip connections"),
        (no_skip, "skip connection is missing"),
        (x_skip_only_where_it_fits, "you added x; T2T adds v"),  # review r29d minor 8
        (no_proj, "left out proj"),
        (softmax_over_queries, "over the keys"),
        (q_and_k_swapped_with_v, "as v, k, q, the reverse order"),
        (lambda t, qkv, proj: qkv(t), "expected shape"),
    ],
)
def test_token_attention_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_token_attention(wrong)


# ----------------------------------------------------------------------------- unattempted stubs


@pytest.mark.parametrize("checker", [check_t2t_token_count, check_fold_tokens, check_token_attention])
def test_an_unfilled_stub_says_so(checker):
    def stub(*args):
        raise NotImplementedError("your code here")

    with pytest.raises(ExerciseNotAttempted):
        checker(stub)


def test_a_count_that_forgets_return_is_told_as_in_exercise_1():  # review r27f minor 10
    def no_return(height, width):
        (height + 1) // 4  # computed, never returned

    with pytest.raises(ExerciseFailed, match=r"returned None: did your function forget `return`\? Return the number"):
        check_t2t_token_count(no_return)


def _reference_count(height, width):
    for kernel, stride, padding in T2T_SPLITS:
        height, width = (height + 2 * padding - kernel) // stride + 1, (width + 2 * padding - kernel) // stride + 1
    return height * width


def test_exercise_4_adds_two_random_sizes_so_a_lookup_table_fails(capsys):  # review r34a minor 6
    from vit_explained.exercises.lesson07 import TOKEN_COUNT_CASES, _random_sizes

    draws = [_random_sizes(50) for _ in range(2)]
    assert draws[0] != draws[1]  # drawn afresh on every call
    assert all(h != w and (h, w) not in TOKEN_COUNT_CASES and 32 <= min(h, w) <= max(h, w) <= 512 for h, w in draws[0])
    table = {size: _reference_count(*size) for size in TOKEN_COUNT_CASES}
    for _ in range(5):  # the fixed sizes' answers alone fail on every call, with the message that names the lookup
        with pytest.raises(ExerciseFailed, match=r"right on the 8 fixed sizes but gives -1 for a \d+x\d+ image, drawn"):
            check_t2t_token_count(lambda height, width: table.get((height, width), -1))
        with pytest.raises(ExerciseFailed, match=r"raised KeyError"):  # a plain dict lookup: the missing size named
            check_t2t_token_count(lambda height, width: table[height, width])
    for _ in range(5):  # right answers pass every call
        check_t2t_token_count(_reference_count)
        assert "on 10 image sizes (two drawn at random)" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match="fixed number"):  # a wrong count stays named as before
        check_t2t_token_count(lambda height, width: 196)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda h, w: ((h + 1) // 4 // 2 // 2) * ((w + 1) // 4 // 2 // 2),
        lambda h, w: round(round(round((h + 1) / 4) / 2) / 2) * round(round(round((w + 1) / 4) / 2) / 2),
        lambda h, w: math.prod(round(round(((x + 1) // 4) / 2) / 2) for x in (h, w)),
    ],
)
def test_exercise_4_names_a_slip_from_the_fixed_sizes_only(wrong):  # audit a34a item 3
    messages = set()
    for _ in range(10):  # the random sizes decide the verdict, not the message: the same one on every call
        with pytest.raises(ExerciseFailed) as failure:
            check_t2t_token_count(wrong)
        messages.add(str(failure.value))
    assert len(messages) == 1 and "and at the (7, 4, 2) split round down: (H + 1) // 4" in messages.pop()
    # following the message (floor at (7, 4, 2), ceil at (3, 2, 1)) passes
    check_t2t_token_count(lambda h, w: math.prod(math.ceil(math.ceil((x + 1) // 4 / 2) / 2) for x in (h, w)))


# ----------------------------------------------------------------------------- bank: more right and wrong answers

import numpy as np  # noqa: E402
from torch import nn  # noqa: E402

from vit_explained import TokenAttention, t2t_chain  # noqa: E402
from vit_explained.soft_split import tokens_to_image  # noqa: E402


def count_with_ranges(height, width):  # count the window positions one by one
    for kernel, stride, padding in T2T_SPLITS:
        height = len(range(0, height + 2 * padding - kernel + 1, stride))
        width = len(range(0, width + 2 * padding - kernel + 1, stride))
    return height * width


def count_with_floor(height, width):  # true division and math.floor, a float whole number
    sides = [float(height), float(width)]
    for kernel, stride, padding in T2T_SPLITS:
        sides = [math.floor((side + 2 * padding - kernel) / stride) + 1.0 for side in sides]
    return sides[0] * sides[1]


def count_numpy(height, width):
    sides = np.array([height, width])
    for kernel, stride, padding in T2T_SPLITS:
        sides = (sides + 2 * padding - kernel) // stride + 1
    return np.prod(sides)  # a numpy integer


@pytest.mark.parametrize("answer", [count_with_ranges, count_numpy])
def test_token_count_accepts_answers_written_differently(answer, capsys):
    check_t2t_token_count(answer)
    assert "Correct!" in capsys.readouterr().out


def count_with_ceil(height, width):
    for kernel, stride, padding in T2T_SPLITS:
        height = math.ceil((height + 2 * padding - kernel) / stride) + 1
        width = math.ceil((width + 2 * padding - kernel) / stride) + 1
    return height * width


def count_with_round(height, width):
    for kernel, stride, padding in T2T_SPLITS:
        height = round((height + 2 * padding - kernel) / stride) + 1
        width = round((width + 2 * padding - kernel) / stride) + 1
    return height * width


def count_height_twice(height, width):  # a square image assumed: the width never used
    for kernel, stride, padding in T2T_SPLITS:
        height = (height + 2 * padding - kernel) // stride + 1
    return height * height


def count_without_plus_one(height, width):  # the fence-post slip
    for kernel, stride, padding in T2T_SPLITS:
        height, width = (height + 2 * padding - kernel) // stride, (width + 2 * padding - kernel) // stride
    return height * width


def count_padding_one_side(height, width):
    for kernel, stride, padding in T2T_SPLITS:
        height, width = (height + padding - kernel) // stride + 1, (width + padding - kernel) // stride + 1
    return height * width


def count_two_splits(height, width):
    for kernel, stride, padding in T2T_SPLITS[:2]:
        height = (height + 2 * padding - kernel) // stride + 1
        width = (width + 2 * padding - kernel) // stride + 1
    return height * width


def count_padding_first_split_only(height, width):
    for index, (kernel, stride, padding) in enumerate(T2T_SPLITS):
        padding = padding if index == 0 else 0
        height = (height + 2 * padding - kernel) // stride + 1
        width = (width + 2 * padding - kernel) // stride + 1
    return height * width


def count_by_unfold(height, width):
    image = torch.zeros(1, 1, height, width)
    for kernel, stride, padding in T2T_SPLITS:
        columns = F.unfold(image, kernel, padding=padding, stride=stride)
        image = torch.zeros(1, 1, *[(s + 2 * padding - kernel) // stride + 1 for s in image.shape[-2:]])
    return columns.shape[-1]


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda h, w: t2t_chain(h, w, 3)[-1].grid.total, r"the count from the formula yourself; .*t2t_chain"),
        (lambda h, w: Tokens2Token((h, w), 1).num_tokens, "formula yourself"),
        (count_by_unfold, "torch.nn.functional.unfold"),
        (count_with_ceil, r"you rounded up \(ceil\) at each split"),
        (count_with_round, r"you rounded to the nearest whole number \(round\) at each split"),
        (count_height_twice, r"one side's count times itself: your count assumes a square image"),
        (lambda h, w: count_height_twice(w, h), r"assumes a square image \(the height used twice, or the width\)"),
        (count_without_plus_one, r"or the \+ 1 is missing"),  # here the same numbers as forgetting the padding
        (count_padding_one_side, r"added the padding once"),
        (count_padding_first_split_only, r"you padded the first soft split only"),  # review r27c minor 14
        (count_two_splits, "after soft split 2"),
        (lambda h, w: str(count_reference(h, w)), "whole number"),
        (lambda h, w: count_reference(h) * w, "raised TypeError"),
    ],
)
def test_token_count_rejects_more(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_t2t_token_count(wrong)


@pytest.mark.parametrize(
    "answer",
    [
        lambda t, r, c: t.permute(0, 2, 1).reshape(t.shape[0], t.shape[2], r, c),
        lambda t, r, c: t.unflatten(1, (r, c)).permute(0, 3, 1, 2),
        lambda t, r, c: F.fold(t.transpose(1, 2), (r, c), kernel_size=1),  # a 1x1 fold
        lambda t, r, c: F.fold(t.double().transpose(1, 2), (r, c), kernel_size=1).float(),  # float64, back to float32
        lambda t, r, c: t.mT.contiguous().view(t.shape[0], -1, r, c),
    ],
)
def test_fold_accepts_answers_written_differently(answer, capsys):
    check_fold_tokens(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda t, r, c: tokens_to_image(t, r, c), "build the reconstruction yourself; .*tokens_to_image"),
        (lambda t, r, c: t.reshape(t.shape[0], r, c, -1).permute(0, 3, 2, 1), "rows and cols are swapped"),
        (lambda t, r, c: t.transpose(1, 2), "expected shape"),  # never split the token axis
        (lambda t, r, c: t.transpose(1, 2).reshape(t.shape[0], t.shape[2], r, c).flip(1), "values are not"),
        (lambda t, r, c: t.reshape(t.shape[0], r, c, -1).transpose(1, 3), "rows and cols are swapped"),
        (lambda t, r, c: t[:, 1:].transpose(1, 2).reshape(t.shape[0], t.shape[2], r, c), "raised RuntimeError"),
        (lambda t, r, c: None, r"you returned None; return the folded image, a \(B, C, rows, cols\) tensor"),
        (  # right numbers, but a numpy array: the next soft split needs a tensor
            lambda t, r, c: t.numpy().transpose(0, 2, 1).reshape(t.shape[0], t.shape[2], r, c),
            "you returned a numpy array; a torch.Tensor is asked",
        ),
        (lambda t, r, c: np.asarray(tokens_to_image(t, r, c)), "build the reconstruction yourself"),
        (  # review r32a minor 9 (brief fix07y item Z): cols hard-coded to the first case's 5
            lambda t, r, c: t.transpose(1, 2).reshape(t.shape[0], t.shape[2], -1, 5),
            r"raised RuntimeError: .*Use the `rows` and `cols` you are given, not a fixed grid size",
        ),
    ],
)
def test_fold_rejects_more(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_fold_tokens(wrong)


def fold_square(tokens, rows, cols):
    """The slip the lesson warns about: a square grid of side sqrt(N), as the original code does."""
    side = int(math.sqrt(tokens.shape[1]))
    return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], side, side)


def fold_square_view_rounded(tokens, rows, cols):
    side = round(tokens.shape[1] ** 0.5)
    return tokens.mT.contiguous().view(tokens.shape[0], -1, side, side)


def fold_square_when_it_fits(tokens, rows, cols):
    """Square only when N is a square number (2 x 8 = 16): runs, and is wrong."""
    side = math.isqrt(tokens.shape[1])
    if side * side == tokens.shape[1]:
        return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], side, side)
    return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (fold_square, r"raised RuntimeError: .*folded the 15 tokens into a square of side sqrt\(N\)"),
        (fold_square_view_rounded, r"raised RuntimeError: .*The grid is rows x cols = 3 x 5, not sqrt\(N\)"),
        (fold_square_when_it_fits, r"on a 2x8 grid you folded the 16 tokens .*not sqrt\(N\) x sqrt\(N\)"),
    ],
)
def test_fold_names_the_square_grid(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_fold_tokens(wrong)


def attention_einsum(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    weights = torch.einsum("bid,bjd->bij", q, k).mul(tokens.shape[-1] ** -0.5).softmax(-1)
    return v + proj(torch.einsum("bij,bjd->bid", weights, v))


def attention_from_weights_float64(tokens, qkv, proj):  # the Linear layers by hand, in float64, converted back
    x = tokens.double()
    q, k, v = (x @ qkv.weight.double().T).chunk(3, dim=-1)
    weights = torch.softmax(q @ k.mT / math.sqrt(x.shape[-1]), dim=-1)
    return (v + (weights @ v) @ proj.weight.double().T + proj.bias.double()).to(tokens.dtype)


def attention_per_image(tokens, qkv, proj):
    return torch.stack([attention_by_hand(image[None], qkv, proj)[0] for image in tokens])


def original_code(tokens, qkv, proj):  # models/token_transformer.py's Attention.forward, num_heads = 1
    batch, count, _ = tokens.shape
    width = proj.out_features
    q, k, v = qkv(tokens).reshape(batch, count, 3, 1, width).permute(2, 0, 3, 1, 4)
    weights = ((q @ k.transpose(-2, -1)) * tokens.shape[-1] ** -0.5).softmax(dim=-1)
    return v.squeeze(1) + proj((weights @ v).transpose(1, 2).reshape(batch, count, width))


def v_left_unsqueezed(tokens, qkv, proj):  # the original code without its squeeze: (B, B, N, token_dim)
    batch, count, _ = tokens.shape
    width = proj.out_features
    q, k, v = qkv(tokens).reshape(batch, count, 3, 1, width).permute(2, 0, 3, 1, 4)
    weights = ((q @ k.transpose(-2, -1)) * tokens.shape[-1] ** -0.5).softmax(dim=-1)
    return v + proj((weights @ v).transpose(1, 2).reshape(batch, count, width))


def head_axis_never_squeezed(tokens, qkv, proj):  # (B, 1, N, token_dim)
    q, k, v = (part.unsqueeze(1) for part in _parts(tokens, qkv, proj))
    return v + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def _heads(tokens, qkv, proj, heads, scale):
    q, k, v = _parts(tokens, qkv, proj)
    qh, kh, vh = (t.reshape(*t.shape[:2], heads, -1).transpose(1, 2) for t in (q, k, v))  # (B, h, N, d)
    mixed = (torch.softmax(qh @ kh.mT * scale, dim=-1) @ vh).transpose(1, 2).reshape(q.shape)
    return v + proj(mixed)


def four_heads(tokens, qkv, proj):  # ViT's habit: 4 heads, each scaled by its own width
    return _heads(tokens, qkv, proj, 4, (proj.out_features // 4) ** -0.5)


def two_heads_scaled_by_input_width(tokens, qkv, proj):
    return _heads(tokens, qkv, proj, 2, tokens.shape[-1] ** -0.5)


def proj_bias_left_out_by_f_linear(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + F.linear(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v, proj.weight)


@pytest.mark.parametrize(
    "answer", [attention_einsum, attention_from_weights_float64, attention_per_image, original_code]
)
def test_token_attention_accepts_answers_written_differently(answer, capsys):
    check_token_attention(answer)
    assert "Correct!" in capsys.readouterr().out


def package_token_attention(tokens, qkv, proj):
    module = TokenAttention(tokens.shape[-1], proj.out_features)
    module.qkv, module.proj = qkv, proj
    return module(tokens)


def q_and_k_swapped(tokens, qkv, proj):
    k, q, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def scores_k_q_transposed(tokens, qkv, proj):
    """A right split, q, k, v, but the scores as k q^T: the same numbers as the kqv split."""
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(k @ q.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def scores_k_q_transposed_by_chunk(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    weights = torch.softmax(torch.einsum("bmd,bnd->bnm", q, k) / math.sqrt(tokens.shape[-1]), dim=-1)
    return v + proj(weights @ v)


def kqv_unpacked_by_chunk(tokens, qkv, proj):
    """The Performer's order, k, q, v, written with chunk and the fused kernel."""
    k, q, v = qkv(tokens).chunk(3, dim=-1)
    return v + proj(F.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5))


def layer_norm_inside(tokens, qkv, proj):
    """norm1 applied again inside the attention."""
    return attention_by_hand(F.layer_norm(tokens, tokens.shape[-1:]), qkv, proj)


def layer_norm_module_inside(tokens, qkv, proj):
    return attention_einsum(nn.LayerNorm(tokens.shape[-1]).to(tokens.dtype)(tokens), qkv, proj)


def scale_by_dim(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.mT / tokens.shape[-1], dim=-1) @ v)


def no_scale(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.mT, dim=-1) @ v)


def no_scale_float64(tokens, qkv, proj):
    q, k, v = (part.double() for part in _parts(tokens, qkv, proj))
    out = v + (torch.softmax(q @ k.mT, dim=-1) @ v) @ proj.weight.double().T + proj.bias.double()
    return out.to(tokens.dtype)  # the checker refuses a float64 answer before it compares values


def proj_after_skip(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return proj(v + torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def proj_without_bias(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + (torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v) @ proj.weight.T


def scale_by_qkv_width(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.mT * qkv.out_features**-0.5, dim=-1) @ v)


def skip_through_proj_v(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return proj(v) + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def skip_through_q(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return q + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def skip_through_k(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return k + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (scale_by_qkv_width, r"1/sqrt\(qkv\.out_features\) = 1/sqrt\(\d+\): .*3 \* token_dim"),
        (skip_through_proj_v, r"your skip connection is proj\(v\): the skip adds v itself"),
        (skip_through_q, "your skip connection adds q; T2T's skip goes through v"),
        (skip_through_k, "your skip connection adds k; T2T's skip goes through v"),
        (package_token_attention, r"build T2T's token attention yourself; .*TokenAttention"),
        (q_and_k_swapped, r"split qkv's output as k, q, v, the order of the original code's Performer"),
        (kqv_unpacked_by_chunk, r"as k, q, v, .*This layer is `qkv`: its output is q, then k, then v"),
        (scores_k_q_transposed, r"scores are k q\^T instead of q k\^T \(the transpose of the attention matrix\)"),
        (scores_k_q_transposed_by_chunk, r"scores are k q\^T instead of q k\^T"),
        (layer_norm_inside, r"applied a LayerNorm inside the function\. .*x = attn\(norm1\(x\)\)"),
        (layer_norm_module_inside, r"applied a LayerNorm inside the function"),
        (scale_by_dim, r"divided the scores by dim = \d+ itself"),
        (no_scale, "did not scale the scores"),
        (no_scale_float64, "did not scale the scores"),
        (proj_after_skip, r"proj after adding v, proj\(v \+ attention\)"),
        (proj_without_bias, r"dropped proj's bias"),
        (proj_bias_left_out_by_f_linear, r"dropped proj's bias"),
        (v_left_unsqueezed, r"head axis is left in\. .*v\.squeeze\(1\)"),
        (head_axis_never_squeezed, r"head axis is left in"),
        (four_heads, r"into 4 heads\. One head: T2T's token attention has num_heads=1"),
        (two_heads_scaled_by_input_width, r"into 2 heads\. One head"),
        (lambda t, qkv, proj: (attention_by_hand(t, qkv, proj), None), r"return a \(B, N, token_dim\) torch.Tensor"),
        (lambda t, qkv, proj: nn.functional.relu(attention_by_hand(t, qkv, proj)), "differs from TokenAttention"),
        (lambda t, qkv, proj: t + proj(t), "raised RuntimeError.*cannot be added"),  # proj of the input
    ],
)
def test_token_attention_rejects_more(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_token_attention(wrong)


# ----------------------------------------------------------------------------- the benchmark the lesson cites


def test_the_lessons_per_seed_counts_are_the_benchmark_files():
    """Lesson 07 pastes bench_t2t_stem's per-seed results (Colab has no benchmarks/ folder): they must be the
    files' tables, seed by seed, as accuracies on the 180 validation digits (93 and 10 epochs)."""
    import ast
    import json
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    notebook = json.loads((root / "notebooks" / "07_tokens_to_token_vit_appendix.ipynb").read_text())  # moved there
    sources = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    (cell,) = [source for source in sources if "stem_correct = {" in source]
    pasted = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(cell).body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") in ("stem_correct", "short_correct")
    }
    for name, result, seeds in [("stem_correct", "t2t_stem", 5), ("short_correct", "t2t_stem_10_epochs", 10)]:
        table = (root / "benchmarks" / "results" / f"{result}.md").read_text()
        rows = re.findall(r"^\| (\d+) \| ([\d.]+) % \| ([\d.]+) % \| ([+-][\d.]+) \|$", table, flags=re.M)
        counts = pasted[name]
        assert [int(seed) for seed, *_ in rows] == list(range(len(counts["soft split"]))) == list(range(seeds))
        for (_, soft, patches, difference), a, b in zip(rows, counts["soft split"], counts["patches"], strict=True):
            assert f"{100 * a / 180:.1f}" == soft and f"{100 * b / 180:.1f}" == patches
            assert f"{100 * (a - b) / 180:+.1f}" == difference


# ----------------------------------------------------------------------------- receptive field (exercise 1)

from vit_explained.exercises.lesson07 import RECEPTIVE_FIELD_CASES, check_receptive_field  # noqa: E402
from vit_explained.soft_split import SoftSplit  # noqa: E402


def field_by_gradient(splits):
    """The side of the square of pixels an interior final token depends on, found with autograd:
    an image large enough that the middle final token sees no padding (its field starts past the padded
    border and ends inside the image), the splits (and reshapes) alone."""
    size = 2 * field_forward(splits) + 4 * math.prod(stride for _, stride, _ in splits) + 1
    image = torch.rand(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    x = image
    for kernel, stride, padding in splits:
        split = SoftSplit(kernel, stride, padding)
        grid = split.grid(x.shape[-2], x.shape[-1])
        x = tokens_to_image(split(x), grid.rows, grid.cols)
    (gradient,) = torch.autograd.grad(x[0, :, x.shape[-2] // 2, x.shape[-1] // 2].sum(), image)
    rows = (gradient[0, 0] != 0).any(dim=1)
    return int(rows.sum())


def field_forward(splits):  # the reference: each split widens the field by (k - 1) * spacing of its input
    field, spacing = 1, 1
    for kernel, stride, _ in splits:
        field += (kernel - 1) * spacing
        spacing *= stride
    return field


def field_backward(splits):  # from the final token back to the pixels: tokens needed at each earlier grid
    needed = 1
    for kernel, stride, _ in reversed(splits):
        needed = (needed - 1) * stride + kernel
    return needed


def field_recursive(splits):
    if not splits:
        return 1
    kernel = splits[-1][0]
    return (kernel - 1) * math.prod(s for _, s, _ in splits[:-1]) + field_recursive(splits[:-1])


def field_numpy(splits):
    kernels, strides = np.array([s[0] for s in splits]), np.array([s[1] for s in splits])
    spacings = np.concatenate([[1], np.cumprod(strides)[:-1]])
    return np.int64(1 + ((kernels - 1) * spacings).sum())  # a numpy integer


def field_float(splits):
    return float(field_forward(splits))


def field_tensor(splits):
    return torch.tensor(field_forward(splits))


def test_the_field_reference_matches_autograd():
    for splits in RECEPTIVE_FIELD_CASES:
        assert field_by_gradient(splits) == field_forward(splits) == field_backward(splits)
    assert field_forward(T2T_SPLITS) == 31


@pytest.mark.parametrize(
    "answer",
    [field_forward, field_backward, field_recursive, field_numpy, field_tensor, field_by_gradient],
)
def test_field_accepts_answers_written_differently(answer, capsys):
    check_receptive_field(answer)
    assert "Correct!" in capsys.readouterr().out


def field_missing_minus_one(splits, start=1):  # f = f * s + k, last split first
    field = start
    for kernel, stride, _ in reversed(splits):
        field = field * stride + kernel
    return field


def field_recursion_forward(splits):  # the backward recursion, run first split to last
    field = 1
    for kernel, stride, _ in splits:
        field = (field - 1) * stride + kernel
    return field


def field_with(splits, *, spacing_of=lambda k, s: s, step=lambda k: k - 1, start=1, own=False):
    field, spacing = start, 1
    for kernel, stride, _ in splits:
        if own:
            spacing *= spacing_of(kernel, stride)
        field += step(kernel) * spacing
        if not own:
            spacing *= spacing_of(kernel, stride)
    return field


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda splits: field_forward(T2T_SPLITS), "reads T2T_SPLITS"),
        (lambda splits: field_with(splits, spacing_of=lambda k, s: k - s), "used the paper's s as the stride"),
        # review r30c minor 4: the same slip guarded at k == s (spacing 1 where k - s = 0), exercise 4's words
        (
            lambda splits: field_with(splits, spacing_of=lambda k, s: (k - s) or 1),
            r"used the paper's s as the stride, .*19",
        ),
        (lambda splits: field_with(splits, spacing_of=lambda k, s: k - s if k > s else 1), r"\(4, 2, 2\)"),
        (lambda splits: field_with(splits, spacing_of=lambda k, s: 1), "as if it slid over pixels"),
        (lambda splits: field_with(splits, own=True), "its own stride"),
        (lambda splits: field_with(splits, step=lambda k: k, start=0), "kernel - 1 neighbours"),
        (lambda splits: field_forward(splits) - 1, "one short"),
        (lambda splits: field_forward(splits) + 1, "one too many"),
        # review r28d minor 5: the red stride cell added to the field (T2T: 31 + 16 - 1 = 46)
        (lambda splits: field_forward(splits) + math.prod(s for _, s, _ in splits) - 1, "stride cell"),
        (lambda splits: math.prod(k for k, _, _ in splits), "kernels multiplied"),
        (lambda splits: math.prod(s for _, s, _ in splits), "strides multiplied"),
        (lambda splits: field_forward(splits) ** 2, "return its side"),
        (field_missing_minus_one, r"f = f \* stride \+ kernel misses a - 1"),
        # from f = 0 the same slip is the added-kernels one (sum of kernel * spacing): named as that
        (lambda splits: field_missing_minus_one(splits, start=0), "kernel - 1 neighbours"),
        (field_recursion_forward, r"from the first split to the last\. .*starts at the last split"),
        (lambda splits: (field_forward(splits),) * 2, "pair"),
        (lambda splits: field_forward(splits) + 2 * sum(p for _, _, p in splits), r"2 \* padding pixels per split"),
        (lambda splits: field_forward(splits) + 0.5, "float"),
        (lambda splits: splits[3], "raised IndexError"),
    ],
)
def test_field_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_receptive_field(wrong)


def test_field_stub_says_so():
    def stub(splits):
        raise NotImplementedError("your code here")

    with pytest.raises(ExerciseNotAttempted):
        check_receptive_field(stub)


# ----------------------------------------------------------------------------- fourth round: more named slips


def count_with_the_papers_s(height, width):  # the paper's s (overlap 3, 1, 1) used as the stride
    for (kernel, _, padding), overlap in zip(T2T_SPLITS, (3, 1, 1), strict=True):
        height = (height + 2 * padding - kernel) // overlap + 1
        width = (width + 2 * padding - kernel) // overlap + 1
    return height * width


def test_token_count_names_the_papers_s():
    with pytest.raises(ExerciseFailed, match=r"paper's s as the stride"):
        check_t2t_token_count(count_with_the_papers_s)


def fold_square_then_permute(tokens, rows, cols):
    side = int(math.sqrt(tokens.shape[1]))
    return tokens.reshape(tokens.shape[0], side, side, tokens.shape[2]).permute(0, 3, 1, 2)


def fold_square_view_then_permute(tokens, rows, cols):
    side = round(tokens.shape[1] ** 0.5)
    return tokens.view(tokens.shape[0], side, side, -1).permute(0, 3, 1, 2)


@pytest.mark.parametrize("wrong", [fold_square_then_permute, fold_square_view_then_permute])
def test_fold_names_the_square_grid_before_a_permute(wrong):
    with pytest.raises(ExerciseFailed, match=r"raised RuntimeError: .*square of side sqrt\(N\).*no whole square"):
        check_fold_tokens(wrong)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda t, r, c: t.transpose(1, 2).reshape(t.shape[0], t.shape[2], r, c).tolist(),
        lambda t, r, c: tuple(t.transpose(1, 2).reshape(t.shape[0], t.shape[2], r, c)),
    ],
)
def test_fold_refuses_python_lists_as_it_refuses_numpy(wrong):
    with pytest.raises(ExerciseFailed, match=r"you returned a Python (list|tuple); a torch.Tensor is asked") as failed:
        check_fold_tokens(wrong)
    # review r33c minor 14 (brief quick_33d): the message says "stay in torch" without naming the answer's operations
    assert "Stay in torch" in str(failed.value)
    assert not re.search(r"transpose|reshape|permute|view", str(failed.value))


# ----------------------------------------------------------------------------- fifth round: more named slips


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda splits: sum(k for k, _, _ in splits), r"you return 13, the kernels added: .*as if it slid over pixels"),
        (lambda splits: sum(k for k, _, _ in splits) - len(splits) + 1, r"1 \+ the sum of \(kernel - 1\)"),
        (lambda splits: 31, r"reads T2T_SPLITS \(or a copy of it\), or returns a fixed number"),
        (  # review r27c minor 14: the last window alone, k * the earlier strides (24 for T2T)
            lambda splits: splits[-1][0] * math.prod(s for _, s, _ in splits[:-1]),
            r"the last split's window alone, in pixels",
        ),
        (lambda splits: 13, r"gives 13 for every chain .*returns a fixed number"),
        (lambda splits: 224, r"gives 224 for every chain .*returns a fixed number"),
    ],
)
def test_field_names_added_kernels_and_fixed_numbers(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_receptive_field(wrong)


def scales_the_weights_in_place(tokens, qkv, proj):
    qkv.weight.mul_(1.0001)  # changes the model's layer, and its output by less than the tolerance
    return attention_by_hand(tokens, qkv, proj)


def folds_the_scale_into_v_in_place(tokens, qkv, proj):
    with torch.no_grad():
        proj.bias.zero_()
    return attention_by_hand(tokens, qkv, proj)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (scales_the_weights_in_place, r"changed qkv's weight in place .*scale the scores, not the weights"),
        (folds_the_scale_into_v_in_place, r"changed proj's bias in place"),
    ],
)
def test_token_attention_refuses_changed_layers(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_token_attention(wrong)


def scale_after_softmax(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    weights = torch.softmax(q @ k.transpose(1, 2), dim=-1) / math.sqrt(tokens.shape[-1])
    return v + proj(weights @ v)


def scores_times_sqrt_dim(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.transpose(1, 2) * math.sqrt(tokens.shape[-1]), dim=-1) @ v)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (scale_after_softmax, r"applied the scale 1/sqrt\(\d+\) after the softmax"),
        (scores_times_sqrt_dim, r"multiplied the scores by sqrt\(dim\) = sqrt\(\d+\); T2T divides"),
    ],
)
def test_token_attention_names_the_scale_in_the_wrong_place(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_token_attention(wrong)


# ----------------------------------------------------------------------------- sixth round: answers that cannot train


def skip_detached(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v.detach() + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def skip_through_data(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v.data + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def under_no_grad(tokens, qkv, proj):
    with torch.no_grad():
        return attention_by_hand(tokens, qkv, proj)


def through_numpy(tokens, qkv, proj):
    return attention_by_hand(tokens, qkv, proj).detach().numpy()


def attention_detached(tokens, qkv, proj):  # the skip kept, the attention path cut
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v).detach()


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (skip_detached, r"your output is right, but the skip \(v\) was detached"),
        (skip_through_data, r"the skip \(v\) was detached"),
        (under_no_grad, r"computed under torch\.no_grad\(\) .*Nothing can learn"),
        (through_numpy, r"autograd cannot reach qkv or proj .*Nothing can learn"),
        (attention_detached, r"to qkv\.weight, proj\.weight, proj\.bias and the input tokens .*cut from"),
    ],
)
def test_token_attention_refuses_answers_that_cannot_train(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_token_attention(wrong)


def attention_in_place_on_its_input(tokens, qkv, proj):
    tokens.mul_(1.0)  # in place on the tokens it was given: harmless, and must still pass
    return attention_by_hand(tokens, qkv, proj)


def test_token_attention_accepts_in_place_work_on_the_input(capsys):
    check_token_attention(attention_in_place_on_its_input)
    assert "Correct!" in capsys.readouterr().out


def field_with_padding(splits):  # (k - 1 + 2p) * jump: the padding counted as widening the window
    field, spacing = 1, 1
    for kernel, stride, padding in splits:
        field += (kernel - 1 + 2 * padding) * spacing
        spacing *= stride
    return field


def test_field_names_the_padding():
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*added the padding.*Padding shifts the windows but does not"):
        check_receptive_field(field_with_padding)


@pytest.mark.parametrize("answer", [scores_k_q_transposed, scores_k_q_transposed_by_chunk])
def test_transposed_scores_are_not_called_a_kqv_split(answer):
    with pytest.raises(ExerciseFailed) as caught:
        check_token_attention(answer)
    assert "split qkv's output as k, q, v" not in str(caught.value)


def test_a_channels_last_fold_is_not_the_generic_shape_message():
    with pytest.raises(ExerciseFailed) as caught:
        check_fold_tokens(lambda t, r, c: t.reshape(t.shape[0], r, c, t.shape[2]))
    assert "(B, rows, cols, C) = (2, 3, 5, 4), channels last" in str(caught.value)
    assert "expected shape" not in str(caught.value)


# ----------------------------------------------------------------------------- ninth round: order, layout, token scale


def unpacked_v_q_k(tokens, qkv, proj):
    v, q, k = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def interleaved_split(tokens, qkv, proj):
    B, N, _ = tokens.shape
    q, k, v = qkv(tokens).reshape(B, N, proj.out_features, 3).unbind(-1)
    return v + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def interleaved_split_permuted(tokens, qkv, proj):  # the same slip, written as the original code's permute
    B, N, _ = tokens.shape
    q, k, v = qkv(tokens).reshape(B, N, proj.out_features, 3).permute(3, 0, 1, 2)
    return v + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def scaled_by_token_count(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.mT / math.sqrt(tokens.shape[1]), dim=-1) @ v)


def divided_by_token_count(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.mT / tokens.shape[1], dim=-1) @ v)


def three_blocks_by_reshape(tokens, qkv, proj):  # right: reshape(B, N, 3, token_dim), in float64
    B, N, _ = tokens.shape
    q, k, v = qkv(tokens).double().reshape(B, N, 3, proj.out_features).unbind(2)
    weights = torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1)
    return (v + proj((weights @ v).float()).double()).float()


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (unpacked_v_q_k, r"unpacked qkv's output as v, q, k"),
        (interleaved_split, r"reshape\(B, N, token_dim, 3\), taking q, k and v every third feature"),
        (interleaved_split_permuted, r"reshape\(B, N, token_dim, 3\)"),
        (scaled_by_token_count, r"scaled the scores by 1/sqrt\(N\), N the number of tokens"),
        (divided_by_token_count, r"divided the scores by N, the number of tokens"),
    ],
)
def test_token_attention_names_order_layout_and_token_scale(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_token_attention(wrong)


def test_token_attention_accepts_three_blocks_by_reshape(capsys):
    check_token_attention(three_blocks_by_reshape)
    assert "Correct!" in capsys.readouterr().out


def field_kernel_times_spacing(splits):  # f = 1; f += k * jump: k instead of k - 1
    field, jump = 1, 1
    for kernel, stride, _ in splits:
        field += kernel * jump
        jump *= stride
    return field


def test_field_names_kernel_instead_of_kernel_minus_one():
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*adds kernel - 1 neighbours, not kernel"):
        check_receptive_field(field_kernel_times_spacing)


def fold_transposing_in_place(tokens, rows, cols):  # right image, but the caller's tokens are now (B, C, N)
    tokens.transpose_(1, 2)
    return tokens.reshape(tokens.shape[0], tokens.shape[1], rows, cols)


def fold_copying_into_the_input(tokens, rows, cols):  # right image, the caller's tokens overwritten
    image = tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols).clone()
    tokens.zero_()
    return image


@pytest.mark.parametrize("wrong", [fold_transposing_in_place, fold_copying_into_the_input])
def test_fold_names_a_change_to_the_callers_tensor(wrong):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*changed the tensor it was given.*transpose_"):
        check_fold_tokens(wrong)


def fold_in_place_but_harmless(tokens, rows, cols):  # in place, values and shape unchanged: still right
    tokens.mul_(1.0)
    return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols)


def test_fold_accepts_in_place_work_that_leaves_the_input_as_it_was(capsys):
    check_fold_tokens(fold_in_place_but_harmless)
    assert "Correct!" in capsys.readouterr().out


def field_stride_to_the_power(splits):  # split i's spacing taken as its own stride ** i
    return 1 + sum((kernel - 1) * stride**i for i, (kernel, stride, _) in enumerate(splits))


def test_field_names_stride_to_the_power_i():
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*stride \*\* i.*strides differ"):
        check_receptive_field(field_stride_to_the_power)


def count_as_in_the_solutions(height, width):  # the solutions notebook's answer to exercise 4
    rows, cols = height, width
    for kernel, stride, padding in T2T_SPLITS:
        rows = (rows + 2 * padding - kernel) // stride + 1
        cols = (cols + 2 * padding - kernel) // stride + 1
    return rows * cols


def test_the_count_exercise_accepts_the_solutions_answer(capsys):
    check_t2t_token_count(count_as_in_the_solutions)
    assert "Correct!" in capsys.readouterr().out


def test_token_count_names_padding_added_once():
    with pytest.raises(ExerciseFailed, match=r"added the padding once.*\*both\* ends"):
        check_t2t_token_count(count_padding_one_side)


def _attention_with_dropout(tokens, qkv, proj):
    q, k, v = qkv(tokens).split(proj.in_features, dim=-1)
    weights = F.dropout((q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5).softmax(-1), 0.1)
    return v + proj(weights @ v)


def _attention_backbone_scale(tokens, qkv, proj):
    q, k, v = qkv(tokens).split(proj.in_features, dim=-1)
    return v + proj((q @ k.transpose(-2, -1) * (tokens.shape[-1] // 6) ** -0.5).softmax(-1) @ v)


def _attention_dropout_off(tokens, qkv, proj):
    q, k, v = qkv(tokens).split(proj.in_features, dim=-1)
    weights = F.dropout((q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5).softmax(-1), 0.1, training=False)
    return v + proj(weights @ v)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_attention_with_dropout, r"changes from one call to the next.*dropout.*training=False"),
        (_attention_backbone_scale, r"1/sqrt\(dim // 6\) = 1/sqrt\(8\), the backbone's habit.*single head"),
    ],
)
def test_token_attention_names_dropout_and_the_backbone_scale(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_token_attention(wrong)


def test_token_attention_accepts_dropout_switched_off(capsys):
    check_token_attention(_attention_dropout_off)
    assert "matches TokenAttention" in capsys.readouterr().out


def test_fold_accepts_a_right_float64_image_for_float32_tokens(capsys):
    check_fold_tokens(lambda t, r, c: F.fold(t.double().transpose(1, 2), (r, c), kernel_size=1))  # float64 out
    out = capsys.readouterr().out
    assert out.startswith("Correct!") and "float64" in out and "keep the tokens' dtype" in out


def test_fold_float64_through_numpy_fails_on_the_gradient():
    def through_numpy(t, r, c):
        return torch.from_numpy(t.detach().numpy().astype("float64").transpose(0, 2, 1).reshape(t.shape[0], -1, r, c))

    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*autograd cannot reach the tokens"):
        check_fold_tokens(through_numpy)


def attention_scaling_its_input_in_place(tokens, qkv, proj):  # the caller's tokens are scaled as a side effect
    tokens.mul_(2.0)
    return attention_by_hand(tokens.div(2.0), qkv, proj)


def attention_overwriting_its_input(tokens, qkv, proj):  # right output, the caller's tokens zeroed afterwards
    out = attention_by_hand(tokens, qkv, proj).clone()
    tokens.zero_()
    return out


@pytest.mark.parametrize("wrong", [attention_scaling_its_input_in_place, attention_overwriting_its_input])
def test_token_attention_names_a_change_to_the_callers_tokens(wrong):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*changed the tokens it was given in place"):
        check_token_attention(wrong)


# ----------------------------------------------------------------------------- the fold must pass gradients


def _fold(t, r, c):
    return t.transpose(1, 2).reshape(t.shape[0], t.shape[2], r, c)


def fold_under_no_grad(tokens, rows, cols):
    with torch.no_grad():
        return _fold(tokens, rows, cols)


def fold_half_detached(tokens, rows, cols):  # the first token kept, the rest cut from autograd
    return _fold(torch.cat([tokens[:, :1], tokens[:, 1:].detach()], dim=1), rows, cols)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (
            lambda t, r, c: _fold(t.detach(), r, c),
            "autograd cannot reach the tokens .*stops token transformer 1 \\(and everything before the fold\\)",
        ),
        (lambda t, r, c: _fold(t.data, r, c), "autograd cannot reach the tokens"),
        (fold_under_no_grad, "autograd cannot reach the tokens"),
        (  # a numpy round trip back to torch, after a detach
            lambda t, r, c: torch.from_numpy(t.detach().numpy().transpose(0, 2, 1).reshape(t.shape[0], -1, r, c)),
            "autograd cannot reach the tokens .*numpy round trip",
        ),
        (  # a numpy round trip without the detach: numpy() refuses, the message says why that matters
            lambda t, r, c: torch.from_numpy(t.numpy().transpose(0, 2, 1).reshape(t.shape[0], t.shape[2], r, c)),
            "raised RuntimeError: .*Your fold goes through numpy.*token transformer 1",
        ),
        (lambda t, r, c: torch.tensor(_fold(t, r, c).tolist()), "autograd cannot reach the tokens"),
        (fold_half_detached, "its gradient does not reach each token"),
    ],
)
def test_fold_names_a_cut_from_autograd(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_fold_tokens(wrong)


# review r26c minors 8 and 9: the mutation message names what changed; the x-skip message leads with the widths
def fold_multiplying_the_input_in_place(tokens, rows, cols):  # right image (cloned first), the caller's tokens zeroed
    image = tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols).clone()
    tokens.mul_(0)
    return image


def test_fold_names_a_change_of_values_without_a_shape_that_did_not_change():
    with pytest.raises(ExerciseFailed) as failure:
        check_fold_tokens(fold_multiplying_the_input_in_place)
    message = str(failure.value)
    assert re.search(r"changed the tensor it was given \(its values: \d+ of its \d+ numbers differ\)", message)
    assert "mul_" in message and "now of shape" not in message and "its shape" not in message


def test_fold_names_a_change_of_shape():
    with pytest.raises(ExerciseFailed, match=r"changed the tensor it was given \(its shape, now \(\d+, \d+, \d+\)"):
        check_fold_tokens(fold_transposing_in_place)


def test_the_x_skip_message_leads_with_the_widths():
    with pytest.raises(ExerciseFailed) as failure:
        check_token_attention(skip_through_x)
    message = str(failure.value)
    lead = re.match(r"Not yet: for tokens of shape \(\d+, \d+, (\d+)\) \(B, N, dim\) and token_dim (\d+): x is (\d+) "
                    r"wide, the output (\d+): the skip cannot be x\.", message)  # fmt: skip
    assert lead and lead.group(1) == lead.group(3) and lead.group(2) == lead.group(4) != lead.group(1), message
    assert message.index("the skip cannot be x") < message.index("your function raised RuntimeError")


def test_a_typed_in_split_width_is_named():  # review r31b minor 4 (brief fix07v item 3)
    def answer(tokens, qkv, proj):
        q, k, v = qkv(tokens).split(64, -1)  # the lesson's token_dim, typed in
        weights = torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1)
        return v + proj(weights @ v)

    with pytest.raises(ExerciseFailed) as failure:
        check_token_attention(answer)
    message = str(failure.value)
    assert message.startswith("Not yet: for tokens of shape") and "Did you type in a width, as in split(64)?" in message
    assert "qkv.out_features // 3" in message and "token_dim here is 16" in message


# ----------------------------------------------------------------------------- review r34c minor 3, r34d minor 2


def test_two_messages_name_the_slip_without_the_answer():  # review r34c minor 3 (brief fix07_34d item 2)
    with pytest.raises(ExerciseFailed) as info:
        check_fold_tokens(lambda t, rows, cols: F.fold(t.transpose(1, 2), (rows, cols), 3, stride=1, padding=1))
    message = str(info.value)
    assert "with a k x k kernel" in message and message.endswith("each token one pixel, nothing summed")
    assert "(B, C, N)" not in message and "-> (B, C, rows, cols)" not in message  # not the solution's reshapes
    with pytest.raises(ExerciseFailed) as info:
        check_token_attention(no_skip)
    message = str(info.value)
    assert "the skip connection is missing: which tensor already has the output width?" in message
    assert "v plus" not in message and "v +" not in message  # not the answer


def fold_hard_coded_3_by_5(tokens, rows, cols):
    """Right on the first case (3 x 5), a fixed grid elsewhere: on the 7x2 case C = 3 equals its rows."""
    return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], 3, 5)


def fold_hard_coded_4_by_4(tokens, rows, cols):
    """A fixed square 4 x 4 (C = 4 on the 3x5 case): near the root of 15, but no root is taken."""
    return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], 4, 4)


def fold_square_pow(tokens, rows, cols):
    side = round(pow(tokens.shape[1], 0.5))
    return tokens.reshape(tokens.shape[0], side, side, tokens.shape[2]).permute(0, 3, 1, 2)


@pytest.mark.parametrize("wrong", [fold_hard_coded_3_by_5, fold_hard_coded_4_by_4])
def test_a_hard_coded_grid_is_not_called_a_square_fold(wrong):  # review r34d minor 2 (brief fix07_34d item 2)
    with pytest.raises(ExerciseFailed) as info:
        check_fold_tokens(wrong)
    message = str(info.value)
    assert "not a fixed grid size" in message and "sqrt(N)" not in message


@pytest.mark.parametrize("wrong", [fold_square, fold_square_then_permute, fold_square_pow])
def test_a_square_fold_is_still_named(wrong):  # the channels-first and channels-last square folds
    with pytest.raises(ExerciseFailed, match=r"square of side sqrt\(N\)"):
        check_fold_tokens(wrong)


def test_square_fold_hint_reads_the_grid_sizes_only():  # the hint alone, without a readable source
    from vit_explained.exercises.lesson07 import _square_fold_hint

    hint = _square_fold_hint("a 7x2 case", 7, 2, channels=3)
    assert "fixed grid size" in hint(RuntimeError("shape '[1, 3, 3, 5]' is invalid for input of size 42"))
    assert "sqrt(N)" in hint(RuntimeError("shape '[1, 3, 4, 4]' is invalid for input of size 42"))  # (B, C, s, s)
    assert "sqrt(N)" in hint(RuntimeError("shape '[1, 4, 4, 3]' is invalid for input of size 42"))  # (B, s, s, C)
    assert "sqrt(N)" in hint(RuntimeError("shape '[1, 4, 4, -1]' is invalid for input of size 42"))
