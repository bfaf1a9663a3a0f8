"""count_parameters and parameter_breakdown against the standard counts and explicit formulas."""

import pytest
import torch
from torch import nn

from vit_explained import MLP, Block, T2TViT, ViT, count_parameters
from vit_explained.parameters import PARTS, parameter_breakdown


def vit_formula(image_size, patch_size, num_classes, dim, depth, mlp_dim, channels=3):
    tokens = (image_size // patch_size) ** 2 + 1
    block = 4 * dim * dim + 4 * dim + 2 * dim * mlp_dim + mlp_dim + dim + 4 * dim
    return {
        "patch embedding": channels * patch_size**2 * dim + dim,
        "class token + positions": dim + tokens * dim,
        "attention qkv": depth * (3 * dim * dim + 3 * dim),
        "attention proj": depth * (dim * dim + dim),
        "MLP": depth * (2 * dim * mlp_dim + mlp_dim + dim),
        "LayerNorms": (2 * depth + 1) * 2 * dim,
        "head": dim * num_classes + num_classes,
    }, block


@pytest.mark.parametrize(
    ("dim", "heads", "expected"),
    [(192, 3, 5_717_416), (384, 6, 22_050_664), (768, 12, 86_567_656)],
    ids=["ViT-Ti/16", "ViT-S/16", "ViT-B/16"],
)
def test_breakdown_of_standard_vits(dim, heads, expected):
    with torch.device("meta"):
        model = ViT(224, patch_size=16, num_classes=1000, dim=dim, depth=12, heads=heads, mlp_dim=4 * dim)
    breakdown = parameter_breakdown(model)
    formula, block = vit_formula(224, 16, 1000, dim, 12, 4 * dim)
    assert breakdown == formula
    assert sum(breakdown.values()) == count_parameters(model) == expected
    assert block == 12 * dim * dim + 13 * dim
    assert list(breakdown) == [part for part in PARTS if part in breakdown]


def test_breakdown_of_a_small_vit_with_other_sizes():
    model = ViT(32, patch_size=8, num_classes=10, dim=24, depth=3, heads=4, mlp_dim=40, channels=1, qkv_bias=False)
    breakdown = parameter_breakdown(model)
    formula, _ = vit_formula(32, 8, 10, 24, 3, 40, channels=1)
    formula["attention qkv"] -= 3 * 3 * 24  # no qkv bias
    assert breakdown == formula
    assert sum(breakdown.values()) == count_parameters(model)


def test_breakdown_of_a_block_and_an_mlp():
    with torch.device("meta"):
        block = Block(768, 12, 3072)
        mlp = MLP(768, 3072)
    assert parameter_breakdown(block) == {
        "attention qkv": 1_771_776,
        "attention proj": 590_592,
        "MLP": 4_722_432,
        "LayerNorms": 3_072,
    }
    assert count_parameters(block) == 7_087_872
    assert parameter_breakdown(mlp) == {"MLP": 4_722_432}


def test_breakdown_adds_up_on_t2t_and_unknown_modules():
    with torch.device("meta"):
        model = T2TViT(224, in_channels=3, num_classes=1000, embed_dim=384, depth=14, heads=6, mlp_ratio=3)
    breakdown = parameter_breakdown(model)
    assert sum(breakdown.values()) == count_parameters(model) == 21_541_070
    assert parameter_breakdown(nn.Linear(3, 4)) == {"other": 16}


def test_shared_parameters_counted_once():
    layer = nn.Linear(4, 4)
    model = nn.Sequential(layer, layer)
    assert parameter_breakdown(model) == {"other": 20} and count_parameters(model) == 20


def test_trainable_only():
    model = nn.Linear(3, 2)
    model.bias.requires_grad_(False)
    assert count_parameters(model) == 8
    assert count_parameters(model, trainable_only=True) == 6


def test_breakdown_rejects_non_modules():
    with pytest.raises(TypeError, match=r"nn\.Module"):
        parameter_breakdown("ViT-B/16")
