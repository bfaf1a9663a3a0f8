"""Lesson 09's explorer: the picture's title is the head of its line (round 17b: the whole line is printed text)."""

import torch

from vit_explained.deit import DeiT
from vit_explained.widgets.lesson09 import DeiTAttentionExplorer, deit_attention_explorer


def test_the_pictures_title_is_the_lines_head_after_every_change():
    torch.manual_seed(0)
    deit = DeiT(12, patch_size=4, num_classes=3, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    w = deit_attention_explorer(deit, torch.rand(3, 1, 12, 12), torch.tensor([0, 1, 2]))
    assert isinstance(w, DeiTAttentionExplorer)
    for control, value in (("digit", 2), ("token", "class"), ("method", "rollout")):
        w.controls[control].value = value
        line, fig = w.compute(**w.values)
        assert line == w.line and fig is not None
        assert w.line.startswith(fig._suptitle.get_text().replace("\n", " "))
