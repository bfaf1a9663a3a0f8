"""patchify / unpatchify and the three PatchEmbedding methods."""

import pytest
import torch
from einops import rearrange
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from vit_explained import PatchEmbedding, patchify, unpatchify


@st.composite
def image_and_patch(draw):
    ph, pw = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    rows, cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    channels, batch = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    square = draw(st.booleans())
    patch = ph if square else (ph, pw)
    pw = ph if square else pw
    return torch.randn(batch, channels, rows * ph, cols * pw), patch, (ph, pw)


@settings(max_examples=100, deadline=None)
@given(image_and_patch())
def test_unpatchify_inverts_patchify(case):
    images, patch, _ = case
    patches = patchify(images, patch)
    assert torch.equal(unpatchify(patches, patch, images.shape[-2], images.shape[-1]), images)


@settings(max_examples=100, deadline=None)
@given(image_and_patch())
def test_patchify_is_unfold_reordered(case):
    images, patch, (ph, pw) = case
    channels = images.shape[1]
    unfolded = nn.Unfold(kernel_size=(ph, pw), stride=(ph, pw))(images).transpose(1, 2)  # (B, N, c ph pw)
    reordered = rearrange(unfolded, "b n (c p1 p2) -> b n (p1 p2 c)", c=channels, p1=ph, p2=pw)
    patches = patchify(images, patch)
    assert patches.shape == (images.shape[0], (images.shape[2] // ph) * (images.shape[3] // pw), ph * pw * channels)
    assert torch.equal(patches, reordered)


def test_patchify_first_patch_is_top_left_corner_channels_innermost():
    images = torch.arange(2 * 4 * 6, dtype=torch.float32).reshape(1, 2, 4, 6)
    first = patchify(images, 2)[0, 0]
    expected = images[0, :, :2, :2].permute(1, 2, 0).reshape(-1)  # (p1, p2, c)
    assert torch.equal(first, expected)
    second = patchify(images, 2)[0, 1]  # row-major: the next patch to the right
    assert torch.equal(second, images[0, :, :2, 2:4].permute(1, 2, 0).reshape(-1))


@pytest.mark.parametrize("patch_size", [4, (4, 2)])
@pytest.mark.parametrize("source", ["conv", "unfold", "rearrange"])
def test_three_embeddings_agree_with_shared_weights(source, patch_size):
    torch.manual_seed(0)
    images = torch.randn(3, 3, 16, 8)
    reference = PatchEmbedding((16, 8), patch_size, 3, 10, method=source)
    expected = reference(images)
    for method in ("conv", "unfold", "rearrange"):
        other = PatchEmbedding((16, 8), patch_size, 3, 10, method=method).copy_weights_from(reference)
        assert not torch.allclose(PatchEmbedding((16, 8), patch_size, 3, 10, method=method)(images), expected)
        torch.testing.assert_close(other(images), expected, rtol=1e-5, atol=1e-5)


def test_patch_embedding_equals_patchify_then_linear():
    embedding = PatchEmbedding(8, 4, 2, 5, method="rearrange")
    images = torch.randn(2, 2, 8, 8)
    expected = patchify(images, 4) @ embedding.proj.weight.T + embedding.proj.bias
    torch.testing.assert_close(embedding(images), expected)


def test_vit_b16_embedding_shape():
    embedding = PatchEmbedding(224, 16, 3, 768)
    assert embedding.num_patches == 196
    assert embedding(torch.zeros(1, 3, 224, 224)).shape == (1, 196, 768)
