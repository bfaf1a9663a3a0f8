"""The copy of the original T2T-ViT stem (vit_explained.soft_split.OriginalT2TStem) fails or runs as lesson 02 says."""

import pytest
import torch

from vit_explained import count_tokens, t2t_chain
from vit_explained.soft_split import OriginalT2TStem, SoftSplit, tokens_to_image


def test_square_image_gives_our_chains_tokens_and_fits_its_table():
    torch.manual_seed(0)
    stem = OriginalT2TStem(img_size=224, in_chans=3, embed_dim=32)
    out = stem(torch.rand(1, 3, 224, 224))
    assert out.shape == (1, t2t_chain(224, 224, 3)[-1].grid.total + 1, 32) == (1, 197, 32)


def test_square_image_matches_the_chain_with_our_reshape():
    torch.manual_seed(0)
    stem = OriginalT2TStem(img_size=64, in_chans=1, embed_dim=8)
    x = torch.rand(1, 1, 64, 64)
    tokens = stem.attention1(SoftSplit(7, 4, 2)(x))
    tokens = stem.attention2(SoftSplit(3, 2, 1)(tokens_to_image(tokens, 16, 16)))
    ours = stem.project(SoftSplit(3, 2, 1)(tokens_to_image(tokens, 8, 8)))
    assert torch.allclose(stem(x)[:, 1:], ours, atol=1e-6)


def test_tall_image_stops_at_224_with_the_sizes_in_the_message():
    stem = OriginalT2TStem(img_size=224, in_chans=1)
    with pytest.raises(RuntimeError, match=r"\(170\) must match the size of tensor b \(197\)"):
        stem(torch.rand(1, 1, 400, 100))


@pytest.mark.parametrize("img_size", [208, 215, 223])
def test_tall_image_runs_silently_from_208_to_223_on_169_tokens(img_size):
    out = OriginalT2TStem(img_size=img_size, in_chans=1, embed_dim=16)(torch.rand(1, 1, 400, 100))
    assert out.shape == (1, 170, 16)
    assert count_tokens(400, 100, 7, 4, 2).total == 2500 and t2t_chain(400, 100, 1)[-1].grid.total == 175


@pytest.mark.parametrize("img_size", [207, 224])
def test_tall_image_stops_outside_208_to_223(img_size):
    with pytest.raises(RuntimeError, match="must match"):
        OriginalT2TStem(img_size=img_size, in_chans=1, embed_dim=16)(torch.rand(1, 1, 400, 100))
