"""Lesson 04, appendix E: PyTorch's nn.TransformerEncoderLayer given a Block's weights (brief fix04f item 4)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from vit_explained import Block
from vit_explained.norm_placement import PostNormBlock, encoder_layer_from_block


def _random_block(dim: int, heads: int, mlp_dim: int, seed: int) -> Block:
    """A float64 block whose every parameter (norms included) is random, so a weight copied to the wrong place shows."""
    torch.manual_seed(seed)
    block = Block(dim, heads, mlp_dim).double().eval()
    with torch.no_grad():
        for parameter in block.parameters():
            parameter.normal_(0.0, 0.3 if parameter.dim() > 1 else 0.1)
    return block


@pytest.mark.parametrize(("dim", "heads", "mlp_dim"), [(64, 4, 256), (48, 3, 96), (32, 1, 64)])
def test_norm_first_true_is_the_block_and_false_the_post_norm_block(dim, heads, mlp_dim) -> None:
    block = _random_block(dim, heads, mlp_dim, seed=dim)
    post = PostNormBlock(dim, heads, mlp_dim).double().eval()
    post.load_state_dict(block.state_dict())
    x = torch.randn(2, 7, dim, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        for norm_first, reference in ((True, block), (False, post)):
            layer = encoder_layer_from_block(block, norm_first=norm_first)
            assert isinstance(layer, nn.TransformerEncoderLayer) and layer.norm_first is norm_first
            assert layer.self_attn.num_heads == heads and layer.linear1.out_features == mlp_dim
            assert layer.norm1.eps == block.norm1.eps == 1e-6 and not layer.training
            assert (layer(x) - reference(x)).abs().max().item() < 1e-12
        # the other placement differs: the check can tell them apart
        assert (encoder_layer_from_block(block, norm_first=False)(x) - block(x)).abs().max().item() > 1e-3


def test_weights_are_copies_and_the_mode_follows_the_block() -> None:
    block = _random_block(32, 4, 64, seed=3).train()
    layer = encoder_layer_from_block(block)
    assert layer.training and layer.self_attn.in_proj_weight.dtype == torch.float64
    with torch.no_grad():
        layer.linear2.weight.zero_()
    assert block.mlp.fc2.weight.abs().sum() > 0  # a copy: the block is untouched


def test_unsupported_blocks_are_refused() -> None:
    with pytest.raises(TypeError, match="Block"):
        encoder_layer_from_block(nn.Linear(4, 4))
    with pytest.raises(ValueError, match="qkv bias"):
        encoder_layer_from_block(Block(32, 4, 64, qkv_bias=False))
    odd = Block(32, 4, 64)
    odd.norm2.eps = 1e-5
    with pytest.raises(ValueError, match="one eps"):
        encoder_layer_from_block(odd)
