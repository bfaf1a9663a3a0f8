"""Lesson 03's checkers accept the reference answers and reject plausible wrong ones, saying why."""

import math

import pytest
import torch
import torch.nn.functional as F

from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises.lesson03 import (
    SHAPE_KEYS,
    check_attention,
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
    with pytest.raises(ExerciseFailed, match="each head works on dim // heads features"):
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
    with pytest.raises(ExerciseFailed, match="batch=1, num_tokens=50, dim=192, heads=3"):
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

    with pytest.raises(ExerciseFailed, match=r"returned shape \(2, 3, 4, 5\)"):
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

    with pytest.raises(ExerciseFailed, match=r"use \.reshape"):
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


def test_attention_rejects_softmax_over_queries():
    def wrong_axis(q, k, v):
        return (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(dim=-2) @ v

    with pytest.raises(ExerciseFailed, match="wrong axis"):
        check_attention(wrong_axis)


def test_attention_rejects_scale_by_d_and_times_sqrt_d():
    with pytest.raises(ExerciseFailed, match="divided by d"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / q.shape[-1]).softmax(-1) @ v)
    with pytest.raises(ExerciseFailed, match="multiplied by sqrt"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) * math.sqrt(q.shape[-1])).softmax(-1) @ v)


def test_attention_rejects_the_fused_shortcut_and_restores_it():
    with pytest.raises(
        ExerciseFailed,
        match=r"build attention .*yourself; your function called torch\.nn\.functional\.scaled_dot_product_attention",
    ):
        check_attention(lambda q, k, v: F.scaled_dot_product_attention(q, k, v))
    q = torch.randn(1, 1, 3, 4)
    assert F.scaled_dot_product_attention(q, q, q).shape == (1, 1, 3, 4)  # the real function is back


def test_attention_rejects_wrong_shape():
    with pytest.raises(ExerciseFailed, match="should be like v's"):
        check_attention(lambda q, k, v: (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1))


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
