"""Lesson 03's checkers accept the reference answers and reject plausible wrong ones, saying why."""

import math
import re
import warnings

import pytest
import torch
import torch.nn.functional as F
from einops import rearrange

from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted, lesson03
from vit_explained.exercises.lesson03 import (
    SHAPE_KEYS,
    check_attention,
    check_attention_memory,
    check_attention_shapes,
    check_mha_forward,
    check_split_merge,
)

# --- reference answers (the same as in the solution notebook) ---


def attention_shapes(batch, num_tokens, dim, heads):
    head_dim = dim // heads
    per_head = (batch, heads, num_tokens, head_dim)
    return {
        "qkv": (batch, num_tokens, 3 * dim),
        "qkv_heads": (3, *per_head),
        "q": per_head,
        "scores": (batch, heads, num_tokens, num_tokens),
        "weights": (batch, heads, num_tokens, num_tokens),
        "heads_out": per_head,
        "merged": (batch, num_tokens, dim),
        "output": (batch, num_tokens, dim),
    }


def split_heads(x, heads):
    batch, tokens, dim = x.shape
    return x.reshape(batch, tokens, heads, dim // heads).permute(0, 2, 1, 3)


def merge_heads(x):
    batch, heads, tokens, head_dim = x.shape
    return x.permute(0, 2, 1, 3).reshape(batch, tokens, heads * head_dim)


def attention(q, k, v):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    return scores.softmax(dim=-1) @ v


def mha_forward(mha, x):
    sequence_first = x.transpose(0, 1)  # (N, B, D), what batch_first=False expects
    out, _ = mha(sequence_first, sequence_first, sequence_first, need_weights=False)
    return out.transpose(0, 1)


def not_done(*args):
    raise NotImplementedError("your code here")


def test_reference_answers_pass(capsys):
    check_attention_shapes(attention_shapes)
    check_split_merge(split_heads, merge_heads)
    check_attention(attention)
    check_mha_forward(mha_forward)
    assert capsys.readouterr().out.count("Correct!") == 4


def test_unattempted_stubs_say_so():
    for check, args in [
        (check_attention_shapes, (not_done,)),
        (check_split_merge, (not_done, merge_heads)),
        (check_attention, (not_done,)),
        (check_mha_forward, (not_done,)),
    ]:
        with pytest.raises(ExerciseNotAttempted, match="not done yet"):
            check(*args)


# --- exercise 1: shapes ---


def with_changes(**changes):
    def answer(batch, num_tokens, dim, heads):
        shapes = attention_shapes(batch, num_tokens, dim, heads)
        for key, change in changes.items():
            shapes[key] = change(batch, num_tokens, dim, heads)
        return shapes

    return answer


def test_shapes_rejects_heads_and_tokens_swapped():
    answer = with_changes(q=lambda b, n, d, h: (b, n, h, d // h))  # forgot the permute
    with pytest.raises(ExerciseFailed, match=r"'q' .* right sizes in the wrong order"):
        check_attention_shapes(answer)


def test_shapes_rejects_full_width_heads():
    answer = with_changes(heads_out=lambda b, n, d, h: (b, h, n, d))
    with pytest.raises(
        ExerciseFailed, match=r"holds the whole width 384, but each head's q, k and v hold only its slice"
    ):
        check_attention_shapes(answer)


def test_shapes_rejects_scores_without_heads_or_against_features():
    with pytest.raises(ExerciseFailed, match=r"'scores' .* has 3 axes"):
        check_attention_shapes(with_changes(scores=lambda b, n, d, h: (b, n, n)))
    with pytest.raises(ExerciseFailed, match=r"'scores' .* not that step's shape.*query token, key token"):
        check_attention_shapes(with_changes(scores=lambda b, n, d, h: (b, h, n, d // h)))


def test_shapes_rejects_a_wrong_qkv_width_and_a_hard_coded_answer():
    with pytest.raises(ExerciseFailed, match="'qkv'"):
        check_attention_shapes(with_changes(qkv=lambda b, n, d, h: (b, n, d)))
    vit_s = attention_shapes(2, 197, 384, 6)
    with pytest.raises(ExerciseFailed, match="batch=2, num_tokens=50, dim=96, heads=4"):
        check_attention_shapes(lambda *_: vit_s)


def test_shapes_rejects_missing_keys_and_non_shapes():
    def missing(*args):
        shapes = attention_shapes(*args)
        del shapes["qkv_heads"]
        return shapes

    with pytest.raises(ExerciseFailed, match=r"missing \['qkv_heads'\]"):
        check_attention_shapes(missing)
    with pytest.raises(ExerciseFailed, match="tuple of ints"):
        check_attention_shapes(with_changes(q=lambda b, n, d, h: "B, h, N, d"))
    with pytest.raises(ExerciseFailed, match="return a dict"):
        check_attention_shapes(lambda *args: list(SHAPE_KEYS))


def test_torch_size_is_accepted():
    def as_sizes(*args):
        return {key: torch.Size(shape) for key, shape in attention_shapes(*args).items()}

    check_attention_shapes(as_sizes)


# --- exercise 2: split and merge ---


def test_split_rejects_reshape_without_permute():
    def split_reshape_only(x, heads):
        batch, tokens, dim = x.shape
        return x.reshape(batch, heads, tokens, dim // heads)

    with pytest.raises(ExerciseFailed, match="mixes tokens and heads"):
        check_split_merge(split_reshape_only, merge_heads)


def test_split_rejects_interleaved_heads():
    def split_d_h(x, heads):
        batch, tokens, dim = x.shape
        return x.reshape(batch, tokens, dim // heads, heads).permute(0, 3, 1, 2)

    with pytest.raises(ExerciseFailed, match="contiguous block of d features"):
        check_split_merge(split_d_h, merge_heads)


def test_split_rejects_wrong_permutation_shape():
    def split_wrong_permute(x, heads):
        batch, tokens, dim = x.shape
        return x.reshape(batch, tokens, heads, dim // heads).permute(0, 2, 3, 1)

    # review r31c_03 minor 12: the swap is named
    with pytest.raises(
        ExerciseFailed, match=r"returned shape \(2, 3, 4, 5\): the tokens and the head width are swapped"
    ):
        check_split_merge(split_wrong_permute, merge_heads)


def test_merge_rejects_reshape_without_permute_and_interleaving():
    def merge_reshape_only(x):
        batch, heads, tokens, head_dim = x.shape
        return x.reshape(batch, tokens, heads * head_dim)

    def merge_interleaved(x):
        batch, heads, tokens, head_dim = x.shape
        return x.permute(0, 2, 3, 1).reshape(batch, tokens, heads * head_dim)

    with pytest.raises(ExerciseFailed, match="mixes tokens and heads"):
        check_split_merge(split_heads, merge_reshape_only)
    with pytest.raises(ExerciseFailed, match="interleaves the heads' features"):
        check_split_merge(split_heads, merge_interleaved)


def test_merge_with_view_after_permute_gets_a_hint():
    def merge_view(x):
        batch, heads, tokens, head_dim = x.shape
        return x.transpose(1, 2).view(batch, tokens, heads * head_dim)

    with pytest.raises(ExerciseFailed, match=r"cannot regroup it"):
        check_split_merge(split_heads, merge_view)


def test_split_must_not_change_its_input():
    def split_in_place(x, heads):
        x.mul_(1.0).add_(1.0)
        return split_heads(x, heads)

    with pytest.raises(ExerciseFailed, match="in place"):
        check_split_merge(split_in_place, merge_heads)


# --- exercise 3: attention from scratch ---


def test_attention_rejects_missing_scale():
    with pytest.raises(ExerciseFailed, match="not scaled"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1)).softmax(-1) @ v)


def test_attention_names_a_scale_applied_after_the_softmax():
    with pytest.raises(ExerciseFailed, match="applied after the softmax"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1)).softmax(-1) / math.sqrt(q.shape[-1]) @ v)
    with pytest.raises(ExerciseFailed, match="applied after the softmax"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1)).softmax(-1) @ v / math.sqrt(q.shape[-1]))


def test_attention_rejects_softmax_over_queries():
    def wrong_axis(q, k, v):
        return (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(dim=-2) @ v

    with pytest.raises(ExerciseFailed, match=r"the queries axis \(dim=-2\)"):
        check_attention(wrong_axis)


def test_attention_rejects_scale_by_d_and_times_sqrt_d():
    with pytest.raises(ExerciseFailed, match="divided by d"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / q.shape[-1]).softmax(-1) @ v)
    with pytest.raises(ExerciseFailed, match="multiplied by sqrt"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) * math.sqrt(q.shape[-1])).softmax(-1) @ v)


def test_attention_names_a_hard_coded_scale_and_a_scale_by_the_token_count():
    with pytest.raises(ExerciseFailed, match=r"fixed 1/8, ViT-B's"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / 8).softmax(-1) @ v)
    with pytest.raises(ExerciseFailed, match=r"divided by sqrt\(N\), the number of queries"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-2])).softmax(-1) @ v)
    with pytest.raises(ExerciseFailed, match="multiply q instead of v"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ q)


def test_attention_names_the_model_width_scale_and_transposed_scores():
    with pytest.raises(ExerciseFailed, match=r"sqrt\(h \* d\), the model width D"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / math.sqrt(q.shape[1] * q.shape[-1])).softmax(-1) @ v)
    with pytest.raises(ExerciseFailed, match=r"the scores are k q\^T"):
        check_attention(lambda q, k, v: (k @ q.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v)


def test_attention_names_d_taken_from_the_heads_axis():  # fix03_37a (review r36j minor 6)
    def heads_as_width(q, k, v):
        d = q.shape[1]  # the slip: axis 1 of (B, h, N, d) is the heads
        return (q @ k.transpose(-2, -1) / math.sqrt(d)).softmax(-1) @ v

    with pytest.raises(ExerciseFailed, match=r"q\.shape\[1\], the number of heads; d is the last axis"):
        check_attention(heads_as_width)


def test_attention_accepts_float64_einsum_and_numpy_answers():
    import numpy as np

    def in_float64(q, k, v):
        scores = torch.einsum("bhid,bhjd->bhij", q.double(), k.double()) / q.shape[-1] ** 0.5
        return torch.einsum("bhij,bhjd->bhid", scores.softmax(-1), v.double()).to(q.dtype)

    def in_numpy(q, k, v):
        q, k, v = (t.numpy() for t in (q, k, v))
        scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
        weights = np.exp(scores - scores.max(-1, keepdims=True))
        return weights / weights.sum(-1, keepdims=True) @ v

    check_attention(in_float64)
    check_attention(in_numpy)


def test_attention_notes_a_numpy_result_and_names_float16_scores(capsys):  # review r27f_03 minor 8
    def in_numpy(q, k, v):
        return ((q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v).numpy()

    def half_scores(q, k, v):
        scores = (q.half() @ k.half().transpose(-2, -1) / math.sqrt(q.shape[-1])).to(q.dtype)
        return scores.softmax(-1) @ v

    check_attention(in_numpy)
    assert "return a torch.Tensor" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match="precision lower than q's"):
        check_attention(half_scores)


def test_attention_accepts_a_float32_scale_on_float64_input():
    def float32_scale(q, k, v):  # torch.tensor(d) is float32: right to float32 precision on the float64 case
        return (q @ k.transpose(-2, -1) / torch.sqrt(torch.tensor(q.shape[-1]))).softmax(-1) @ v

    def float32_scale_missing(q, k, v):  # a real slip still named on the float64 case's precision
        return (q @ k.transpose(-2, -1)).softmax(-1) @ v

    check_attention(float32_scale)
    with pytest.raises(ExerciseFailed, match="scale"):
        check_attention(float32_scale_missing)


def test_attention_notes_a_float64_case_computed_in_float32(capsys):  # review r34a_03 minor 5: passes, with a note
    def in_float32(q, k, v):  # the float64 case cast down, computed, cast back
        return attention(q.float(), k.float(), v.float()).to(q.dtype)

    check_attention(in_float32)
    out = capsys.readouterr().out
    assert "Correct!" in out and "right to float32 precision only" in out
    check_attention(attention)  # the reference: no such note
    assert "float32 precision only" not in capsys.readouterr().out


def test_attention_rejects_the_fused_shortcut_and_restores_it():
    with pytest.raises(
        ExerciseFailed,
        match=r"build attention .*yourself; your function called torch\.nn\.functional\.scaled_dot_product_attention",
    ):
        check_attention(lambda q, k, v: F.scaled_dot_product_attention(q, k, v))
    q = torch.randn(1, 1, 3, 4)
    assert F.scaled_dot_product_attention(q, q, q).shape == (1, 1, 3, 4)  # the real function is back


def test_attention_rejects_wrong_shape():
    with pytest.raises(ExerciseFailed, match=r"should be \(B, h, N_q, d\) = \(2, 3, 5, 32\), like q's"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1).sum(-1))


def test_attention_checker_leaves_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check_attention(attention)
    assert torch.equal(torch.rand(3), expected)


# --- exercise 4: nn.MultiheadAttention without batch_first ---


def test_mha_rejects_the_batch_first_bug():
    with pytest.raises(ExerciseFailed, match="batch_first bug"):
        check_mha_forward(lambda mha, x: mha(x, x, x, need_weights=False)[0])


def test_mha_rejects_returning_the_tuple_or_sequence_first():
    with pytest.raises(ExerciseFailed, match=r"returns \(output, weights\)"):
        check_mha_forward(lambda mha, x: mha(*(x.transpose(0, 1),) * 3))

    def not_transposed_back(mha, x):
        t = x.transpose(0, 1)
        return mha(t, t, t)[0]

    with pytest.raises(ExerciseFailed, match=r"\(N, B, D\)"):
        check_mha_forward(not_transposed_back)


def test_mha_rejects_changing_the_module():
    def switch_module(mha, x):
        mha.batch_first = True
        return mha(x, x, x, need_weights=False)[0]

    with pytest.raises(ExerciseFailed, match="leave the module as it is"):
        check_mha_forward(switch_module)


# --- bank: correct answers written differently, and more wrong answers ---------------------------

import copy  # noqa: E402

import numpy as np  # noqa: E402
from torch.nn.functional import scaled_dot_product_attention as sdpa  # noqa: E402

from vit_explained import Attention  # noqa: E402


def shapes_numpy_ints(batch, num_tokens, dim, heads):
    return {
        key: tuple(np.int64(n) for n in shape) for key, shape in attention_shapes(batch, num_tokens, dim, heads).items()
    }


def shapes_by_running(batch, num_tokens, dim, heads):  # run zeros through every step and read the shapes
    x = torch.zeros(batch, num_tokens, dim)
    qkv = x.repeat(1, 1, 3)
    qkv_heads = qkv.reshape(batch, num_tokens, 3, heads, dim // heads).permute(2, 0, 3, 1, 4)
    q, k, v = qkv_heads
    scores = q @ k.transpose(-2, -1)
    heads_out = scores.softmax(-1) @ v
    merged = heads_out.transpose(1, 2).reshape(batch, num_tokens, dim)
    steps = [qkv, qkv_heads, q, scores, scores.softmax(-1), heads_out, merged, merged]
    return {key: tensor.shape for key, tensor in zip(SHAPE_KEYS, steps, strict=True)}


def shapes_as_lists_and_arrays(batch, num_tokens, dim, heads):
    shapes = attention_shapes(batch, num_tokens, dim, heads)
    return {key: (np.array(shape) if i % 2 else list(shape)) for i, (key, shape) in enumerate(shapes.items())}


def fixed_64(b, n, d, h):  # the head width typed in as ViT-B's 64
    return (b, h, n, 64)


def test_shapes_checks_a_head_width_other_than_64():
    from vit_explained.exercises.lesson03 import _true_shapes

    # the checker's configurations include head widths other than 64 (an answer typing 64 is caught)
    widths = {_true_shapes(1, 5, dim, heads)["q"][-1] for dim, heads in [(96, 4), (48, 3)]}
    assert widths == {24, 16}


@pytest.mark.parametrize("answer", [shapes_numpy_ints, shapes_by_running, shapes_as_lists_and_arrays])
def test_shapes_accepts_answers_written_differently(answer, capsys):
    check_attention_shapes(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (with_changes(qkv_heads=lambda b, n, d, h: (b, 3, h, n, d // h)), r"'qkv_heads' .* wrong order"),
        (with_changes(qkv_heads=lambda b, n, d, h: (b, h, n, d // h)), r"'qkv_heads' .* has 4 axes"),
        (with_changes(merged=lambda b, n, d, h: (b, n, h, d // h)), r"'merged' .* has 4 axes"),
        (with_changes(weights=lambda b, n, d, h: (b, h, n, d // h)), r"'weights' .* not that step's shape"),
        (with_changes(output=lambda b, n, d, h: (b, n, 3 * d)), r"'output' .* not that step's shape"),
        (
            with_changes(q=lambda b, n, d, h: (b, h, n + 1, d // h)),
            r"'q' .* not that step's shape",
        ),  # class token twice
        (
            with_changes(q=lambda b, n, d, h: (b, h, n, d / h)),
            r"holds floats.*a size must be an int",
        ),  # a float head width
        (with_changes(q=lambda b, n, d, h: (b, h, n, "d")), "tuple of ints"),  # not numbers at all
        (lambda b, n, d, h: {**attention_shapes(b, n, d, h), "k": (b, h, n, d // h)}, r"unexpected \['k'\]"),
        (lambda b, n, d, h: attention_shapes(b, n, d, h)["missing"], "raised KeyError"),
        (lambda b, n, d, h: None, r"returned None: its last line needs `return` and the dict$"),  # a35b audit 6
        (
            with_changes(qkv_heads=lambda b, n, d, h: (3, b, h, n, 64), q=fixed_64, heads_out=fixed_64),
            r"'qkv_heads' .* hard-coded as 64",
        ),
        (with_changes(q=fixed_64), "hard-coded as 64"),
        (
            lambda b, n, d, h: attention_shapes(b, 197, d, h),
            r"'qkv' .* the number of tokens is hard-coded as 197 \(ViT-B's tokens\), but here num_tokens = 50",
        ),
        (lambda b, n, d, h: attention_shapes(b, 196, d, h), r"'qkv' .* hard-coded as 196"),  # patches only
    ],
)
def test_shapes_rejects_more_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_attention_shapes(wrong)


def split_transpose_view(x, heads):
    batch, tokens, dim = x.shape
    return x.view(batch, tokens, heads, dim // heads).transpose(1, 2)


def split_chunks(x, heads):  # a loop over the heads, in float64
    return torch.stack(x.double().chunk(heads, dim=-1), dim=1)


def split_numpy(x, heads):
    batch, tokens, dim = x.shape
    return x.numpy().reshape(batch, tokens, heads, dim // heads).transpose(0, 2, 1, 3)


def merge_cat(x):
    return torch.cat(x.unbind(dim=1), dim=-1)


def merge_transpose_contiguous_view(x):
    batch, heads, tokens, head_dim = x.shape
    return x.transpose(1, 2).contiguous().view(batch, tokens, heads * head_dim)


def merge_numpy(x):
    array = np.asarray(x)
    batch, heads, tokens, head_dim = array.shape
    return array.transpose(0, 2, 1, 3).reshape(batch, tokens, heads * head_dim)


def split_unflatten_movedim(x, heads):
    return x.unflatten(-1, (heads, -1)).movedim(2, 1)


@pytest.mark.parametrize(
    ("split", "merge"),
    [
        (split_transpose_view, merge_cat),
        (split_chunks, merge_transpose_contiguous_view),
        (split_numpy, merge_numpy),
        (split_unflatten_movedim, lambda x: x.movedim(1, 2).flatten(2)),
    ],
)
def test_split_merge_accepts_answers_written_differently(split, merge, capsys):
    check_split_merge(split, merge)
    assert "Correct!" in capsys.readouterr().out


def split_heads_reversed(x, heads):
    return split_heads(x, heads).flip(1)


def split_heads_last(x, heads):  # forgot the permute, kept (B, N, heads, d)
    batch, tokens, dim = x.shape
    return x.reshape(batch, tokens, heads, dim // heads)


def merge_reversed(x):
    return merge_heads(x.flip(1))


@pytest.mark.parametrize(
    ("split", "merge", "message"),
    [
        (lambda x, h: __import__("einops").rearrange(x, "b n (h d) -> b h n d", h=h), merge_heads, "einops"),
        (split_heads, lambda x: __import__("einops").rearrange(x, "b h n d -> b n (h d)"), "einops"),
        # review r29a_03 minor 10: the public name, not the module path doubled (einops.einops.rearrange)
        (split_heads, lambda x: rearrange(x, "b h n d -> b n (h d)"), r"your function called einops\.rearrange$"),
        (split_heads_last, merge_heads, r"returned shape \(2, 5, 3, 4\)"),
        (split_heads, lambda x: x.transpose(1, 2), r"returned shape .*\(B, N, heads \* d\)"),
        (split_heads_reversed, merge_heads, "values are in the wrong places"),  # heads in reverse order
        (split_heads, merge_reversed, "values are in the wrong places"),
        (lambda x, h: {"heads": split_heads(x, h)}, merge_heads, "is a dict; return a torch.Tensor"),
        (lambda x, h: x.reshape(-1, h), merge_heads, "returned shape"),
        (split_heads, lambda x: x.sum(1), "returned shape"),
        (lambda x, h: split_heads(x, h.item()), merge_heads, "raised AttributeError"),
        (  # the head width typed in as ViT-B's 64: a raw RuntimeError, explained
            lambda x, h: x.reshape(x.shape[0], x.shape[1], -1, 64).permute(0, 2, 1, 3),
            merge_heads,
            r"a 64 in it: ViT-B's head width, typed in\): take every size from x.shape.*never a fixed number$",
        ),
        (
            lambda x, h: x.reshape(x.shape[0], 7, h, -1).permute(0, 2, 1, 3),
            merge_heads,
            r"sizes whose product is not the tensor's size: take every size from x.shape.*never a fixed number$",
        ),
    ],
)
def test_split_merge_rejects_more_wrong_answers(split, merge, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_split_merge(split, merge)


def attention_einsum(q, k, v):
    scores = torch.einsum("bhid,bhjd->bhij", q, k) / q.shape[-1] ** 0.5
    return torch.einsum("bhij,bhjd->bhid", scores.softmax(-1), v)


def attention_float64(q, k, v):  # computed in float64, returned in q's dtype (a float64 result fails: fix round r)
    return attention(q.double(), k.double(), v.double()).to(q.dtype)


def attention_loops(q, k, v):  # one query at a time, softmax by hand with the max subtracted
    out = torch.empty_like(q)
    for b in range(q.shape[0]):
        for h in range(q.shape[1]):
            for i in range(q.shape[2]):
                s = (k[b, h] @ q[b, h, i]) / math.sqrt(q.shape[-1])
                w = torch.exp(s - s.max())
                out[b, h, i] = (w / w.sum()) @ v[b, h]
    return out


def attention_numpy_in_place(q, k, v):
    scores = np.matmul(q.numpy(), np.swapaxes(k.numpy(), -1, -2))
    scores *= 1 / np.sqrt(q.shape[-1])
    scores -= scores.max(-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(-1, keepdims=True)
    return scores @ v.numpy()


def attention_scale_q_first(q, k, v):
    return torch.softmax((q * q.shape[-1] ** -0.5) @ k.mT, dim=3) @ v


@pytest.mark.parametrize(
    "answer", [attention_einsum, attention_float64, attention_loops, attention_numpy_in_place, attention_scale_q_first]
)
def test_attention_accepts_answers_written_differently(answer, capsys):
    check_attention(answer)
    assert "Correct!" in capsys.readouterr().out


def package_attention(q, k, v):
    module = Attention(q.shape[1] * q.shape[-1], q.shape[1])
    module.fused = False
    return module.scaled_dot_product(q, k, v)[0]


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda q, k, v: sdpa(q, k, v), r"yourself; your function called torch\.nn\.functional\.scaled_dot"),
        (lambda q, k, v: torch._C._nn.scaled_dot_product_attention(q, k, v), "scaled_dot_product_attention"),
        (lambda q, k, v: torch.ops.aten.scaled_dot_product_attention(q, k, v), "scaled_dot_product_attention"),
        (package_attention, "Attention.scaled_dot_product"),
        (lambda q, k, v: (q @ k.mT / math.sqrt(q.shape[-1])).softmax(-1).mT @ v, "weights transposed before the sum"),
        (
            lambda q, k, v: (q @ k.mT / math.sqrt(q.shape[-2])).softmax(-1) @ v,
            r"divided by sqrt\(N\)",
        ),  # sqrt(N), not sqrt(d)
        (lambda q, k, v: (q @ k.mT / math.sqrt(q.shape[-1])) @ v, "values differ"),  # no softmax
        (
            lambda q, k, v: (k @ q.mT / math.sqrt(q.shape[-1])).softmax(-1) @ v,
            r"the scores are k q\^T",
        ),  # keys as queries
        (
            lambda q, k, v: (q @ k.mT / math.sqrt(q.shape[-1])).softmax(-1) @ v.mT,
            r"multiply v transposed.*weights @ v, with v as it is",
        ),  # k is transposed: the hint names v (review r27a_03 M1)
        (lambda q, k, v: (attention(q, k, v), None), "return a torch.Tensor"),
        (lambda q, k, v: (q @ k.mT / math.sqrt(q.shape[-1])).sigmoid() @ v, "values differ"),  # not a softmax
        (lambda q, k, v: (q @ k.mT / math.sqrt(q.shape[-1])).softmax(1) @ v, r"over the heads axis \(dim=1\)"),
        (
            lambda q, k, v: (q @ k.mT / math.sqrt(q.shape[-1])).softmax(-1),
            r"the attention weights.*missing step is the weighted sum",
        ),
        (
            lambda q, k, v: torch.softmax(q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5, dim=-1),
            r"missing step is the weighted sum",
        ),
        (lambda q, k, v: F.softmax(q @ k.mT / math.sqrt(q.shape[-1]), dim=0) @ v, "over the batch axis"),
        (lambda q, k, v: (q @ k / math.sqrt(q.shape[-1])).softmax(-1) @ v, r"k is not transposed$"),
        (lambda q, k, v: (torch.matmul(q, k) * q.shape[-1] ** -0.5).softmax(-1) @ v, r"k is not transposed"),
    ],
)
def test_attention_rejects_more_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_attention(wrong)


def mha_per_image(mha, x):  # unbatched (N, D) inputs, one image at a time
    return torch.stack([mha(image, image, image)[0] for image in x])


def mha_batch_first_copy(mha, x):  # a copy may be switched: the learner's module is left alone
    twin = copy.deepcopy(mha)
    twin.batch_first = True
    return twin(x, x, x, need_weights=False)[0]


def mha_permute_numpy(mha, x):
    t = x.permute(1, 0, 2)
    with torch.no_grad():
        out = mha(t, t, t)[0]
    return out.permute(1, 0, 2).numpy()


@pytest.mark.parametrize(
    "answer",
    [
        mha_per_image,
        mha_batch_first_copy,
        mha_permute_numpy,
        lambda mha, x: mha(*[x.movedim(0, 1)] * 3)[0].movedim(1, 0),
    ],
)
def test_mha_accepts_answers_written_differently(answer, capsys):
    check_mha_forward(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (
            lambda mha, x: mha(*[x.reshape(x.shape[1], x.shape[0], -1)] * 3)[0].reshape(x.shape),
            "view/reshape is not transpose, on the way in and on the way out",
        ),
        (lambda mha, x: mha(x.transpose(0, 1), x, x)[0], r"raised .*all three must be \(N, B, D\), not only the query"),
        (lambda mha, x: mha(*[x.transpose(0, 1)] * 3)[1], r"the result has shape"),  # the weights
        (
            lambda mha, x: mha(*[x.transpose(0, 1)] * 3)[0].reshape(x.shape),
            "the input is right, but the output is reshaped, not transposed",
        ),  # on the way out
        (
            lambda mha, x: mha(*[x.reshape(x.shape[1], x.shape[0], -1)] * 3)[0].transpose(0, 1),
            r"the input is reshaped, not transposed: x.view\(N, B, D\) or x.reshape\(N, B, D\)",
        ),  # on the way in
        (lambda mha, x: None, "returned is None; return a torch.Tensor"),
        (lambda mha, x: mha.forward(*[x.transpose(0, 1)] * 3, need_weights=False), r"returns \(output, weights\)"),
    ],
)
def test_mha_rejects_more_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_mha_forward(wrong)


# --- exercise 5: a prediction of the attention weights' memory ---


def vit_l_attention_bytes(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
    return batch * heads * num_tokens * num_tokens * bytes_per_element  # B x h x N x N entries, bytes each


@pytest.mark.parametrize(
    "answer",
    [
        vit_l_attention_bytes,
        lambda batch, num_tokens, heads, bytes_per_element: float(batch * heads * num_tokens**2 * bytes_per_element),
        lambda batch, num_tokens, heads, bytes_per_element: np.int64(batch) * heads * num_tokens**2 * bytes_per_element,
        lambda batch, num_tokens, heads, bytes_per_element: (
            torch.tensor(batch * heads * num_tokens**2 * 1) * bytes_per_element
        ),  # a one-element tensor
        lambda batch, num_tokens, heads, bytes_per_element: (
            torch.zeros(batch, heads, num_tokens, num_tokens).numel() * bytes_per_element
        ),  # read off a tensor
        lambda bytes_per_element, num_tokens, heads, batch: bytes_per_element * num_tokens**2 * heads * batch,  # order
    ],
)
def test_memory_accepts_answers_written_differently(answer, capsys):
    check_attention_memory(answer)
    assert "Correct! 170,459,648 bytes" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda: 8 * 577 * 577 * 4, "the heads are left out"),
        (lambda: 16 * 577 * 577 * 4, "the batch is left out"),
        (lambda: 8 * 16 * 577 * 577, "that counts entries, not bytes"),
        (lambda: 8 * 16 * 576 * 576 * 4, r"N = 576, the patches only: the class token is a token too \(N = 577\)"),
        (lambda: 8 * 16 * 577 * 4, r"the matrix is N x N"),
        (lambda: 577 * 577 * 4, "the batch and the heads are both left out"),
        (lambda: 8 * 16 * 577 * 577 * 32, "that is in bits"),
        (lambda: 8 * 16 * 577 * 577 * 4 / 1e6, "megabytes"),
        (lambda: 8 * 16 * 577 * 577 * 4 / 2**20, "mebibytes"),
        (lambda: 170, "megabytes"),  # rounded to whole megabytes
        (lambda: 162.6, "mebibytes"),
        (lambda: 163, "mebibytes"),
        (lambda: 8 * 16 * 577 * 577 * 4 / 1e9, "gigabytes"),
        (lambda: 0.17, "gigabytes"),  # rounded to hundredths of a gigabyte
        (lambda: 8 * 16 * 577 * 577 * 4 / 2**30, "gibibytes"),
        (lambda: 8 * 16 * 578 * 578 * 4, r"N = 578: the class token is already one of the 577 tokens"),
        (lambda: 1.7046e8, r"too large \(it looks rounded; give the exact integer"),
        (lambda: 170_459_000, r"too small \(it looks rounded; give the exact integer"),
        (lambda: 8 * 16 * 580 * 580 * 4, r"slightly too large: check N"),  # close, no named slip: no ratio to divide by
        (lambda: 8 * 16 * 570 * 570 * 4, r"slightly too small: check N"),
        (lambda: 2 * 8 * 16 * 577 * 577 * 4, "the weights alone"),
        (lambda: 8 * 16 * 577 * 577 * 2, r"2 bytes per entry \(float16\); the question says float32, 4 bytes"),
        (lambda: 24 * 8 * 16 * 577 * 577 * 4, "all 24 layers of ViT-L; the question asks for one layer"),
        (
            lambda: 8 * 577**2 * 1024 * 4,
            r"multiplies by the width D \(or the head width d\); the attention matrix has h \* N\^2",
        ),
        (lambda: 8 * 577 * 577 * 1024 * 4, r"multiplies by the width D \(or the head width d\)"),  # B N N D 4
        (lambda: 8 * 16 * 577**2 * 64 * 4, r"multiplies by the width D \(or the head width d\)"),  # B h N^2 d 4
        (lambda: 8 * 16 * 577**2 * 1024 * 4, r"multiplies by the width D = 1024; .* no width"),
        (lambda: 12345, r"12,345 is too small: which N\? Count the entries"),
        (lambda: "170 MB", "return one number of bytes"),
        (lambda: True, "return one number of bytes"),
        (lambda: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_memory_names_the_slips(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_attention_memory(wrong)


def test_memory_refuses_the_package_count_and_says_when_not_done():
    from vit_explained.cost import attention_cost

    with pytest.raises(ExerciseFailed, match=r"your function called vit_explained\.cost\.attention_cost"):
        check_attention_memory(lambda: attention_cost(577, 1024, 16, batch=8).matrix_bytes)

    def stub():
        raise NotImplementedError("your code here")

    with pytest.raises(ExerciseNotAttempted):
        check_attention_memory(stub)


def _softmax_sum_without_keepdim(q, k, v):
    scores = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).exp()
    return (scores / scores.sum(-1)) @ v


def _softmax_max_without_keepdim(q, k, v):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    e = (scores - scores.max(-1).values).exp()
    return (e / e.sum(-1, keepdim=True)) @ v


@pytest.mark.parametrize("wrong", [_softmax_sum_without_keepdim, _softmax_max_without_keepdim])
def test_attention_names_a_hand_softmax_without_keepdim(wrong):
    with pytest.raises(ExerciseFailed, match=r"lost its axis") as failure:
        check_attention(wrong)
    assert "transpose" not in str(failure.value)  # not the missing-transpose hint


def test_attention_hand_softmax_with_keepdim_passes(capsys):
    def stable_softmax(q, k, v):
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        e = (scores - scores.max(-1, keepdim=True).values).exp()
        return (e / e.sum(-1, keepdim=True)) @ v

    check_attention(stable_softmax)
    assert "Correct" in capsys.readouterr().out


def test_attention_names_a_missing_transpose_with_bmm():
    def bmm_no_transpose(q, k, v):
        batch, heads, tokens, head_dim = q.shape
        keys = k.shape[-2]
        scores = torch.bmm(q.reshape(-1, tokens, head_dim), k.reshape(-1, keys, head_dim)) / math.sqrt(head_dim)
        return scores.softmax(-1).reshape(batch, heads, tokens, keys) @ v

    with pytest.raises(ExerciseFailed, match=r"k is not transposed"):
        check_attention(bmm_no_transpose)


def _keys_reversed(q, k, v):
    return (q @ k.T / math.sqrt(q.shape[-1])).softmax(-1) @ v


def _keys_heads_tokens_swapped(q, k, v):
    return (q @ k.transpose(1, 2) / math.sqrt(q.shape[-1])).softmax(-1) @ v


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(
    ("wrong", "named"),
    [(_keys_reversed, r"k\.T on a 4-D tensor"), (_keys_heads_tokens_swapped, r"k\.transpose\(1, 2\)")],
)
def test_attention_names_a_transpose_on_the_wrong_axes(wrong, named):
    with pytest.raises(ExerciseFailed, match=named) as failure:
        check_attention(wrong)
    assert "keepdim" not in str(failure.value)  # no reduction lost an axis here
    assert "batch axes" in str(failure.value) and "transpose(-2, -1)" not in str(failure.value).split("(Your")[0]


def test_attention_names_d_to_the_one_half_as_d_over_2():
    with pytest.raises(ExerciseFailed, match=r"divided by d/2: d\*\*1/2 is \(d\*\*1\)/2") as failure:
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / (q.shape[-1] ** 1 / 2)).softmax(-1) @ v)
    assert "fixed 1/8" not in str(failure.value)


def test_attention_names_inline_d_to_the_one_half():
    # dots / d**1/2 is (dots / d) / 2: the same slip written inline, dividing by 2 d
    with pytest.raises(ExerciseFailed, match=r"divided by 2 d: dots / d\*\*1/2 is \(dots / d\*\*1\) / 2") as failure:
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / q.shape[-1] ** 1 / 2).softmax(-1) @ v)
    assert "the values differ" not in str(failure.value)


def test_mha_names_view_on_the_way_out():
    def view_out(mha, x):
        batch, tokens, dim = x.shape
        t = x.transpose(0, 1)
        return mha(t, t, t)[0].view(batch, tokens, dim)

    with pytest.raises(ExerciseFailed, match=r"out\.view\(B, N, D\) or out\.reshape\(B, N, D\)"):
        check_mha_forward(view_out)


def test_attention_right_with_d_to_the_0_5_and_mT(capsys):
    check_attention(lambda q, k, v: (q @ k.mT / q.shape[-1] ** 0.5).softmax(-1) @ v)
    assert "Correct" in capsys.readouterr().out


def test_merge_heads_in_place_is_named():
    def split(x, heads):
        batch, tokens, dim = x.shape
        return x.reshape(batch, tokens, heads, dim // heads).transpose(1, 2)

    def merge_in_place(x):
        batch, heads, tokens, head_dim = x.shape
        return x.transpose_(1, 2).reshape(batch, tokens, heads * head_dim)

    with pytest.raises(ExerciseFailed, match=r"merge_heads changed its input in place") as failure:
        check_split_merge(split, merge_in_place)
    assert "transpose_" in str(failure.value)


@pytest.mark.parametrize("rounded", [1.7e8, 1.705e8, 170_000_000])
def test_memory_names_a_rounded_right_answer_before_any_slip(rounded):
    with pytest.raises(ExerciseFailed, match=r"it looks rounded; give the exact integer") as failure:
        check_attention_memory(lambda: rounded)
    assert "N = 576" not in str(failure.value)


@pytest.mark.parametrize("reversed_axes", [lambda x: x.T, lambda x: x.permute(1, 2, 0)])
def test_mha_names_x_T_on_a_3d_tensor(reversed_axes):
    def mha_forward(mha, x):
        t = reversed_axes(x)
        return mha(t, t, t, need_weights=False)[0].transpose(0, 1)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checker keeps torch's x.T warning out of the learner's way
        with pytest.raises(ExerciseFailed, match=r"x\.T reverses all axes to \(D, N, B\), but it wants \(N, B, D\)"):
            check_mha_forward(mha_forward)


def test_attention_keeps_torch_x_T_warning_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ExerciseFailed, match=r"k\.T on a 4-D tensor"):
            check_attention(_keys_reversed)


def _reported(check, answer) -> str:
    try:
        check(answer)
    except ExerciseFailed as failure:
        return str(failure)
    raise AssertionError("the checker passed a slip")


def test_exercise3_names_k_and_v_swapped():  # review r26c_03 minor 12
    def swapped(q, k, v):
        return (q @ v.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ k

    assert "k and v are swapped" in _reported(lesson03.check_attention, swapped)


def test_exercise5_names_dropped_defaults():  # review r26c_03 minor 13
    def no_defaults(b, n, h, e):
        return b * h * n * n * e

    assert "keep the stub's arguments and their defaults" in _reported(lesson03.check_attention_memory, no_defaults)


def test_exercise6_names_a_typed_in_head_count():  # review r26c_03 minor 11
    def typed_in(weight, heads):
        return rearrange(weight, "(h three d) i -> (three h d) i", three=3, h=12)

    def typed_reshape(weight, heads):
        return weight.reshape(2, 3, -1, weight.shape[1]).permute(1, 0, 2, 3).reshape(weight.shape)

    assert "The head count is typed in (12): use the `heads`" in _reported(lesson03.check_to_timm_qkv, typed_in)
    # review r36c minor 5: after "...(float32):" the hint goes on in lower case
    assert "(float32): the head count is typed in (2)" in _reported(lesson03.check_to_timm_qkv, typed_reshape)


def test_exercise3_names_v_transposed_not_k():  # review r27a_03 MAJOR 1
    def v_transposed(q, k, v):
        return (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v.mT

    def v_reversed(q, k, v):
        return torch.matmul((q @ k.mT / math.sqrt(q.shape[-1])).softmax(-1), v.T)

    message = _reported(lesson03.check_attention, v_transposed)
    assert "multiply v transposed" in message and "weights @ v" in message
    assert "k is not transposed" not in message
    reversed_message = _reported(lesson03.check_attention, v_reversed)
    assert reversed_message.startswith("Not yet: v.T on a 4-D tensor") and "k.T" not in reversed_message


def test_exercise3_unnamed_product_mismatch_is_neutral():  # review r27a_03 MAJOR 1, fix 2
    from vit_explained.exercises.lesson03 import _matmul_hint

    q = torch.rand(1, 2, 3, 4)
    try:
        q @ torch.rand(1, 2, 5, 6)  # inner sizes 4 and 5: no slip of exercise 3 has them
    except RuntimeError as error:
        hint = _matmul_hint(error, (1, 2, 3, 4))
    assert hint == "a matrix product's inner sizes do not fit: check which tensor you transposed"


def test_exercise6_names_a_head_count_hard_coded_in_a_call():  # review r27a_03 minor 11
    def reference(weight, heads):
        d = weight.shape[0] // (3 * heads)
        return weight.reshape(heads, 3, d, weight.shape[1]).permute(1, 0, 2, 3).reshape(weight.shape)

    def hard_coded(weight, heads):
        return reference(weight, 12)

    message = _reported(lesson03.check_to_timm_qkv, hard_coded)
    assert (
        "size-0 axis" in message and "is a head count hard-coded" in message and "heads=5" in message
    )  # r33b M3: the first case has 5 heads


# --- exercise 7: the whole layer as one forward pass ---


def _no_bias(linear):  # a copy of the Linear without its bias: a learner's forgotten bias (review r29b_03)
    bare = copy.deepcopy(linear)
    bare.bias = None
    return bare


def attention_layer(x, qkv, proj, heads):
    batch, tokens, dim = x.shape
    head_dim = dim // heads
    q, k, v = qkv(x).reshape(batch, tokens, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
    weights = (q @ k.transpose(-2, -1) / math.sqrt(head_dim)).softmax(dim=-1)
    return proj((weights @ v).transpose(1, 2).reshape(batch, tokens, dim))


def _layer_einops(x, qkv, proj, heads):
    q, k, v = rearrange(qkv(x), "b n (three h d) -> three b h n d", three=3, h=heads)
    scores = torch.einsum("bhid,bhjd->bhij", q, k) * q.shape[-1] ** -0.5
    return proj(rearrange(torch.einsum("bhij,bhjd->bhid", scores.softmax(-1), v), "b h n d -> b n (h d)"))


def _layer_loops(x, qkv, proj, heads):  # head by head with F.linear on the weights, float64 inside
    dim = x.shape[-1]
    head_dim = dim // heads
    mixed = F.linear(x.double(), qkv.weight.double(), qkv.bias.double())
    outs = []
    for h in range(heads):
        cols = slice(h * head_dim, (h + 1) * head_dim)
        q, k, v = (mixed[..., i * dim :][..., cols] for i in range(3))
        weights = torch.softmax(q @ k.mT / math.sqrt(head_dim), dim=2)
        outs.append(weights @ v)
    return F.linear(torch.cat(outs, dim=-1).to(x.dtype), proj.weight, proj.bias)


def _layer_chunk(x, qkv, proj, heads):  # chunk, view + transpose, in-place ops on its own tensors
    batch, tokens, dim = x.shape
    q, k, v = (t.view(batch, tokens, heads, -1).transpose(1, 2) for t in qkv(x).chunk(3, dim=-1))
    q = q.clone()
    q.mul_(q.shape[-1] ** -0.5)
    out = (q @ k.transpose(-1, -2)).softmax(-1) @ v
    return proj(out.transpose(1, 2).contiguous().view(batch, tokens, dim)).detach().numpy()


@pytest.mark.parametrize("answer", [attention_layer, _layer_einops, _layer_loops, _layer_chunk])
def test_attention_layer_accepts_right_answers(answer, capsys):
    lesson03.check_attention_layer(answer)
    assert "Correct!" in capsys.readouterr().out


def _layer_scale_folded_into_qkv(x, qkv, proj, heads):  # right for the original layer, but edits W_q in place
    dim = x.shape[-1]
    with torch.no_grad():
        qkv.weight[:dim] *= (dim // heads) ** -0.5
        qkv.bias[:dim] *= (dim // heads) ** -0.5
    q, k, v = rearrange(qkv(x), "b n (three h d) -> three b h n d", three=3, h=heads)
    return proj(rearrange((q @ k.mT).softmax(-1) @ v, "b h n d -> b n (h d)"))


def _layer_zeroes_proj(x, qkv, proj, heads):  # the cheat: a zero proj makes zeros the "right" output
    with torch.no_grad():
        proj.weight.zero_()
        proj.bias.zero_()
    return torch.zeros_like(x)


def _layer_casts_to_float32(x, qkv, proj, heads):  # Module.float() casts in place: the float64 layer changes
    return attention_layer(x.float(), qkv.float(), proj.float(), heads).to(x.dtype)


@pytest.mark.parametrize(
    ("answer", "name"),
    [(_layer_scale_folded_into_qkv, "qkv"), (_layer_zeroes_proj, "proj"), (_layer_casts_to_float32, "qkv")],
)
def test_attention_layer_names_changes_to_the_linears(answer, name):
    with pytest.raises(ExerciseFailed) as caught:
        lesson03.check_attention_layer(answer)
    assert f"your function changed {name}'s weights or dtype in place" in str(caught.value)


def _mha_double_and_back(mha, x):
    mha.double()
    out = mha_forward(mha, x.double()).float()
    mha.float()
    return out


def _mha_zeroes_out_proj(mha, x):
    with torch.no_grad():
        mha.out_proj.weight.zero_()
        mha.out_proj.bias.zero_()
    return torch.zeros_like(x)


@pytest.mark.parametrize("answer", [_mha_double_and_back, _mha_zeroes_out_proj])
def test_mha_names_changes_to_the_weights(answer):
    with pytest.raises(ExerciseFailed, match="changed the module's weights or dtype in place"):
        check_mha_forward(answer)


def _layer_with(*, scale="d", dim_softmax=-1, merge="transpose", proj_on=True, split="three h d"):
    def answer(x, qkv, proj, heads):
        batch, tokens, dim = x.shape
        head_dim = dim // heads
        mixed = qkv(x)
        if split == "three h d":
            q, k, v = mixed.reshape(batch, tokens, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
        elif split == "three d h":  # review r27c_03 minor 1 (b): heads after d
            q, k, v = mixed.reshape(batch, tokens, 3, head_dim, heads).permute(2, 0, 4, 1, 3)
        elif split == "none":  # review r27c_03 minor 1 (c): one wide head, (B, N, D) each
            q, k, v = mixed.chunk(3, dim=-1)
        elif split == "v k q":  # review r27d_03 minor 10: q and v swapped
            v, k, q = mixed.reshape(batch, tokens, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
        elif split == "k q v":  # review r27f_03 minor 7: q and k swapped
            k, q, v = mixed.reshape(batch, tokens, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
        elif split == "reshape alone":  # review r34a_03 minor 4: section 1's widget, "reshape, no permute"
            q, k, v = mixed.reshape(batch, 3, heads, tokens, head_dim).transpose(0, 1)
        elif split == "reshape alone, batch second":  # audit a34a_03 item 5: (3, B, h, N, d)
            q, k, v = mixed.reshape(3, batch, heads, tokens, head_dim)
        elif split == "heads behind tokens":  # review r34c_03 minor 6: permute(2, 0, 1, 3, 4), q is (B, N, h, d)
            q, k, v = mixed.reshape(batch, tokens, 3, heads, head_dim).permute(2, 0, 1, 3, 4)
        elif split == "reshape alone, indexed":
            parts = mixed.reshape(batch, 3, heads, tokens, head_dim)
            q, k, v = parts[:, 0], parts[:, 1], parts[:, 2]
        else:
            q, k, v = mixed.reshape(batch, tokens, heads, 3, head_dim).permute(3, 0, 2, 1, 4)
        scores = q @ k.transpose(-2, -1)
        scores = scores / {"d": math.sqrt(head_dim), "D": math.sqrt(dim), None: 1.0, 8: 8.0}[scale]
        out = (F.softmax(scores) if dim_softmax is None else scores.softmax(dim=dim_softmax)) @ v  # None: no dim=
        if split == "none":
            return proj(out)
        if merge == "view":  # review r27c_03 minor 1 (d): .view after transpose raises
            return proj(out.transpose(1, 2).view(batch, tokens, dim))
        merged = (out.transpose(1, 2) if merge == "transpose" else out).reshape(batch, tokens, dim)
        return proj(merged) if proj_on else merged

    return answer


@pytest.mark.parametrize(
    "answer, message",
    [
        (_layer_with(scale=None), "not divided by sqrt\\(d\\)"),
        (_layer_with(scale="D"), "divided by sqrt\\(D\\), the model width"),
        (_layer_with(dim_softmax=-2), "softmax runs over the queries \\(dim=-2\\)"),
        (_layer_with(dim_softmax=1), "softmax runs over the heads axis \\(dim=1\\)"),  # review r34a_03 minor 4
        (_layer_with(split="reshape alone"), "split with a reshape alone, \\(B, 3, h, N, d\\)"),  # r34a_03 minor 4
        (_layer_with(split="reshape alone, indexed"), "split with a reshape alone, \\(B, 3, h, N, d\\)"),
        (_layer_with(split="reshape alone, batch second"), "split with a reshape alone, \\(3, B, h, N, d\\)"),
        (_layer_with(merge="reshape"), "merged with a reshape .* transpose\\(1, 2\\) first"),
        # review r34c_03 minor 6: the heads left behind the tokens, merged as the lesson does or straight
        (
            _layer_with(split="heads behind tokens"),
            r"your q is \(B, N, h, d\): permute\(2, 0, 1, 3, 4\) left the heads",
        ),
        (
            _layer_with(split="heads behind tokens", merge="reshape"),
            r"permute\(2, 0, 3, 1, 4\) moves the heads in front",
        ),
        (_layer_with(proj_on=False), "output projection is missing"),
        (_layer_with(split="h three d"), "split as \\(h, three, d\\)"),
        (_layer_with(scale=8), "fixed 1/8 \\(ViT-B's 1/sqrt\\(64\\)\\)"),  # review r27c_03 minor 1 (a)
        (_layer_with(split="three d h"), "split as \\(three, d, h\\): head 0 got features 0, h, 2h"),
        (_layer_with(split="none"), "not split into heads \\(one wide head, scaled by 1/sqrt\\(d\\)\\)"),
        (_layer_with(split="none", scale="D"), "not split into heads \\(one wide head, scaled by 1/sqrt\\(D\\)\\)"),
        (_layer_with(merge="view"), "\\.view\\(\\) cannot regroup it: use \\.reshape"),
        (_layer_with(split="v k q"), "q and v are swapped: in \\(three, h, d\\) the first third"),  # r27d_03 m10
        (_layer_with(split="k q v"), "q and k swapped: the scores are transposed"),  # review r27f_03 minor 7
        (  # review r29b_03 minor 11: the forgotten bias gets a named hint
            lambda x, qkv, proj, heads: attention_layer(x, _no_bias(qkv), proj, heads),
            "did you drop qkv's bias\\?",
        ),
        (lambda x, qkv, proj, heads: attention_layer(x, qkv, _no_bias(proj), heads), "did you drop proj's bias\\?"),
        (lambda x, qkv, proj, heads: F.scaled_dot_product_attention(x, x, x), "scaled_dot_product_attention"),
        (
            lambda x, qkv, proj, heads: qkv(x).reshape(x.shape[0], x.shape[1], 3, heads, -1)[:, :, 0].transpose(1, 2),
            "per head, \\(B, h, N, d\\)",
        ),
        (lambda x, qkv, proj, heads: attention_layer(x.mul_(1.0).add_(1.0), qkv, proj, heads), "changed x in place"),
        (
            lambda x, qkv, proj, heads: attention_layer(x, qkv, proj, heads).half(),
            "keep x's dtype, float32",
        ),  # review r27c_03 minor 2
    ],
)
def test_attention_layer_names_the_slips(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson03.check_attention_layer(answer)


def test_attention_layer_names_a_softmax_without_dim_and_keeps_torch_warning_quiet():  # review r34c_03 minor 6
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch's "Implicit dimension choice" UserWarning must not reach the learner
        message = _reported(lesson03.check_attention_layer, _layer_with(dim_softmax=None))
    assert message.startswith("Not yet: ") and "your softmax has no dim=, so torch picked dim=1" in message
    assert "pass dim=-1" in message and "\n" not in message  # exercise 3's message, one line
    explicit = _reported(lesson03.check_attention_layer, _layer_with(dim_softmax=1))  # dim=1 typed: the slip's message
    assert "the softmax runs over the heads axis (dim=1)" in explicit and "no dim=" not in explicit


def test_attention_layer_stub_is_not_attempted_and_leaves_random_numbers_alone():
    def stub(x, qkv, proj, heads):
        raise NotImplementedError("your code here")

    with pytest.raises(ExerciseNotAttempted):
        lesson03.check_attention_layer(stub)
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    lesson03.check_attention_layer(attention_layer)
    assert torch.equal(torch.rand(1), before)


def _layer_k_as_it_is(x, qkv, proj, heads):  # the learner's own code: the checker reads it to name the slip
    b, n, dim = x.shape
    d = dim // heads
    q, k, v = qkv(x).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    return proj(((q @ k / math.sqrt(d)).softmax(-1) @ v).transpose(1, 2).reshape(b, n, dim))


def _layer_k_dot_t(x, qkv, proj, heads):
    b, n, dim = x.shape
    d = dim // heads
    q, k, v = qkv(x).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    return proj(((q @ k.T / math.sqrt(d)).softmax(-1) @ v).transpose(1, 2).reshape(b, n, dim))


def _layer_k_transpose_1_2(x, qkv, proj, heads):
    b, n, dim = x.shape
    d = dim // heads
    q, k, v = qkv(x).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    return proj(((q @ k.transpose(1, 2) / math.sqrt(d)).softmax(-1) @ v).transpose(1, 2).reshape(b, n, dim))


def _layer_by_d(x, qkv, proj, heads):
    b, n, dim = x.shape
    d = dim // heads
    q, k, v = qkv(x).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    return proj(((q @ k.transpose(-2, -1) / d).softmax(-1) @ v).transpose(1, 2).reshape(b, n, dim))


def _layer_by_d_power_slip(x, qkv, proj, heads):
    b, n, dim = x.shape
    d = dim // heads
    q, k, v = qkv(x).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    scores = q @ k.transpose(-2, -1) / d**1/2  # fmt: skip
    return proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, dim))


def _layer_by_d_power_slip_parenthesised(x, qkv, proj, heads):
    b, n, dim = x.shape
    d = dim // heads
    q, k, v = qkv(x).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    scores = q @ k.transpose(-2, -1) / (d**1/2)  # fmt: skip
    return proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, dim))


@pytest.mark.parametrize(
    "answer, message",
    [  # review r34f_03 minor 2: exercise 3's named messages, in exercise 7 too (torch's own error text no more)
        (_layer_k_as_it_is, r"q @ k pairs query features with key tokens: k .* is not transposed"),
        (_layer_k_dot_t, r"k\.T on a 4-D tensor reverses every axis"),
        (_layer_k_transpose_1_2, r"k\.transpose\(1, 2\) swaps the heads and the tokens"),
        (_layer_by_d, r"the scores are divided by d; the right scale is 1 / sqrt\(d\)"),
        (_layer_by_d_power_slip, r"divided by 2 d: scores / d\*\*1/2 is \(scores / d\*\*1\) / 2"),
        (_layer_by_d_power_slip_parenthesised, r"divided by d/2: d\*\*1/2 is \(d\*\*1\)/2"),
    ],
)
def test_attention_layer_names_the_scores_slips(answer, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # k.T on a 4-D tensor: torch's deprecation warning
        reported = _reported(lesson03.check_attention_layer, answer)
    assert re.search(message, reported) and "RuntimeError" not in reported and "size of tensor" not in reported


def _layer_by_hand_k_transpose_1_2(x, qkv, proj, heads):  # a right 2-D weight.T beside the slip
    b, n, dim = x.shape
    d = dim // heads
    q, k, v = (x @ qkv.weight.T + qkv.bias).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    return proj(((q @ k.transpose(1, 2) / math.sqrt(d)).softmax(-1) @ v).transpose(1, 2).reshape(b, n, dim))


def _layer_keys_dot_t(x, qkv, proj, heads):  # not named q, k or v: the message names both transposes
    b, n, dim = x.shape
    d = dim // heads
    queries, keys, values = qkv(x).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    weights = (queries @ keys.T / math.sqrt(d)).softmax(-1)
    return proj((weights @ values).transpose(1, 2).reshape(b, n, dim))


def _layer_by_two_d(x, qkv, proj, heads):
    b, n, dim = x.shape
    d = dim // heads
    q, k, v = qkv(x).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    return proj(((q @ k.transpose(-2, -1) / (2 * d)).softmax(-1) @ v).transpose(1, 2).reshape(b, n, dim))


def _layer_by_minus_half_power(x, qkv, proj, heads):
    b, n, dim = x.shape
    d = dim // heads
    q, k, v = qkv(x).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    scores = q @ k.transpose(-2, -1) * d**-1/2  # fmt: skip
    return proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, dim))


def _layer_by_d_over_2(x, qkv, proj, heads):
    b, n, dim = x.shape
    d = dim // heads
    q, k, v = qkv(x).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    return proj(((q @ k.transpose(-2, -1) / (d / 2)).softmax(-1) @ v).transpose(1, 2).reshape(b, n, dim))


def _layer_by_an_eighth(x, qkv, proj, heads):
    b, n, dim = x.shape
    d = dim // heads
    q, k, v = qkv(x).reshape(b, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    return proj(((q @ k.transpose(-2, -1) * 0.125).softmax(-1) @ v).transpose(1, 2).reshape(b, n, dim))


@pytest.mark.parametrize(
    "answer, message, absent",
    [  # audit a35a_03 items 2, 4 and 5: each message names only a slip the code holds
        (_layer_by_hand_k_transpose_1_2, r"k\.transpose\(1, 2\) swaps the heads and the tokens", "k.T"),
        (_layer_keys_dot_t, r"k is transposed on the wrong axes \(k\.T on a 4-D tensor", "keys"),
        (_layer_by_two_d, r"divided by 2 d; the scale is 1 / sqrt\(d\)$", "fixed 1/8"),
        (_layer_by_minus_half_power, r"multiplied by 1 / \(2 d\): d\*\*-1/2 is \(d\*\*-1\)/2", "fixed 1/8"),
        (_layer_by_d_over_2, r"divided by d/2; the scale is 1 / sqrt\(d\)$", "binds tighter"),
        (_layer_by_an_eighth, r"the scale is a fixed 1/8 \(ViT-B's 1/sqrt\(64\)\)", "2 d"),
    ],
)
def test_attention_layer_names_only_the_slip_in_the_code(answer, message, absent):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # keys.T on a 4-D tensor: torch's deprecation warning
        reported = _reported(lesson03.check_attention_layer, answer)
    assert re.search(message, reported), reported
    assert absent not in reported and "RuntimeError" not in reported


def test_attention_layer_docstring_names_the_head_widths():  # audit a35a_03 item 5: 4, 4, 4 and 6, not "2 to 8"
    assert "head widths 4 and 6" in lesson03.check_attention_layer.__doc__


def test_attention_layer_names_a_typed_in_head_count():  # review r31b_03 minor 11: exercise 6's message reused
    def typed_in(x, qkv, proj, heads):
        b, n, dim = x.shape
        q, k, v = qkv(x).reshape(b, n, 3, 12, dim // 12).permute(2, 0, 3, 1, 4)
        weights = (q @ k.transpose(-2, -1) / math.sqrt(dim // 12)).softmax(-1)
        return proj((weights @ v).transpose(1, 2).reshape(b, n, dim))

    message = _reported(lesson03.check_attention_layer, typed_in)
    # review r36c minor 5: after the colon, lower case ("(float32): the head count ...")
    assert "(float32): the head count is typed in (12): use the `heads` argument (here heads=3)" in message
    assert "The head" not in message


def _ex7_per_role_reshape(x, qkv, proj, heads, *, merge_by_transpose=True):
    """Review r36c minor 3: exercise 2's slip per role: q, k, v each reshaped straight to (B, h, N, d)."""
    b, n, dim = x.shape
    q, k, v = (part.reshape(b, heads, n, dim // heads) for part in qkv(x).chunk(3, dim=-1))
    out = (q @ k.transpose(-2, -1) / math.sqrt(dim // heads)).softmax(-1) @ v
    return proj((out.transpose(1, 2) if merge_by_transpose else out).reshape(b, n, dim))


def _ex7_per_role_reshape_both_ways(x, qkv, proj, heads):  # the merge by the same reshape, undone
    return _ex7_per_role_reshape(x, qkv, proj, heads, merge_by_transpose=False)


@pytest.mark.parametrize("answer", [_ex7_per_role_reshape, _ex7_per_role_reshape_both_ways])
def test_attention_layer_names_the_per_role_reshape(answer):
    message = _reported(lesson03.check_attention_layer, answer)
    assert "q, k and v were each reshaped straight to (B, h, N, d)" in message, message
    assert "(float32): q, k and v were" in message, message  # a36c audit 03 item 7: a colon after the setting
    assert "reshape each to (B, N, h, d), then transpose(1, 2)" in message and "differ" not in message


def test_to_timm_qkv_names_a_typed_head_width_after_minus_one():  # review r36c minor 4: reshape(-1, 3, 6, D_in)
    def answer(weight, heads):
        return weight.reshape(-1, 3, 6, weight.shape[1]).transpose(0, 1).reshape(weight.shape)

    message = _reported(lesson03.check_to_timm_qkv, answer)
    assert "The head width is typed in (6): these weights have other widths (here d = 2)" in message, message
    assert "your function raised RuntimeError" in message  # the torch error, then the hint as its own sentence


def test_exercise8_hint_token_3s_head_0_key_is_zero():  # review r31b_03 minor 10: the task's hint is true
    keys = lesson03.TINY_TOKENS @ lesson03.TINY_W_K.T  # `tiny @ w_k.T`
    assert keys[3, :2].tolist() == [0.0, 0.0]  # token 3's head-0 key is (0, 0): every query scores it 0


def test_to_timm_qkv_names_a_typed_head_width():  # review r27c_03 minor 3: d=64 typed into rearrange
    def answer(weight, heads):
        return rearrange(weight, "(h three d) i -> (three h d) i", three=3, h=heads, d=64)

    with pytest.raises(ExerciseFailed, match="The head width is typed in \\(64\\)"):
        lesson03.check_to_timm_qkv(answer)


def _ex6_typed_four(weight, heads):  # review r33b M3: the strips' 4 heads typed in, d from `heads`
    d = weight.shape[0] // (3 * heads)
    return weight.reshape(4, 3, d, weight.shape[1]).transpose(0, 1).reshape(weight.shape)


def _ex6_typed_four_inferred(weight, heads):  # the 4 typed in, d inferred by -1
    return weight.reshape(4, 3, -1, weight.shape[1]).permute(1, 0, 2, 3).reshape(weight.shape)


def _ex6_typed_width(weight, heads):  # review r33b M3: the head width typed in a reshape
    return weight.reshape(heads, 3, 4, weight.shape[1]).transpose(0, 1).reshape(weight.shape)


def _ex6_typed_width_einops(weight, heads):  # the first case's d = 2 typed into einops: fails on the next case
    return rearrange(weight, "(h three d) i -> (three h d) i", three=3, d=2)


def _ex6_typed_heads_einops(weight, heads):  # the first case's h = 5 typed into einops
    return rearrange(weight, "(h three d) i -> (three h d) i", three=3, h=5)


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (_ex6_typed_four, r"The head count is typed in \(4\): use the `heads` argument \(here heads=5\)"),
        (_ex6_typed_four_inferred, r"The head count is typed in \(4\)"),
        (_ex6_typed_heads_einops, r"The head count is typed in \(5\): use the `heads` argument \(here heads=4\)"),
        (_ex6_typed_width, r"The head width is typed in \(4\): these weights have other widths \(here d = 2\)"),
        # after "...(float32):" the hint goes on in lower case (review r36c minor 5)
        (
            _ex6_typed_width_einops,
            r"\): the head width is typed in \(2\): these weights have other widths \(here d = 6\)",
        ),
    ],
)
def test_exercise6_names_typed_numbers_before_layout_slips(answer, named):
    """Review r33b M3: a typed 4 (the strips' head count) was named as the (d three h) layout slip; the first case
    is now h = 5, d = 2, and the typed-number hints run before the layout hints."""
    message = _reported(lesson03.check_to_timm_qkv, answer)
    assert re.search(named, message), message
    assert "(d three h)" not in message and "swapped the heads" not in message


def _ex6_right_numpy(weight, heads):  # a right answer: a numpy index permutation
    d = weight.shape[0] // (3 * heads)
    rows = np.arange(weight.shape[0]).reshape(heads, 3, d).transpose(1, 0, 2).reshape(-1)
    return weight[torch.from_numpy(rows)]


def _ex6_right_view_named(weight, heads):  # a right answer: h and d named, not typed (the hint stays quiet)
    h = heads
    d = weight.shape[0] // (3 * h)
    return weight.view(h, 3, d, -1).transpose(0, 1).contiguous().view(3 * h * d, -1)


@pytest.mark.parametrize("answer", [_ex6_right_numpy, _ex6_right_view_named])
def test_exercise6_right_answers_pass_the_typed_number_hints(answer):  # review r33b M3
    lesson03.check_to_timm_qkv(answer)


# ---- exercise 8: make a query find a key (review r29a_03 item 4: a q/k design task) ----

_FEATURES = torch.eye(4)


def _query_finds_key():
    w_q, w_k = lesson03.TINY_W_Q.clone(), lesson03.TINY_W_K.clone()
    w_q[:2], w_k[:2] = _FEATURES[[0, 2]], _FEATURES[[2, 3]]  # token 0 asks (1, 1); only token 3 offers (1, 1)
    return w_q, w_k


def _key_difference():  # another design: head 0's key is feature 3 minus feature 1, the query reads feature 0 twice
    w_q, w_k = torch.eye(4)[[2, 3, 0, 1]], torch.eye(4)
    w_q[:2] = _FEATURES[[0, 0]]
    w_k[:2] = torch.stack([_FEATURES[3] - _FEATURES[1], _FEATURES[2]])
    return w_q, w_k


def _float64_sharper():  # head 0's query rows times 5: sharper, the same argmax; float64
    w_q, w_k = (w.double() for w in _query_finds_key())
    w_q[:2] *= 5
    return w_q, w_k


def _numpy_and_lists():
    w_q, w_k = _query_finds_key()
    return [w_q.numpy(), w_k.tolist()]


def _loops():
    w_q = [[1.0 if col == (2, 3, 0, 1)[row] else 0.0 for col in range(4)] for row in range(4)]
    w_k = [[1.0 if col == row else 0.0 for col in range(4)] for row in range(4)]
    w_q[0], w_q[1] = [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]
    w_k[0], w_k[1] = [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]
    return torch.tensor(w_q), torch.tensor(w_k)


@pytest.mark.parametrize("answer", [_query_finds_key, _key_difference, _float64_sharper, _numpy_and_lists, _loops])
def test_query_finds_key_accepts_any_weights_that_do_it(answer, capsys):
    lesson03.check_query_finds_key(answer)
    assert "on token 3, its largest; head 1 is unchanged" in capsys.readouterr().out


def _in_head_1():
    w_q, w_k = lesson03.TINY_W_Q.clone(), lesson03.TINY_W_K.clone()
    w_q[2:], w_k[2:] = _FEATURES[[0, 2]], _FEATURES[[2, 3]]
    return w_q, w_k


def _head_1_changed():
    w_q, w_k = _query_finds_key()
    w_q[2:] = 0
    return w_q, w_k


def _tie():
    w_q, w_k = _query_finds_key()
    w_k[:2] = _FEATURES[[3, 3]]  # tokens 1 and 3 both offer (1, 1)
    return w_q, w_k


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (_in_head_1, r"to token 3 in head 1, not head 0: head 0 is made by rows 0-1"),
        (lambda: tuple(w.T for w in _query_finds_key()), r"transposed: nn.Linear computes q = x @ w_q.T"),
        (lambda: _query_finds_key()[::-1], r"asking and offering are swapped"),
        (_head_1_changed, r"head 0 is right, but head 1's weights changed"),
        (_tie, r"token 3 ties for token 0's largest weight"),
        (lambda: (lesson03.TINY_W_Q, lesson03.TINY_W_K), r"largest weight is on token 0 .*token 3 gets 0\.17"),
        (lambda: _query_finds_key()[0], r"returned a torch.Tensor; return the pair \(w_q, w_k\)"),
        (lambda: (*_query_finds_key(), 1), r"returned a tuple of 3 items; return the pair"),  # review r31c_03 minor 11
        (lambda: (_query_finds_key()[0][:3], _query_finds_key()[1]), r"w_q has shape \(3, 4\); each is \(4, 4\)"),
        (lambda: (_query_finds_key()[0] * float("inf"), _query_finds_key()[1]), r"w_q holds inf or nan"),
        (lambda: 1 / 0, r"raised ZeroDivisionError"),
    ],
)
def test_query_finds_key_names_the_slip(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson03.check_query_finds_key(answer)


def test_query_finds_key_stub_is_not_attempted():
    def query_finds_key():
        raise NotImplementedError("your code here")

    with pytest.raises(ExerciseNotAttempted):
        lesson03.check_query_finds_key(query_finds_key)


def test_tiny_weights_is_section_0s_example():
    weights = lesson03.tiny_weights(lesson03.TINY_W_Q, lesson03.TINY_W_K)  # section 0's printed head-0 row of token 3
    assert int(weights[0, 3].argmax()) == 2 and round(float(weights[0, 3, 2]), 2) == 0.45


def _naive_exp_torch(q, k, v):  # no max subtracted: exp overflows on the checker's large-score case
    scores = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).exp()
    return scores / scores.sum(-1, keepdim=True) @ v


def _naive_exp_numpy(q, k, v):  # the same in numpy (float64 scores here, from np.sqrt): still overflows
    q, k, v = (t.numpy() for t in (q, k, v))
    scores = np.exp(q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1]))
    return scores / scores.sum(-1, keepdims=True) @ v


@pytest.mark.parametrize("naive", [_naive_exp_torch, _naive_exp_numpy])
def test_attention_names_the_missing_max_subtraction(naive, recwarn):
    """Review r29c_03 minor 1: the lesson warns about exp's overflow; the checker has a case that shows it."""
    with pytest.raises(ExerciseFailed, match=r"subtracting each row's maximum before exp") as failure:
        check_attention(naive)
    assert "overflows" in str(failure.value) and "Traceback" not in str(failure.value)
    assert not [w for w in recwarn if "overflow" in str(w.message)]  # numpy's RuntimeWarning stays quiet


def test_attention_refuses_a_python_list(capsys):
    """Review r29c_03 minor 2: exercise 3 promises a (B, h, N_q, d) tensor; .tolist() is refused in one line."""

    def as_list(q, k, v):
        return ((q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v).tolist()

    with pytest.raises(ExerciseFailed, match=r"returned a Python list: return the \(B, h, N_q, d\) tensor") as failure:
        check_attention(as_list)
    assert "\n" not in str(failure.value)


def test_attention_names_unnormalised_exp():
    """Review r29d_03 minor 8: exp of the scores without the division by the row sum is named."""
    with pytest.raises(ExerciseFailed, match=r"the weights do not sum to 1 over the keys"):
        check_attention(lambda q, k, v: (q @ k.mT / math.sqrt(q.shape[-1])).exp() @ v)


def test_messages_name_a_float_division_a_view_after_transpose_and_say_an_int():
    """Review r35a minor 9: exercise 2's `d / heads` gets exercise 1's float-division hint, exercise 6's `.view` after
    `transpose` the course's view hint (not torch's text), and a returned int reads "an int"."""

    def split_float(x, heads):
        b, n, d = x.shape
        return x.reshape(b, n, heads, d / heads).permute(0, 2, 1, 3)

    with pytest.raises(
        ExerciseFailed, match=r"^Not yet: a size is a float \(e.g. D / heads = 64.0\): use D // heads"
    ) as failure:
        check_split_merge(split_float, merge_heads)
    assert "type must be tuple of ints" not in str(failure.value)

    def split_float_minus_one(x, heads):  # a35b audit 6: any float size gets the hint, not only D / heads
        b, n, _ = x.shape
        return x.reshape(b, n, heads, -1.0).permute(0, 2, 1, 3)

    with pytest.raises(ExerciseFailed, match=r"^Not yet: a size is a float \(e.g.") as failure:
        check_split_merge(split_float_minus_one, merge_heads)
    assert "D / heads is a float division" not in str(failure.value)  # the old message blamed D / heads alone

    def view_after_transpose(weight, heads):
        rows, d_in = weight.shape
        return weight.view(heads, 3, rows // (3 * heads), d_in).transpose(0, 1).view(rows, d_in)

    with pytest.raises(ExerciseFailed, match=r"^Not yet: after a permute or transpose the tensor is not contiguous"):
        lesson03.check_to_timm_qkv(view_after_transpose)
    with pytest.raises(ExerciseFailed, match=r"returned an int; return a dict$"):
        check_attention_shapes(lambda batch, num_tokens, dim, heads: 3)
    with pytest.raises(ExerciseFailed, match=r"returned an int; return the pair \(w_q, w_k\)$"):
        lesson03.check_query_finds_key(lambda: 3)
