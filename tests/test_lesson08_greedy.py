"""greedy_deletion_order (lesson 08's floor for deletion) against a by-hand loop, and its stored copies."""

from pathlib import Path

import pytest
import torch

from vit_explained import ViT
from vit_explained.attention_maps import greedy_deletion_order, stored_greedy_scores

ROOT = Path(__file__).resolve().parents[1]


def small_vit() -> ViT:
    torch.manual_seed(0)
    return ViT(image_size=12, patch_size=4, num_classes=5, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()


def greedy_loop(model, image, label, fill=0.0):
    """One image, 3x3 grid of 4x4 patches: the order patch by patch, as the docstring says."""

    def prob(keep):
        shown = image.clone()
        for p in range(9):
            if not keep[p]:
                r, c = divmod(p, 3)
                shown[..., 4 * r : 4 * r + 4, 4 * c : 4 * c + 4] = fill
        with torch.no_grad():
            return model(shown[None]).softmax(-1)[0, label].item()

    cells = image.reshape(1, 3, 4, 3, 4).permute(1, 3, 0, 2, 4).reshape(9, -1)
    live = [bool((cells[p] != fill).any()) for p in range(9)]
    blank = [not x for x in live]
    keep, order, now = [True] * 9, [], prob([True] * 9)
    while any(live):
        tried = {p: prob([k and q != p for q, k in enumerate(keep)]) for p in range(9) if live[p]}
        best = min(tried, key=lambda p: (tried[p], p))
        if tried[best] > now and any(blank):
            best = blank.index(True)
            blank[best] = False
        else:
            live[best], now = False, tried[best]
        keep[best] = False
        order.append(best)
    scores = torch.zeros(9)
    for step, p in enumerate(order):
        scores[p] = 9 - step
    return scores.reshape(3, 3)


@pytest.mark.parametrize("fill", [0.0, 0.5])
def test_greedy_deletion_order_equals_a_loop(fill):
    model = small_vit()
    images = torch.rand(4, 1, 12, 12, generator=torch.Generator().manual_seed(1))
    images[0, :, :4, :4] = fill  # blank patches: tried only as no-ops
    images[1, :, 4:, :] = fill
    labels = torch.tensor([1, 3, 4, 0])
    scores = greedy_deletion_order(model, images, labels, (3, 3), fill=fill)
    assert scores.shape == (4, 3, 3)
    for b in range(4):
        torch.testing.assert_close(scores[b], greedy_loop(model, images[b], labels[b].item(), fill))
    with pytest.raises(ValueError, match="tensor of classes"):
        greedy_deletion_order(model, images, labels[:2], 3)


def test_stored_greedy_scores_are_the_benchmark_copy():
    packaged = ROOT / "vit_explained" / "checkpoints" / "lesson08_greedy.json"
    assert packaged.read_bytes() == (ROOT / "benchmarks" / "results" / "lesson08_greedy.json").read_bytes()
    scores = stored_greedy_scores()
    assert scores.shape == (200, 7, 7)
    assert all(
        sorted(set(row.tolist()) - {0.0}) == list(range(50 - int((row > 0).sum()), 50)) for row in scores.flatten(1)
    )
