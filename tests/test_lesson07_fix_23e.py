"""Lesson 07, review r23d_07: exercise 3's gradient check compares at float32 rounding scaled to the gradient's size,
so a right answer through SDPA (a head axis, ``scale=``) passes, and the cut paths are still named."""

import pytest
import torch
import torch.nn.functional as F

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson07 as ex


def _sdpa(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    out = F.scaled_dot_product_attention(q[:, None], k[:, None], v[:, None], scale=tokens.shape[-1] ** -0.5)[:, 0]
    return v + proj(out)


def _explicit(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    weights = torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1)
    return v + proj(weights @ v)


def _einsum64(tokens, qkv, proj):
    q, k, v = qkv(tokens).double().chunk(3, dim=-1)
    weights = torch.softmax(torch.einsum("bnd,bmd->bnm", q, k) / tokens.shape[-1] ** 0.5, dim=-1)
    out = torch.einsum("bnm,bmd->bnd", weights, v).to(tokens.dtype)
    return v.to(tokens.dtype) + proj(out)


@pytest.mark.parametrize("answer", [_sdpa, _explicit, _einsum64])
def test_right_answers_pass_the_gradient_check(answer):
    ex.check_token_attention(answer)


def test_a_detached_skip_is_still_named():
    def detached(tokens, qkv, proj):
        q, k, v = qkv(tokens).chunk(3, dim=-1)
        weights = torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1)
        return v.detach() + proj(weights @ v)

    with pytest.raises(ExerciseFailed, match="the skip \\(v\\) was detached"):
        ex.check_token_attention(detached)


def test_a_detached_key_is_still_caught():
    def cut_key(tokens, qkv, proj):
        q, k, v = qkv(tokens).chunk(3, dim=-1)
        weights = torch.softmax(q @ k.detach().transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1)
        return v + proj(weights @ v)

    with pytest.raises(ExerciseFailed, match="cut from autograd"):
        ex.check_token_attention(cut_key)


def test_tolerance_scales_with_the_gradient():
    big = torch.full((3, 3), 50.0)
    assert ex._gradient_close(big + 2e-4, big)  # float32 rounding at |g| = 50
    assert not ex._gradient_close(big * 1.01, big)  # a 1 % change is not rounding
