"""occlusion_map (lesson 08's positive control for deletion) against a by-hand loop, one patch at a time."""

import pytest
import torch

from vit_explained import ViT
from vit_explained.attention_maps import occlusion_map


def small_vit(image_size: int = 12, patch_size: int = 4) -> ViT:
    torch.manual_seed(0)
    return ViT(
        image_size=image_size, patch_size=patch_size, num_classes=5, dim=16, depth=2, heads=2, mlp_dim=32, channels=1
    )


def occlusion_loop(model, images, labels, rows, cols, fill):
    ph, pw = images.shape[-2] // rows, images.shape[-1] // cols
    drops = torch.zeros(len(images), rows, cols)
    with torch.no_grad():
        for b in range(len(images)):
            base = model(images[b : b + 1]).softmax(-1)[0, labels[b]]
            for r in range(rows):
                for c in range(cols):
                    image = images[b : b + 1].clone()
                    image[..., r * ph : (r + 1) * ph, c * pw : (c + 1) * pw] = fill
                    drops[b, r, c] = base - model(image).softmax(-1)[0, labels[b]]
    return drops


@pytest.mark.parametrize("fill", [0.0, 0.5])
def test_occlusion_map_equals_a_loop(fill):
    model = small_vit().eval()
    images = torch.rand(3, 1, 12, 12, generator=torch.Generator().manual_seed(1))
    images[0, :, :4, :4] = fill  # an inert patch: scores exactly 0, without a forward pass
    labels = torch.tensor([1, 3, 4])
    drops = occlusion_map(model, images, labels, (3, 3), fill=fill)
    assert drops.shape == (3, 3, 3)
    torch.testing.assert_close(drops, occlusion_loop(model, images, labels, 3, 3, fill), rtol=1e-5, atol=1e-6)
    assert drops[0, 0, 0].item() == 0.0
    torch.testing.assert_close(occlusion_map(model, images, labels, 3, fill=fill), drops)  # one int: a square grid


def test_occlusion_map_many_images_and_bad_inputs():
    model = small_vit().eval()
    images = torch.rand(60, 1, 12, 12, generator=torch.Generator().manual_seed(2))  # 600 forward passes: two batches
    labels = torch.randint(0, 5, (60,), generator=torch.Generator().manual_seed(3))
    drops = occlusion_map(model, images, labels, (3, 3))
    torch.testing.assert_close(
        drops[-2:], occlusion_loop(model, images[-2:], labels[-2:], 3, 3, 0.0), rtol=1e-5, atol=1e-6
    )
    model.train()
    occlusion_map(model, images[:1], labels[:1], 3)
    assert model.training  # the mode is restored
    with pytest.raises(ValueError, match="tensor of classes"):
        occlusion_map(model, images, labels[:3], 3)
    with pytest.raises(ValueError, match="cannot be cut"):
        occlusion_map(model, images, labels, 5)


def test_map_span_and_pearson_correlation_by_hand():
    from scipy.stats import pearsonr

    from vit_explained.attention_maps import map_span, pearson_correlation

    a = torch.rand(4, 3, 5, generator=torch.Generator().manual_seed(4))
    b = torch.rand(4, 3, 5, generator=torch.Generator().manual_seed(5))
    torch.testing.assert_close(map_span(a), torch.tensor([float(m.max() - m.min()) for m in a]))
    expected = torch.tensor(
        [pearsonr(x.flatten().numpy(), y.flatten().numpy())[0] for x, y in zip(a, b, strict=True)], dtype=torch.float32
    )
    torch.testing.assert_close(pearson_correlation(a, b), expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(
        pearson_correlation(a, b[0]), pearson_correlation(a, b[:1].expand_as(a))
    )  # one map for all
    torch.testing.assert_close(pearson_correlation(a, 2 * a + 1), torch.ones(4))
    with pytest.raises(ValueError, match="same shape"):
        pearson_correlation(a, b[:2])
