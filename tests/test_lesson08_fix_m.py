"""Lesson 08, fix round m: the explorer's set_values redraws once for several controls."""

import torch

from vit_explained.vit import ViT
from vit_explained.widgets.lesson08 import maps_explorer


def test_set_values_sets_every_control_and_redraws_once():
    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    w = maps_explorer(model, torch.rand(3, 1, 12, 12), torch.tensor([0, 1, 2]))
    calls = []
    compute = w.compute
    w.compute = lambda **values: calls.append(values) or compute(**values)
    w.set_values(head=1, redrawn=True, **{"class": 2})
    assert len(calls) == 1 and calls[0]["head"] == 1 and calls[0]["class"] == 2 and calls[0]["redrawn"] is True
    assert "head 1" in w.line and "(class 2)" in w.line and "classifier re-drawn" in w.line
    w.controls["head"].value = "mean"  # a single control still redraws by itself
    assert len(calls) == 2 and "heads averaged" in w.line
