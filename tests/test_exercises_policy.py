"""The checkers' shared policy: short messages, learner errors named, shortcuts refused under any alias,
answers accepted whatever their type and dtype, and the examples of the learner's-eye issue."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vit_explained import mlp, patches
from vit_explained.exercises import (
    ExerciseFailed,
    ExerciseNotAttempted,
    as_int,
    as_tensor,
    attempt,
    close,
    fail,
    forbid,
    lesson03,
    lesson04,
    lesson06,
    lesson07,
    lesson08,
)

# --------------------------------------------------------------------------- messages


def test_a_failure_renders_as_one_short_line_without_a_traceback():
    with pytest.raises(ExerciseFailed) as caught:
        fail("the patches come out in the wrong order")
    lines = caught.value._render_traceback_()
    assert lines == ["Not yet: the patches come out in the wrong order"]


def test_an_unattempted_stub_renders_as_one_short_line():
    def stub(x):
        raise NotImplementedError("your code here")

    with pytest.raises(ExerciseNotAttempted) as caught:
        lesson04.check_gelu_slope(stub)
    lines = caught.value._render_traceback_()
    assert len(lines) == 1 and lines[0].startswith("This exercise is not done yet: ")
    assert "Not yet: " not in lines[0]  # said once, not "Not yet: the exercise is not done yet" (reviews r35)
    assert ".py" not in lines[0] and "File" not in lines[0] and "raise " not in lines[0].replace("`raise Not", "")


@pytest.mark.parametrize(
    ("returned", "said"),
    [
        (None, "returned None; return a torch.Tensor"),
        (3, "returned an int; return a torch.Tensor"),
        ([1], "returned a list; return a torch.Tensor"),
    ],
)
def test_a_wrong_return_type_is_named_with_its_article(returned, said):
    from vit_explained.exercises import attempt

    with pytest.raises(ExerciseFailed, match=f"^Not yet: your function {said}$"):
        attempt(lambda: returned, returns=torch.Tensor)


def test_a_checker_failure_shows_no_checker_path_or_code():
    with pytest.raises(ExerciseFailed) as caught:
        lesson04.check_gelu_slope(lambda x: 2 * torch.special.ndtr(x))
    rendered = "\n".join(caught.value._render_traceback_())
    assert rendered.startswith("Not yet: ")
    assert "exercises" not in rendered and "lesson04.py" not in rendered and "line " not in rendered
    assert len(rendered.splitlines()) <= 2


def test_a_pass_prints_correct_and_returns_none(capsys):
    def gelu_slope(x):
        return torch.special.ndtr(x) + x * torch.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)

    assert lesson04.check_gelu_slope(gelu_slope) is None
    assert capsys.readouterr().out.startswith("Correct! ")


# --------------------------------------------------------------------------- learner code that raises


def test_learner_exceptions_become_messages():
    with pytest.raises(ExerciseFailed, match=r"^Not yet: your function raised ZeroDivisionError: division by zero$"):
        attempt(lambda: 1 / 0)
    with pytest.raises(ExerciseFailed, match=r"raised KeyError"):
        attempt(lambda: {}["missing"])
    with pytest.raises(ExerciseFailed, match=r"k is not transposed$"):  # a named slip is said alone (review 18c)
        lesson03.check_attention(lambda q, k, v: q @ k)  # (.., N, d) @ (.., N, d) does not fit


def test_wrong_return_types_are_named():
    with pytest.raises(ExerciseFailed, match=r"returned a list; return a torch.Tensor"):
        attempt(lambda: [1.0], returns=torch.Tensor)
    with pytest.raises(ExerciseFailed, match=r"str"):
        lesson07.check_fold_tokens(lambda t, r, c: "an image")
    with pytest.raises(ExerciseFailed, match=r"pass your function itself"):
        lesson04.check_gelu_slope(torch.zeros(3))


def test_a_not_implemented_error_is_not_attempted_other_errors_are_failures():
    def stub():
        raise NotImplementedError("your code here")

    with pytest.raises(ExerciseNotAttempted, match=r"not done yet"):
        attempt(stub)
    with pytest.raises(ExerciseFailed):
        attempt(lambda: int("x"))


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("value", [3, np.int64(3), np.int32(3), torch.tensor(3), torch.tensor([3]), np.array(3)])
def test_as_int_accepts_integers_of_any_kind(value):
    assert as_int(value) == 3 and type(as_int(value)) is int


@pytest.mark.parametrize("value", [3.0, 2.5, True, "3", torch.tensor([1, 2]), None])
def test_as_int_refuses_other_values(value):
    with pytest.raises(ExerciseFailed, match=r"Not yet"):
        as_int(value)


def test_as_int_takes_a_whole_float_only_when_allowed():
    assert as_int(3.0, integral_floats=True) == 3
    with pytest.raises(ExerciseFailed, match=r"float"):
        as_int(3.5, integral_floats=True)


@pytest.mark.parametrize(
    "value", [torch.ones(2), np.ones(2), [1.0, 1.0], (1, 1), np.float32(1.0), 1.0, torch.ones(2, dtype=torch.float64)]
)
def test_as_tensor_accepts_tensors_arrays_numbers_and_lists(value):
    assert isinstance(as_tensor(value), torch.Tensor)


def test_close_uses_the_lower_precision():
    reference = torch.linspace(-3, 3, 50).exp()  # float32
    answer = reference.double() * (1 + 3e-7)  # float64, right to float32 precision
    assert close(answer, reference)
    assert not close(reference.double() * (1 + 1e-3), reference)
    assert close(reference.double(), reference.double())
    assert not close(reference.double() * (1 + 1e-6), reference.double())  # float64 vs float64: strict
    assert not close(reference[:-1], reference)  # shapes differ
    assert close(np.arange(3), torch.arange(3))


# --------------------------------------------------------------------------- forbid


GELU = forbid(F.gelu, mlp.gelu, mlp.GELU, reason="the tanh GELU")


@pytest.mark.parametrize(
    "shortcut",
    [
        lambda x: F.gelu(x, approximate="tanh"),
        lambda x: torch._C._nn.gelu(x, approximate="tanh"),
        lambda x: nn.GELU(approximate="tanh")(x),
        lambda x: torch.ops.aten.gelu(x, approximate="tanh"),
        lambda x: torch.ops.aten.gelu.default(x),
        lambda x: mlp.gelu(x, "tanh"),
        lambda x: mlp.GELU("tanh")(x),
    ],
)
def test_forbid_catches_every_alias(shortcut):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: this exercise asks you to build the tanh GELU yourself; "):
        GELU(shortcut, torch.randn(4))


def test_forbid_catches_a_call_the_learner_swallowed():
    def sneaky(x):
        try:
            return F.gelu(x)
        except Exception:
            return x

    with pytest.raises(ExerciseFailed, match=r"your function called torch.nn.functional.gelu"):
        GELU(sneaky, torch.randn(4))


def test_forbid_catches_the_package_and_modules_by_name():
    shortcuts = forbid("einops", patches.patchify, reason="patchify")
    from einops import rearrange as shuffle

    with pytest.raises(ExerciseFailed, match=r"called vit_explained\.patches\.patchify"):
        shortcuts(lambda x: patches.patchify(x, 2), torch.zeros(1, 1, 4, 4))
    with pytest.raises(ExerciseFailed, match=r"called einops"):
        shortcuts(lambda x: shuffle(x, "b c h w -> b h w c"), torch.zeros(1, 1, 4, 4))


def test_forbid_allows_everything_else_and_leaves_no_trace():
    assert GELU(lambda x: 0.5 * x * (1 + torch.tanh(x)), torch.zeros(2)).tolist() == [0.0, 0.0]
    assert F.gelu(torch.zeros(1)).item() == 0.0  # outside the block the function works
    import sys

    assert sys.getprofile() is None


def _autograd_slope(x):  # GELU's slope by autograd: what lesson 04's exercise 1 forbids
    leaf = x.detach().clone().requires_grad_(True)
    return torch.autograd.grad((leaf * torch.special.ndtr(leaf)).sum(), leaf)[0]  # x Phi(x), no F.gelu


def _cost(tokens, dim):  # the package's cost helper: what lesson 04's exercise 5 forbids
    from vit_explained.cost import attention_cost

    return attention_cost(tokens, dim, heads=1)


@pytest.mark.parametrize(
    ("check", "shortcut", "called"),
    [
        (lesson04.check_gelu_slope, lambda x: F.gelu(x), "gelu"),
        (lesson04.check_gelu_slope, lambda x: nn.GELU()(x), "gelu"),
        (lesson04.check_gelu_slope, lambda x: mlp.gelu(x), "vit_explained.mlp.gelu"),
        (lesson04.check_gelu_slope, lambda x: _autograd_slope(x), "grad"),
        (lesson04.check_block_macs, lambda d, m, n: _cost(n, d).matmul_flops // 2 + n * (4 * d * d + 2 * d * m), "co"),
        (lesson04.check_layer_norm, lambda x, w, b, e: F.layer_norm(x, x.shape[-1:], w, b, e), "layer_norm"),
        (lesson04.check_layer_norm, lambda x, w, b, e: torch.layer_norm(x, x.shape[-1:], w, b, e), "layer_norm"),
        (
            lesson04.check_layer_norm,
            lambda x, w, b, e: nn.LayerNorm(x.shape[-1], eps=e, dtype=x.dtype)(x) * w + b,
            "layer_norm",
        ),
        (lesson04.check_parallel_block, lambda x, block: block(x), "Block.forward"),
        (lesson08.check_rollout, None, "attention_rollout"),
    ],
)
def test_lesson_checkers_refuse_their_shortcuts(check, shortcut, called):
    if shortcut is None:
        from vit_explained.attention_maps import attention_rollout

        def shortcut(ms, keep=0.5):
            return attention_rollout([m.unsqueeze(1) for m in ms])

    with pytest.raises(ExerciseFailed, match=rf"build .* yourself; your function called .*{called}"):
        check(shortcut)


def test_the_sdpa_ban_holds_under_another_name():
    from torch.nn.functional import scaled_dot_product_attention as fast

    with pytest.raises(ExerciseFailed, match=r"scaled_dot_product_attention"):
        lesson03.check_attention(lambda q, k, v: fast(q, k, v))
    with pytest.raises(ExerciseFailed, match=r"scaled_dot_product_attention"):
        lesson03.check_attention(lambda q, k, v: torch._C._nn.scaled_dot_product_attention(q, k, v))


def test_forbid_does_not_fire_on_the_checkers_own_references(capsys):
    def attention(q, k, v):
        return (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v

    lesson03.check_attention(attention)  # the checker itself calls F.scaled_dot_product_attention
    assert "Correct!" in capsys.readouterr().out


# --------------------------------------------------------------------------- the examples


def test_a_float64_attention_passes(capsys):
    def attention(q, k, v):
        q, k, v = q.double(), k.double(), v.double()
        return torch.einsum(
            "bhij,bhjd->bhid", torch.einsum("bhid,bhjd->bhij", q, k).div(q.shape[-1] ** 0.5).softmax(-1), v
        )

    lesson03.check_attention(attention)
    assert "Correct!" in capsys.readouterr().out


def test_a_token_count_as_numpy_int_passes():
    lesson07.check_t2t_token_count(lambda h, w: np.prod([np.int64(n) for n in _t2t_sides(h, w)], dtype=np.int64))


def _t2t_sides(height, width):
    for kernel, stride, padding in ((7, 4, 2), (3, 2, 1), (3, 2, 1)):
        height = (height + 2 * padding - kernel) // stride + 1
        width = (width + 2 * padding - kernel) // stride + 1
    return height, width


def test_max_safe_shift_refuses_answers_that_ignore_the_top_and_bottom():
    def columns_only(images):
        ink = images.abs().sum(dim=1) > 0
        cols = ink.any(dim=1)
        return int(min(min(c.nonzero()[0].item(), len(c) - 1 - c.nonzero()[-1].item()) for c in cols))

    with pytest.raises(ExerciseFailed, match=r"rows"):
        lesson06.check_max_safe_shift(columns_only)


def test_max_safe_shift_refuses_answers_that_check_only_the_top_and_left():
    def leading_only(images):
        ink = images.abs().sum(dim=1) > 0
        return int(min(min(m.any(1).nonzero()[0].item(), m.any(0).nonzero()[0].item()) for m in ink))

    with pytest.raises(ExerciseFailed, match=r"top and left margins only|all four sides|rows|columns"):
        lesson06.check_max_safe_shift(leading_only)
