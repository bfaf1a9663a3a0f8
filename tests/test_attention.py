"""Attention against explicit math, nn.MultiheadAttention, SDPA, and autograd."""

import math

import pytest
import torch
import torch.nn.functional as F

from vit_explained import Attention
from vit_explained.attention import to_multihead
from vit_explained.t2t import TokenAttention


def explicit_attention(module: Attention, x: torch.Tensor) -> torch.Tensor:
    """softmax(Q K^T / sqrt(d)) V per head, written out with plain tensor ops."""
    batch, tokens, _ = x.shape
    heads, head_dim = module.heads, module.head_dim
    qkv = x @ module.qkv.weight.T + module.qkv.bias
    q, k, v = qkv.split(module.inner_dim, dim=-1)
    outputs = []
    for head in range(heads):
        cols = slice(head * head_dim, (head + 1) * head_dim)
        scores = q[..., cols] @ k[..., cols].transpose(1, 2) / math.sqrt(head_dim)
        outputs.append(torch.softmax(scores, dim=-1) @ v[..., cols])
    merged = torch.cat(outputs, dim=-1)
    assert merged.shape == (batch, tokens, heads * head_dim)
    return merged @ module.proj.weight.T + module.proj.bias


@pytest.mark.parametrize(("dim", "heads"), [(12, 1), (12, 3), (64, 8)])
@pytest.mark.parametrize("fused", [True, False])
def test_equals_explicit_math(dim, heads, fused):
    torch.manual_seed(0)
    module = Attention(dim, heads)
    module.fused = fused
    x = torch.randn(2, 7, dim)
    torch.testing.assert_close(module(x), explicit_attention(module, x), rtol=1e-5, atol=1e-5)


def test_equals_multihead_attention_with_copied_weights():
    torch.manual_seed(0)
    dim, heads = 32, 4
    ours = Attention(dim, heads)
    reference = to_multihead(ours, batch_first=True)  # both stack q, k, v rows
    x = torch.randn(3, 11, dim)
    expected, expected_weights = reference(x, x, x, need_weights=True, average_attn_weights=False)
    out, weights = ours(x, return_attention=True)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(weights, expected_weights, rtol=1e-5, atol=1e-6)


def test_to_multihead_without_qkv_bias_and_sequence_first():
    torch.manual_seed(2)
    ours = Attention(24, 3, qkv_bias=False)
    mha = to_multihead(ours, batch_first=False)
    x = torch.randn(2, 6, 24)
    expected, _ = mha(x.transpose(0, 1), x.transpose(0, 1), x.transpose(0, 1))  # (N, B, D)
    torch.testing.assert_close(ours(x), expected.transpose(0, 1), rtol=1e-5, atol=1e-5)


def test_to_multihead_refuses_what_it_cannot_hold():
    with pytest.raises(ValueError, match="inner_dim 8"):
        to_multihead(TokenAttention(16, 8))
    with pytest.raises(TypeError, match=r"vit_explained\.Attention"):
        to_multihead(torch.nn.Linear(4, 4))


def test_fast_and_explicit_paths_agree_and_weights_are_distributions():
    torch.manual_seed(1)
    module = Attention(48, 6)
    x = torch.randn(2, 197, 48)
    fast = module(x)
    explicit, weights = module(x, return_attention=True)
    assert weights.shape == (2, 6, 197, 197)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 6, 197))
    torch.testing.assert_close(fast, explicit, rtol=1e-5, atol=1e-5)


def test_split_heads_equals_sdpa_reference():
    torch.manual_seed(2)
    module = Attention(16, 2)
    x = torch.randn(1, 5, 16)
    q, k, v = module.project_qkv(x)
    assert q.shape == (1, 2, 5, 8)
    expected = F.scaled_dot_product_attention(q, k, v)
    out, _ = module.scaled_dot_product(q, k, v, need_weights=True)
    torch.testing.assert_close(out, expected)


def test_softmax_hook_sees_weights_only_on_explicit_path():
    module = Attention(8, 2)
    seen = []
    module.attend.register_forward_hook(lambda _m, _i, output: seen.append(output))
    x = torch.randn(1, 4, 8)
    module(x)
    assert seen == []
    module.fused = False
    module(x)
    assert len(seen) == 1
    assert seen[0].shape == (1, 2, 4, 4)


@pytest.mark.parametrize("fused", [True, False])
def test_gradcheck(fused):
    torch.manual_seed(0)
    module = Attention(6, 2).double()
    module.fused = fused
    x = torch.randn(2, 3, 6, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(module, (x,))


def test_no_qkv_bias():
    module = Attention(8, 2, qkv_bias=False)
    assert module.qkv.bias is None
    assert sum(p.numel() for p in module.parameters()) == 8 * 24 + 8 * 8 + 8
