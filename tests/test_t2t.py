"""Tokens-to-Token ViT: token counts, shapes, the token transformer, parameter count."""

import hashlib
import pathlib
import sys

import pytest
import torch

from vit_explained import T2TViT, TokenAttention, Tokens2Token, TokenTransformer, count_parameters, t2t_chain
from vit_explained._upstream import (
    T2T_VIT_COMMIT,
    copy_into_original,
    load_original_t2t,
    original_key,
    original_t2t_vit,
)
from vit_explained.t2t import pixels_used


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


def _original_model(config: dict, image_size: int, qk_scale: float | None):
    """yitu-opensource/T2T-ViT's own T2T_ViT (vendored verbatim at commit 0f63dc9), tokens_type 'transformer'
    as in its t2t_vit_t_14, built with this config's sizes."""
    return original_t2t_vit(image_size, **config, qk_scale=qk_scale)


def test_vendored_original_is_the_commit_and_stubs_timm_only_while_importing():
    assert T2T_VIT_COMMIT.startswith("0f63dc9") and len(T2T_VIT_COMMIT) == 40
    module = load_original_t2t()
    assert module.__name__ == "vit_explained._upstream.t2t_vit.t2t_vit"
    timm = sys.modules.get("timm")
    assert timm is None or getattr(timm, "__file__", None), "the timm stand-in must not outlive the import"
    folder = pathlib.Path(module.__file__).parent
    assert "Clear BSD License" in (folder / "LICENSE").read_text()
    with pytest.raises(NotImplementedError):
        module.load_pretrained(None)
    assert load_original_t2t("token_transformer").Attention(49, num_heads=1, in_dim=64).scale == 49**-0.5
    with pytest.raises(ValueError, match="no vendored file"):
        load_original_t2t("vit")


@pytest.mark.parametrize("image_size", [32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_t2t_vit_matches_the_original_code(image_size, channels):
    # The original code (yitu-opensource/T2T-ViT, commit 0f63dc9, vendored in vit_explained/_upstream) on
    # T2TViT's weights, copied by a key mapping: the same logits in float64. Square inputs only: the original
    # reshapes its tokens into a sqrt(N) x sqrt(N) image.
    config = dict(in_channels=channels, num_classes=7, embed_dim=64, depth=2, heads=4, mlp_ratio=3, token_dim=16)
    torch.manual_seed(0)
    ours = T2TViT(image_size, **config).double().eval()
    for parameter in ours.parameters():  # trained-like weights: scores far from 0, so every scale shows
        if parameter.requires_grad:
            torch.nn.init.normal_(parameter, std=0.3)
    original = _original_model(config, image_size, None).double().eval()
    copy_into_original(ours, original)
    images = torch.rand(3, channels, image_size, image_size, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(ours(images), original(images))
        # the original's own sinusoid table (float32) is the one T2TViT builds
        fresh = _original_model(config, image_size, None)
        torch.testing.assert_close(ours.pos_embedding.float(), fresh.pos_embed, rtol=0, atol=1e-6)


def test_key_mapping_covers_every_key():
    assert (
        original_key("tokens_to_token.token_transformers.1.attn.qkv.weight")
        == "tokens_to_token.attention2.attn.qkv.weight"
    )
    assert original_key("encoder.blocks.3.mlp.fc1.bias") == "blocks.3.mlp.fc1.bias"
    assert original_key("encoder.norm.weight") == "norm.weight"
    assert [original_key(k) for k in ("class_token", "pos_embedding", "head.bias")] == [
        "cls_token",
        "pos_embed",
        "head.bias",
    ]
    config = dict(in_channels=1, num_classes=3, embed_dim=16, depth=1, heads=2, mlp_ratio=2, token_dim=8)
    with pytest.raises(KeyError, match="do not map"):
        copy_into_original(T2TViT(32, **config), _original_model({**config, "depth": 2}, 32, None))


def test_qk_scale_sets_the_backbone_scale_as_the_original_code_does():
    # The original's Attention scales by qk_scale or head_dim ** -0.5: the default (None) is the scale the
    # released weights were trained and evaluated with; t2t_vit_t_14(pretrained=True) would set
    # qk_scale = embed_dim ** -0.5 (a dead branch: no weights URL). Both must match the original code.
    embed_dim, heads = 48, 4
    config = dict(in_channels=3, num_classes=7, embed_dim=embed_dim, depth=2, heads=heads, mlp_ratio=3, token_dim=16)
    torch.manual_seed(0)
    other = T2TViT(32, qk_scale=embed_dim**-0.5, **config)
    for block in other.blocks:  # trained-like weights: scores far from 0, so the scale shows in the logits
        torch.nn.init.normal_(block.attn.qkv.weight, std=0.5)
        torch.nn.init.normal_(block.attn.proj.weight, std=0.5)
    default = T2TViT(32, **config)
    default.load_state_dict(other.state_dict())  # the same weights, the default scale
    images = torch.rand(3, 3, 32, 32)
    with torch.no_grad():
        assert all(block.attn.scale == embed_dim**-0.5 for block in other.blocks)
        assert all(block.attn.scale == (embed_dim // heads) ** -0.5 for block in default.blocks)
        assert other.tokens_to_token.token_transformers[0].attn.scale == (3 * 7 * 7) ** -0.5
        for model, qk_scale in [(other, embed_dim**-0.5), (default, None)]:
            original = _original_model(config, 32, qk_scale).eval()
            copy_into_original(model, original)
            torch.testing.assert_close(model(images), original(images))
        # the scale matters: the same weights with the other scale give other logits
        assert (default(images) - other(images)).abs().max() > 1e-2


@pytest.mark.parametrize("bad", [0, -0.1, float("nan")])
def test_qk_scale_must_be_positive(bad):
    with pytest.raises(ValueError, match="qk_scale must be positive"):
        T2TViT(32, in_channels=1, num_classes=2, embed_dim=16, depth=1, heads=2, mlp_ratio=2, token_dim=8, qk_scale=bad)


def test_pixels_used_and_splits_only():
    torch.manual_seed(0)
    module = Tokens2Token(28, in_channels=1, token_dim=16, embed_dim=32)
    image = torch.rand(1, 1, 28, 28, requires_grad=True)
    window = pixels_used(module.soft_splits[0](image)[0, 24], image)  # row 3, col 3 of the 7 x 7 grid
    expected = torch.zeros(28, 28, dtype=torch.bool)
    expected[10:17, 10:17] = True
    assert torch.equal(window, expected)
    chained = module.splits_only(image)
    assert chained.shape == (1, 7 * 7 * 3 * 3 * 3 * 3, 2, 2)
    corner = pixels_used(chained[0, :, 0, 0], image)
    expected = torch.zeros(28, 28, dtype=torch.bool)
    expected[:17, :17] = True
    assert torch.equal(corner, expected)
    assert bool(pixels_used(module(image)[0, 0], image).all())  # the token transformers attend globally


# git blob ids of the files at yitu-opensource/T2T-ViT commit 0f63dc9 (git rev-parse 0f63dc9:<path>)
ORIGINAL_BLOBS = {
    "LICENSE": "ec803e30ebe3769786ce79047f58ae818bb04c95",
    "t2t_vit.py": "31940a6ef681dacd9c0e40db9de0e01659541d73",
    "token_transformer.py": "e842d41d4d2179ae6868ddc36d3df31405640f53",
    "transformer_block.py": "6b285261bd88b4203ebda6f71f26df013b6000c7",
    "token_performer.py": "e2e0f90a35856fcdf3c85ec4d3df685a230d3c2a",
}


@pytest.mark.parametrize("name", list(ORIGINAL_BLOBS))
def test_vendored_files_are_byte_for_byte_the_original(name):
    data = (pathlib.Path(load_original_t2t().__file__).parent / name).read_bytes()
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's object id
    assert blob == ORIGINAL_BLOBS[name]
