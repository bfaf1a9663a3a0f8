"""Tokens-to-Token ViT: token counts, shapes, the token transformer, parameter count."""

import pytest
import torch

from vit_explained import T2TViT, TokenAttention, Tokens2Token, TokenTransformer, count_parameters, t2t_chain


@pytest.mark.parametrize(
    ("size", "channels", "grids", "lengths"),
    [
        ((224, 224), 3, [(56, 56, 3136), (28, 28, 784), (14, 14, 196)], [147, 576, 576]),
        ((400, 100), 1, [(100, 25, 2500), (50, 13, 650), (25, 7, 175)], [49, 576, 576]),
    ],
)
def test_chain(size, channels, grids, lengths):
    stages = t2t_chain(*size, channels)
    assert [tuple(stage.grid) for stage in stages] == grids
    assert [stage.token_length for stage in stages] == lengths


def test_tokens2token_grayscale_400x100():
    torch.manual_seed(0)
    module = Tokens2Token((400, 100), 1, token_dim=64, embed_dim=768)
    assert module.num_tokens == 175
    assert module(torch.randn(13, 1, 400, 100)).shape == (13, 175, 768)


def test_tokens2token_224():
    module = Tokens2Token(224, 3)
    assert module.num_tokens == 196
    assert module(torch.randn(2, 3, 224, 224)).shape == (2, 196, 768)


def test_token_attention_skips_through_v_and_scales_by_input_width():
    torch.manual_seed(0)
    attention = TokenAttention(dim=49, token_dim=64)
    assert attention.scale == pytest.approx(1 / 7)
    x = torch.randn(2, 10, 49)
    q, k, v = (x @ w.T for w in attention.qkv.weight.split(64))
    weights = torch.softmax(q @ k.transpose(1, 2) / 7, dim=-1)
    expected = v + attention.proj(weights @ v)
    torch.testing.assert_close(attention(x), expected, rtol=1e-5, atol=1e-5)
    _, returned = attention(x, return_attention=True)
    torch.testing.assert_close(returned[:, 0], weights, rtol=1e-5, atol=1e-6)


def test_token_transformer_shapes():
    block = TokenTransformer(dim=576, token_dim=64)
    assert block(torch.randn(2, 30, 576)).shape == (2, 30, 64)


def test_t2t_vit_14_parameters_and_forward():
    with torch.device("meta"):
        model = T2TViT(224, in_channels=3, num_classes=1000, embed_dim=384, depth=14, heads=6, mlp_ratio=3)
    # 21,541,070: the original code's count (tokens_type 'transformer'), the paper's 21.5M.
    assert count_parameters(model) == 21_541_070
    assert count_parameters(model, trainable_only=True) == 21_541_070 - 197 * 384
    small = T2TViT((400, 100), in_channels=1, num_classes=10, embed_dim=48, depth=2, heads=4, mlp_ratio=2, token_dim=16)
    assert small.num_tokens == 175
    assert small(torch.randn(3, 1, 400, 100)).shape == (3, 10)


def test_position_table_is_fixed_sinusoid():
    model = T2TViT(32, in_channels=1, num_classes=4, embed_dim=16, depth=1, heads=2, mlp_ratio=2, token_dim=8)
    assert not model.pos_embedding.requires_grad
    assert model.pos_embedding.shape == (1, model.num_tokens + 1, 16)
