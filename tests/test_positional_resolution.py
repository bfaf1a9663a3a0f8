"""interpolate_positions and vit_at_resolution (lesson 01, learned positions at a new resolution),
checked against a by-hand cubic-convolution resize, Hugging Face's ViT and the model itself."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vit_explained import ViT
from vit_explained.positional import interpolate_positions, vit_at_resolution


def _keys(x: float, a: float) -> float:
    """The cubic-convolution kernel (Keys 1981) with parameter ``a``."""
    x = abs(x)
    if x <= 1:
        return (a + 2) * x**3 - (a + 3) * x**2 + 1
    if x < 2:
        return a * x**3 - 5 * a * x**2 + 8 * a * x - 4 * a
    return 0.0


def _plain_bicubic(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) resize matrix: half-pixel centres, a = -0.75, edge indices clamped."""
    matrix = np.zeros((n_out, n_in))
    scale = n_in / n_out
    for i in range(n_out):
        source = (i + 0.5) * scale - 0.5
        first = math.floor(source)
        for k in range(-1, 3):
            matrix[i, min(max(first + k, 0), n_in - 1)] += _keys(k - (source - first), -0.75)
    return matrix


def _antialiased_bicubic(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) resize matrix as PIL: a = -0.5, the kernel stretched when shrinking, weights
    cut at the edges and renormalised."""
    matrix = np.zeros((n_out, n_in))
    scale = n_in / n_out
    stretch = max(scale, 1.0)
    for i in range(n_out):
        centre = scale * (i + 0.5)
        low = max(int(centre - 2 * stretch + 0.5), 0)
        high = min(int(centre + 2 * stretch + 0.5), n_in)
        weights = np.array([_keys((j - centre + 0.5) / stretch, -0.5) for j in range(low, high)])
        matrix[i, low:high] = weights / weights.sum()
    return matrix


def _by_hand(table: torch.Tensor, old: tuple[int, int], new: tuple[int, int], resize) -> torch.Tensor:
    """Resize the (1, 1 + rows * cols, D) table's patch rows with separable resize matrices."""
    grid = table[0, 1:].double().reshape(*old, -1)  # (rows, cols, D)
    rows, cols = torch.tensor(resize(old[0], new[0])), torch.tensor(resize(old[1], new[1]))
    resized = torch.einsum("ri,ijd,cj->rcd", rows, grid, cols).reshape(1, -1, grid.shape[-1])
    return torch.cat([table[:, :1].double(), resized], dim=1)


@pytest.mark.parametrize(("old", "new"), [((7, 7), (9, 9)), ((7, 7), (14, 14)), ((4, 6), (6, 5)), ((8, 8), (5, 5))])
def test_matches_a_by_hand_cubic_resize(old: tuple[int, int], new: tuple[int, int]) -> None:
    table = torch.randn(1, 1 + old[0] * old[1], 6, generator=torch.Generator().manual_seed(0))
    timm_like = interpolate_positions(table, new, old)  # timm's defaults: bicubic, antialias
    torch.testing.assert_close(timm_like.double(), _by_hand(table, old, new, _antialiased_bicubic), atol=1e-5, rtol=0)
    plain = interpolate_positions(table, new, old, antialias=False)
    torch.testing.assert_close(plain.double(), _by_hand(table, old, new, _plain_bicubic), atol=1e-5, rtol=0)
    assert torch.equal(timm_like[:, :1], table[:, :1])  # the class token's row is kept as it is


def test_antialias_changes_bicubic_even_when_growing() -> None:
    table = torch.randn(1, 50, 8, generator=torch.Generator().manual_seed(1))
    gap = (interpolate_positions(table, 9) - interpolate_positions(table, 9, antialias=False)).abs().max()
    assert gap > 1e-2  # the two kernels (a = -0.5 and a = -0.75) really differ


def test_matches_hugging_face_interpolate_pos_encoding() -> None:
    from transformers import ViTConfig
    from transformers.models.vit.modeling_vit import ViTEmbeddings

    config = ViTConfig(image_size=28, patch_size=4, num_channels=1, hidden_size=16)
    embeddings = ViTEmbeddings(config)
    with torch.no_grad():
        embeddings.position_embeddings.normal_(generator=torch.Generator().manual_seed(2))
    table = embeddings.position_embeddings.detach()
    for size in (36, 56, 44):
        grid = size // 4
        theirs = embeddings.interpolate_pos_encoding(torch.zeros(1, 1 + grid * grid, 16), size, size)
        ours = interpolate_positions(table, grid, antialias=False)
        torch.testing.assert_close(ours, theirs.detach(), atol=1e-6, rtol=0)


def test_rows_are_read_row_by_row() -> None:
    """A table whose patch rows hold (row, col) is resized bilinearly into new (row, col) values:
    a transposed (column-major) layout would give the wrong coordinates."""
    rows, cols = torch.meshgrid(torch.arange(4.0), torch.arange(6.0), indexing="ij")
    table = torch.cat([torch.zeros(1, 1, 2), torch.stack([rows, cols], dim=-1).reshape(1, 24, 2)], dim=1)
    resized = interpolate_positions(table, (8, 12), (4, 6), mode="bilinear", antialias=False)[0, 1:].reshape(8, 12, 2)
    # half-pixel centres: new index i sits at old coordinate (i + 0.5) / 2 - 0.5, clamped at the edges
    expected_rows = ((torch.arange(8.0) + 0.5) / 2 - 0.5).clamp(0, 3)
    expected_cols = ((torch.arange(12.0) + 0.5) / 2 - 0.5).clamp(0, 5)
    torch.testing.assert_close(resized[:, 0, 0], expected_rows)
    torch.testing.assert_close(resized[0, :, 1], expected_cols)


def test_same_grid_and_nearest() -> None:
    table = torch.randn(1, 1 + 25, 4, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(interpolate_positions(table, 5, antialias=False), table)
    doubled = interpolate_positions(table, 10, mode="nearest")[0, 1:].reshape(10, 10, 4)
    assert torch.equal(doubled[::2, ::2], table[0, 1:].reshape(5, 5, 4))
    assert interpolate_positions(table.double(), 7).dtype == torch.float64
    assert interpolate_positions(torch.randn(1, 2 + 16, 4), 3, num_prefix_tokens=2).shape == (1, 2 + 9, 4)


def test_bad_input_is_named() -> None:
    table = torch.randn(1, 1 + 24, 4)
    with pytest.raises(ValueError, match="not a square grid; pass old_grid"):
        interpolate_positions(table, 5)
    with pytest.raises(ValueError, match="old_grid 5x5 holds 25 patches"):
        interpolate_positions(table, 5, (5, 5))
    with pytest.raises(ValueError, match=r"must be a \(1, prefix \+ rows \* cols, D\) tensor"):
        interpolate_positions(table[0], 5, (4, 6))
    with pytest.raises(ValueError, match="mode"):
        interpolate_positions(table, 5, (4, 6), mode="area")


def _small_vit() -> ViT:
    torch.manual_seed(0)
    return ViT(12, patch_size=4, num_classes=3, dim=8, depth=1, heads=2, mlp_dim=16, channels=1).eval()


def test_vit_at_resolution_reuses_every_weight() -> None:
    model = _small_vit()
    images = torch.rand(2, 1, 12, 12)
    same = vit_at_resolution(model, 12, model.pos_embedding)
    torch.testing.assert_close(same(images), model(images))

    bigger = vit_at_resolution(model, 20, interpolate_positions(model.pos_embedding, 5))
    assert bigger(torch.rand(2, 1, 20, 20)).shape == (2, 3) and bigger.grid == (5, 5)
    assert model.grid == (3, 3) and model.pos_embedding.shape == (1, 10, 8)  # the original is unchanged
    torch.testing.assert_close(bigger.patch_embedding.kernel()[0], model.patch_embedding.kernel()[0])
    assert torch.equal(bigger.encoder.blocks[0].mlp.fc1.weight, model.encoder.blocks[0].mlp.fc1.weight)


def test_vit_at_resolution_refuses_a_wrong_table_or_model() -> None:
    model = _small_vit()
    with pytest.raises(ValueError, match=r"makes a 5x5 grid, so pos_embedding must be \(1, 26, 8\)"):
        vit_at_resolution(model, 20, model.pos_embedding)
    split = ViT(28, patch_size=7, num_classes=3, dim=8, depth=1, heads=2, mlp_dim=16, soft_split=(10, 6, 0))
    with pytest.raises(TypeError, match="patch_embedding is a PatchEmbedding"):
        vit_at_resolution(split, 28, split.pos_embedding)
