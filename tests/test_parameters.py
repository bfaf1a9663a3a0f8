"""count_parameters, parameter_places and parameter_breakdown against the standard counts, explicit
formulas and Hugging Face's ViT."""

import pytest
import torch
from torch import nn

from vit_explained import MLP, Block, T2TViT, ViT, count_parameters
from vit_explained.parameters import PARAMETER_PARTS, ParameterPlace, parameter_breakdown, parameter_places


def vit_formula(image_size, patch_size, num_classes, dim, depth, mlp_dim, channels=3):
    tokens = (image_size // patch_size) ** 2 + 1
    block = 4 * dim * dim + 4 * dim + 2 * dim * mlp_dim + mlp_dim + dim + 4 * dim
    return {
        "embeddings": channels * patch_size**2 * dim + dim + dim + tokens * dim,  # patches, class token, positions
        "norms": (2 * depth + 1) * 2 * dim,
        "qkv": depth * (3 * dim * dim + 3 * dim),
        "proj": depth * (dim * dim + dim),
        "mlp": depth * (2 * dim * mlp_dim + mlp_dim + dim),
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
    assert list(breakdown) == list(PARAMETER_PARTS)


def test_breakdown_of_a_small_vit_with_other_sizes():
    model = ViT(32, patch_size=8, num_classes=10, dim=24, depth=3, heads=4, mlp_dim=40, channels=1, qkv_bias=False)
    breakdown = parameter_breakdown(model)
    formula, _ = vit_formula(32, 8, 10, 24, 3, 40, channels=1)
    formula["qkv"] -= 3 * 3 * 24  # no qkv bias
    assert breakdown == formula
    assert sum(breakdown.values()) == count_parameters(model)


def test_breakdown_of_a_block_and_an_mlp():
    with torch.device("meta"):
        block = Block(768, 12, 3072)
        mlp = MLP(768, 3072)
    assert parameter_breakdown(block) == {"norms": 3_072, "qkv": 1_771_776, "proj": 590_592, "mlp": 4_722_432}
    assert count_parameters(block) == 7_087_872
    assert parameter_breakdown(mlp) == {"mlp": 4_722_432}


def test_breakdown_adds_up_on_t2t_and_unknown_modules():
    with torch.device("meta"):
        model = T2TViT(224, in_channels=3, num_classes=1000, embed_dim=384, depth=14, heads=6, mlp_ratio=3)
    breakdown = parameter_breakdown(model)
    assert sum(breakdown.values()) == count_parameters(model) == 21_541_070
    t2t_module = count_parameters(model.tokens_to_token)
    assert breakdown["embeddings"] == t2t_module + 384 + 197 * 384  # the T2T module, class token, sinusoid table
    assert parameter_breakdown(model, by="layer")["block 13"] == 1_478_016
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


def test_breakdown_rejects_non_modules_and_unknown_groupings():
    with pytest.raises(TypeError, match=r"nn\.Module"):
        parameter_breakdown("ViT-B/16")
    with pytest.raises(ValueError, match="unknown by 'module'"):
        parameter_breakdown(nn.Linear(3, 4), by="module")


def test_places_of_a_small_vit_cover_every_parameter_in_forward_order():
    model = ViT(8, patch_size=2, num_classes=10, dim=16, depth=3, heads=2, mlp_dim=32, channels=1)
    places = parameter_places(model)
    assert list(places) == [name for name, _ in model.named_parameters()]
    assert {place.part for place in places.values()} == set(PARAMETER_PARTS)
    assert places["encoder.blocks.2.attn.qkv.weight"] == ParameterPlace("block 2", "qkv")
    assert places["encoder.blocks.0.norm2.bias"] == ("block 0", "norms")
    assert places["encoder.norm.weight"] == ("final norm", "norms")
    assert places["pos_embedding"] == places["patch_embedding.proj.weight"] == ("embeddings", "embeddings")
    assert places["head.bias"] == ("head", "head")
    layers = list(dict.fromkeys(place.layer for place in places.values()))
    assert layers == ["embeddings", "block 0", "block 1", "block 2", "final norm", "head"]


def test_by_layer_adds_up_to_the_blocks():
    with torch.device("meta"):
        model = ViT(224, patch_size=16, num_classes=1000, dim=768, depth=12, heads=12, mlp_dim=3072)
    layers = parameter_breakdown(model, by="layer")
    assert all(layers[f"block {i}"] == count_parameters(model.blocks[i]) == 7_087_872 for i in range(12))
    assert layers["final norm"] == 1536 and layers["head"] == 769_000
    assert sum(layers.values()) == 86_567_656


@pytest.mark.parametrize(
    ("dim", "heads", "depth", "expected"),
    [(192, 3, 12, 5_717_416), (384, 6, 12, 22_050_664), (768, 12, 12, 86_567_656)],
    ids=["ViT-Ti/16", "ViT-S/16", "ViT-B/16"],
)
def test_parts_equal_hugging_face_vit_module_by_module(dim, heads, depth, expected):
    """An independent implementation: HF transformers' ViT, counted module by module."""
    transformers = pytest.importorskip("transformers")
    config = transformers.ViTConfig(
        hidden_size=dim,
        num_hidden_layers=depth,
        num_attention_heads=heads,
        intermediate_size=4 * dim,
        num_labels=1000,
        image_size=224,
        patch_size=16,
    )
    with torch.device("meta"):
        hf = transformers.ViTForImageClassification(config)
        ours = ViT(224, patch_size=16, num_classes=1000, dim=dim, depth=depth, heads=heads, mlp_dim=4 * dim)

    def count(predicate):
        return sum(p.numel() for name, p in hf.named_parameters() if predicate(name))

    hf_parts = {  # transformers 5.x names
        "embeddings": lambda n: ".embeddings." in n,
        "norms": lambda n: "layernorm" in n,
        "qkv": lambda n: any(f"attention.{x}_proj." in n for x in "qkv"),
        "proj": lambda n: "attention.o_proj." in n,
        "mlp": lambda n: ".mlp." in n,
        "head": lambda n: n.startswith("classifier."),
    }
    assert parameter_breakdown(ours) == {part: count(predicate) for part, predicate in hf_parts.items()}
    assert sum(p.numel() for p in hf.parameters()) == count_parameters(ours) == expected
