"""attention_cost counts what the explicit attention path actually materialises."""

import pytest
import torch

from vit_explained import Attention
from vit_explained.cost import attention_cost


@pytest.mark.parametrize(("tokens", "dim", "heads"), [(5, 8, 2), (17, 12, 3), (50, 16, 1)])
def test_matches_the_explicit_attention_matrix(tokens, dim, heads):
    _, weights = Attention(dim, heads)(torch.randn(1, tokens, dim), return_attention=True)
    cost = attention_cost(tokens, dim, heads)
    assert cost.matrix_entries == weights.numel()
    assert cost.matrix_bytes == weights.numel() * weights.element_size()


def test_flops_grow_with_n_squared():
    small, large = attention_cost(196, 768, 12), attention_cost(3136, 768, 12)
    assert large.matmul_flops / small.matmul_flops == (3136 / 196) ** 2
    assert attention_cost(197, 768, 12).matrix_entries == 12 * 197 * 197


def test_bad_input():
    with pytest.raises(ValueError, match="not divisible by heads"):
        attention_cost(10, 10, 3)
    with pytest.raises(ValueError, match="num_tokens must be a positive int"):
        attention_cost(0, 8, 2)


def test_matrix_memory_follows_batch_heads_and_tokens_not_width():
    base = attention_cost(3136, 768, 12)
    assert attention_cost(3136, 192, 12).matrix_bytes == base.matrix_bytes  # width: no change
    assert base.matrix_bytes == 12 * attention_cost(3136, 768, 1).matrix_bytes  # heads: proportional
    assert attention_cost(3136, 768, 12, batch=4).matrix_bytes == 4 * base.matrix_bytes
    assert base.matrix_bytes == 3136 * 3136 * 12 * 4


def test_flops_follow_the_width_and_match_the_matmuls():
    cost = attention_cost(197, 768, 12)
    assert (
        cost.matmul_flops == attention_cost(197, 768, 1).matmul_flops == 4 * attention_cost(197, 192, 12).matmul_flops
    )
    # q k^T: N x d by d x N per head, 2 flops per multiply-add; weights @ v the same
    assert cost.matmul_flops == 2 * (2 * 197 * 197 * 768)
    assert cost.projection_flops == 2 * 197 * (768 * 3 * 768 + 768 * 768)
    assert attention_cost(197, 768, 12, batch=3).projection_flops == 3 * cost.projection_flops


def test_count_macs_equals_torch_flop_counter():
    """Every Linear, the conv patch embedding and attention's two matmuls, against PyTorch's own count
    (on the explicit path: FlopCounterMode does not see inside the CPU's fused attention kernel)."""
    from torch.utils.flop_counter import FlopCounterMode

    from vit_explained import ViT
    from vit_explained.cost import count_macs

    torch.manual_seed(0)
    model = ViT((16, 12), patch_size=4, num_classes=5, dim=24, depth=2, heads=3, mlp_dim=48, channels=2).eval()
    images = torch.rand(3, 2, 16, 12)
    fused = count_macs(model, images)
    for block in model.blocks:
        block.attn.fused = False
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(images)
    macs = count_macs(model, images)
    assert sum(macs.values()) == counter.get_total_flops() // 2
    assert macs == fused  # counted from the shapes, whichever path runs
    tokens = 4 * 3 + 1
    assert macs["attention"] == 2 * 3 * 2 * tokens * tokens * 24  # depth x batch x (q k^T and weights @ v)
    assert count_macs(model.to("meta"), images.to("meta")) == macs


def test_count_macs_needs_a_module():
    from vit_explained.cost import count_macs

    with pytest.raises(TypeError, match=r"torch\.nn\.Module"):
        count_macs(lambda x: x, torch.rand(1))


@pytest.mark.parametrize(("tokens", "dim_in", "dim"), [(49, 147, 64), (25, 576, 64), (13, 10, 6)])
def test_dim_in_matches_torch_flop_counter_on_the_t2t_token_layer(tokens, dim_in, dim):
    """T2T-ViT_t's token attention reads dim_in features and makes q, k, v dim wide: PyTorch's own
    count of its matmuls (explicit path) equals attention_cost's two parts."""
    from torch.utils.flop_counter import FlopCounterMode

    from vit_explained.t2t import TokenAttention

    layer = TokenAttention(dim_in, dim)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        layer(torch.randn(1, tokens, dim_in), return_attention=True)
    cost = attention_cost(tokens, dim, 1, dim_in=dim_in)
    assert counter.get_total_flops() == cost.matmul_flops + cost.projection_flops
    assert cost.projection_flops == 2 * tokens * (dim_in * 3 * dim + dim * dim)
    assert (
        attention_cost(tokens, dim, 1, dim_in=dim).projection_flops == attention_cost(tokens, dim, 1).projection_flops
    )


def test_t2t_vit_t_first_stage_projections():
    """The numbers lesson 03 prints: stage 1 (3136 tokens, 147 in) and stage 2 (784 tokens, 576 in)."""
    stage_1, stage_2 = attention_cost(3136, 64, 1, dim_in=147), attention_cost(784, 64, 1, dim_in=576)
    assert stage_1.projection_flops == 202_711_040 and 12 < stage_1.matmul_flops / stage_1.projection_flops < 13
    assert stage_2.projection_flops > stage_2.matmul_flops  # at 784 tokens the projections still dominate
    with pytest.raises(ValueError, match="dim_in must be a positive int"):
        attention_cost(10, 8, 2, dim_in=0)
