"""ViT: parameter counts of the standard models, shapes, pooling, blocks."""

import pytest
import torch
from torch import nn

from vit_explained import Block, ViT, count_parameters, sinusoid_encoding


@pytest.mark.parametrize(
    ("dim", "heads", "expected"),
    [(192, 3, 5_717_416), (384, 6, 22_050_664), (768, 12, 86_567_656)],
    ids=["ViT-Ti/16", "ViT-S/16", "ViT-B/16"],
)
def test_standard_parameter_counts(dim, heads, expected):
    with torch.device("meta"):  # count without allocating memory
        model = ViT(224, patch_size=16, num_classes=1000, dim=dim, depth=12, heads=heads, mlp_dim=4 * dim)
    assert count_parameters(model) == expected


@pytest.mark.parametrize("pool", ["cls", "mean"])
def test_forward_shapes_non_square(pool):
    model = ViT(
        (32, 16), patch_size=(8, 4), num_classes=10, dim=32, depth=2, heads=4, mlp_dim=64, channels=1, pool=pool
    )
    assert model.num_patches == 16
    assert model(torch.randn(5, 1, 32, 16)).shape == (5, 10)
    assert model.forward_features(torch.randn(5, 1, 32, 16)).shape == (5, 17, 32)


def _blocks_by_hand(model: ViT, images: torch.Tensor) -> torch.Tensor:
    """Patch tokens, class token, positions, then the blocks, without the final norm: (B, N + 1, D)."""
    tokens = model.patch_embedding(images)
    tokens = torch.cat([model.class_token.expand(len(images), -1, -1), tokens], dim=1) + model.pos_embedding
    for block in model.encoder.blocks:
        tokens = block(tokens)
    return tokens


def test_pooling_reads_the_right_tokens():
    """cls: normalise every token, read row 0. mean: timm's ``global_pool="avg"``: no final norm over
    the tokens; average the patch tokens (rows 1..N), *then* LayerNorm the average (``fc_norm``)."""
    torch.manual_seed(0)
    cls_model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=1, heads=2, mlp_dim=32, pool="cls").eval()
    mean_model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=1, heads=2, mlp_dim=32, pool="mean").eval()
    with torch.no_grad():  # a norm that is not the identity, so that the order of mean and norm matters
        mean_model.fc_norm.weight.uniform_(0.5, 1.5)
        mean_model.fc_norm.bias.uniform_(-0.5, 0.5)
    images = torch.randn(2, 3, 8, 8)
    hidden = _blocks_by_hand(cls_model, images)
    normed = nn.functional.layer_norm(hidden, (16,), cls_model.encoder.norm.weight, cls_model.encoder.norm.bias, 1e-6)
    torch.testing.assert_close(cls_model(images), cls_model.head(normed[:, 0]))
    hidden = _blocks_by_hand(mean_model, images)
    norm = mean_model.fc_norm
    average_then_norm = nn.functional.layer_norm(hidden[:, 1:].mean(1), (16,), norm.weight, norm.bias, 1e-6)
    torch.testing.assert_close(mean_model(images), mean_model.head(average_then_norm))
    norm_then_average = nn.functional.layer_norm(hidden[:, 1:], (16,), norm.weight, norm.bias, 1e-6).mean(1)
    assert not torch.allclose(mean_model(images), mean_model.head(norm_then_average), atol=1e-4)
    assert isinstance(mean_model.encoder.norm, nn.Identity) and isinstance(cls_model.fc_norm, nn.Identity)


def test_initialisations_are_the_documented_choices():
    torch.manual_seed(0)
    options = {"patch_size": 4, "num_classes": 10, "dim": 256, "depth": 1, "heads": 4, "mlp_dim": 512}
    timm, jax, default = (ViT(16, **options, init=init) for init in ("timm", "jax", "torch"))
    fc1 = [model.encoder.blocks[0].mlp.fc1.weight for model in (timm, jax, default)]
    # trunc_normal_(std=0.02) cuts at the absolute values -2 and 2 (timm's a, b defaults): 100 std, so
    # in practice a plain normal, with values beyond 2 std
    assert abs(fc1[0].std().item() - 0.02) < 0.001 and 0.04 < fc1[0].abs().max() < 0.2
    xavier = (6 / (256 + 512)) ** 0.5
    assert fc1[1].abs().max() <= xavier and fc1[1].abs().max() > 0.95 * xavier
    fan_in = 1 / 256**0.5  # PyTorch's Linear default: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert fc1[2].abs().max() <= fan_in and fc1[2].abs().max() > 0.95 * fan_in
    assert torch.count_nonzero(jax.head.weight) == 0 and torch.count_nonzero(jax.head.bias) == 0
    assert torch.count_nonzero(timm.encoder.blocks[0].mlp.fc1.bias) == 0
    for model in (timm, jax, default):  # the patch embedding keeps PyTorch's fan-in init (a Conv2d)
        bound = 1 / (3 * 4 * 4) ** 0.5
        assert model.patch_embedding.proj.weight.abs().max() <= bound
    with pytest.raises(ValueError, match="init"):
        ViT(16, **options, init="xavier")


def test_no_weight_decay_names_tokens_positions_biases_and_norms():
    model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=1, heads=2, mlp_dim=32)
    skip = model.no_weight_decay()
    assert {"class_token", "pos_embedding", "head.bias", "encoder.norm.weight", "encoder.blocks.0.norm1.bias"} <= skip
    assert not {"head.weight", "encoder.blocks.0.attn.qkv.weight", "patch_embedding.proj.weight"} & skip


def test_soft_split_stem_is_overlapping_windows_then_a_linear():
    from vit_explained.soft_split import SoftSplit, SoftSplitEmbedding

    options = {"patch_size": 7, "num_classes": 10, "dim": 32, "depth": 1, "heads": 4, "mlp_dim": 64, "channels": 1}
    model = ViT(28, **options, soft_split=(10, 6, 0))
    assert isinstance(model.patch_embedding, SoftSplitEmbedding) and model.patch_embedding.grid == (4, 4)
    images = torch.rand(2, 1, 28, 28)
    windows = SoftSplit(10, 6, 0)(images)  # (B, 16, 100): neighbouring windows share pixels
    expected = windows @ model.patch_embedding.proj.weight.T + model.patch_embedding.proj.bias
    assert torch.allclose(model.patch_embedding(images), expected, atol=1e-6)
    assert model(images).shape == (2, 10)
    with pytest.raises(ValueError, match="token grid"):
        ViT(28, **options, soft_split=(3, 1, 1))
    with pytest.raises(TypeError, match="soft_split"):
        ViT(28, **options, soft_split=(10, 6))
    # the same token grid from another image size must not slip through
    with pytest.raises(ValueError, match="expected images of height x width 28x28, got 32x32"):
        model(torch.rand(1, 1, 32, 32))
    with pytest.raises(ValueError, match="expected 1 channel"):
        model(torch.rand(1, 3, 28, 28))


def test_block_is_pre_norm_residual():
    torch.manual_seed(0)
    block = Block(16, 4, 32)
    x = torch.randn(2, 5, 16)
    hidden = x + block.attn(block.norm1(x))
    torch.testing.assert_close(block(x), hidden + block.mlp(block.norm2(hidden)))


def test_class_token_sees_every_patch():
    torch.manual_seed(0)
    model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=2, heads=2, mlp_dim=32)
    images = torch.randn(1, 3, 8, 8, requires_grad=True)
    model(images).sum().backward()
    per_patch = images.grad.abs().reshape(3, 2, 4, 2, 4).sum(dim=(0, 2, 4))
    assert (per_patch > 0).all()


def test_training_step_changes_every_trainable_parameter():
    torch.manual_seed(0)
    model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=2, heads=2, mlp_dim=32)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    nn.functional.cross_entropy(model(torch.randn(4, 3, 8, 8)), torch.tensor([0, 1, 2, 0])).backward()
    optimizer.step()
    unchanged = [name for name, p in model.named_parameters() if torch.equal(p, before[name])]
    assert unchanged == []


def test_sinusoid_encoding_formula():
    table = sinusoid_encoding(50, 16)
    assert table.shape == (50, 16)
    position, pair = 7, 3
    angle = position / 10000 ** (2 * pair / 16)
    assert table[position, 2 * pair].item() == pytest.approx(torch.sin(torch.tensor(angle)).item(), abs=1e-6)
    assert table[position, 2 * pair + 1].item() == pytest.approx(torch.cos(torch.tensor(angle)).item(), abs=1e-6)
    torch.testing.assert_close(table[0], torch.tensor([0.0, 1.0] * 8))


def test_sinusoid_encoding_odd_width():
    table = sinusoid_encoding(4, 5)
    assert table.shape == (4, 5)
    assert table[0, 4].item() == 0.0  # column 4 is a sine
