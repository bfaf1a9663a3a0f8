"""Lesson 03's explorer counts saturated rows without drawing."""

import torch

from vit_explained.softmax_scale import SATURATED
from vit_explained.vit import ViT
from vit_explained.widgets.lesson03 import attention_widget, queries_and_keys


def test_saturated_rows_counts_what_the_title_says():
    torch.manual_seed(0)
    model = ViT(8, patch_size=4, channels=1, num_classes=3, dim=16, depth=2, heads=2, mlp_dim=32).eval()
    images = torch.rand(2, 1, 8, 8)
    widget = attention_widget(model, images, [0, 1], query=1, head=1, block=1, scaled=False)
    q, k = queries_and_keys(model, images[1])[0]
    for scaled, factor in ((True, model.blocks[0].attn.scale), (False, 1.0)):
        weights = (q[0] @ k[0].T * factor).softmax(-1)
        count = int((weights.max(-1).values > SATURATED).sum())
        assert widget.saturated_rows(digit=1, block=0, head=0, scaled=scaled) == count
        _, fig = widget.compute(query=1, head=0, block=0, digit=1, scaled=scaled)
        assert fig._suptitle.get_text().endswith(f": {count} of 5 rows saturated")
