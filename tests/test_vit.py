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


def test_pooling_reads_the_right_tokens():
    torch.manual_seed(0)
    cls_model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=1, heads=2, mlp_dim=32, pool="cls").eval()
    mean_model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=1, heads=2, mlp_dim=32, pool="mean").eval()
    mean_model.load_state_dict(cls_model.state_dict())
    images = torch.randn(2, 3, 8, 8)
    features = cls_model.forward_features(images)
    torch.testing.assert_close(cls_model(images), cls_model.head(features[:, 0]))
    torch.testing.assert_close(mean_model(images), cls_model.head(features[:, 1:].mean(1)))


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
