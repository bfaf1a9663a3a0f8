"""The hybrid ViT's convolutional stem: equal to conv + BatchNorm + ReLU + nn.Unfold windows by hand,
its shapes in a ViT, its recipe field, and its errors."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vit_explained import ViT
from vit_explained.conv_stem import ConvStem
from vit_explained.patch_embedding import PatchEmbedding
from vit_explained.training import PRESETS, Recipe


def hybrid(**overrides) -> ViT:
    torch.manual_seed(0)
    options = dict(patch_size=2, num_classes=10, dim=32, depth=1, heads=4, mlp_dim=64, channels=1)
    options |= dict(soft_split=(4, 2, 1), stem_channels=8) | overrides
    return ViT(8, **options)


def test_stem_equals_conv_batchnorm_relu_then_unfold_windows():
    model = hybrid().eval()
    with torch.no_grad():  # non-trivial BatchNorm statistics, so eval mode really uses them
        model.patch_embedding.norm.running_mean.uniform_(-0.5, 0.5)
        model.patch_embedding.norm.running_var.uniform_(0.5, 2.0)
    stem = model.patch_embedding
    images = torch.rand(3, 1, 8, 8)
    features = F.conv2d(images, stem.conv.weight, stem.conv.bias, padding=1)
    norm = stem.norm
    features = F.relu(F.batch_norm(features, norm.running_mean, norm.running_var, norm.weight, norm.bias, eps=norm.eps))
    windows = nn.Unfold(kernel_size=4, stride=2, padding=1)(features).transpose(1, 2)  # (B, 16, 8 * 4 * 4)
    expected = F.linear(windows, stem.embedding.proj.weight, stem.embedding.proj.bias)
    with torch.no_grad():
        torch.testing.assert_close(stem(images), expected)
    assert model(images).shape == (3, 10)


def test_same_grid_and_tokens_with_or_without_a_stem():
    with_stem, without = hybrid(), hybrid(stem_channels=0)
    assert isinstance(with_stem.patch_embedding, ConvStem) and not isinstance(without.patch_embedding, ConvStem)
    assert with_stem.grid == without.grid == (4, 4) and with_stem.num_patches == 16
    assert with_stem.pos_embedding.shape == without.pos_embedding.shape == (1, 17, 32)
    stem_parameters = (1 * 9 + 1) * 8 + 2 * 8 + (8 * 16 - 1 * 16) * 32  # conv, BatchNorm, the wider projection
    count = sum(p.numel() for p in with_stem.parameters()) - sum(p.numel() for p in without.parameters())
    assert count == stem_parameters
    assert {"patch_embedding.norm.weight", "patch_embedding.norm.bias"} <= with_stem.no_weight_decay()
    patches = hybrid(soft_split=None)  # a stem also works in front of plain patches
    assert patches(torch.rand(2, 1, 8, 8)).shape == (2, 10)


def test_recipe_stores_the_stem_only_when_there_is_one():
    data = PRESETS["digits"].load_data()
    assert "stem_channels" not in PRESETS["digits"].vit_config(data)
    recipe = Recipe(dataset="digits", patch_size=2, soft_split=(4, 2, 1), stem_channels=16, dim=32, depth=1)
    config = recipe.vit_config(data)
    assert config["stem_channels"] == 16
    assert isinstance(ViT(**config).patch_embedding, ConvStem)


def test_bad_stems_name_the_value():
    with pytest.raises(ValueError, match="stem_channels must be an int >= 0"):
        hybrid(stem_channels=-1)
    with pytest.raises(ValueError, match="stem_channels"):
        Recipe(stem_channels=-2)
    with pytest.raises(ValueError, match="channel"):
        hybrid()(torch.rand(1, 3, 8, 8))
    mismatched = ConvStem(PatchEmbedding(8, 2, 3, 16), channels=1, width=8)  # the embedding wants 3 channels
    with pytest.raises(ValueError, match="3 channel"):
        mismatched(torch.rand(1, 1, 8, 8))
