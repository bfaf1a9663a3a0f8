"""Lesson 08, section 5: how often the last block's class-token heads are peaked, on 500 test digits.

    .venv/bin/python benchmarks/bench_lesson08_peaked.py     # a few seconds on 2 shared cores (lesson08_peaked.md)

For ``data.test_images[:500]`` (section 7's digits) and the trained MNIST ViT (``load_mnist_vit()``), stores each
digit's top patch weight per head of the last block's class-token attention (the class token's own column
dropped, as ``class_token_attention``). A head is *peaked* when its top patch holds more than ``5 / 49``.
Writes ``benchmarks/results/lesson08_peaked.json`` and its packaged copy
``vit_explained/checkpoints/lesson08_peaked.json`` (lesson 08 reads it with ``attention_maps.stored_top_weights``)
and ``lesson08_peaked.md``.
"""

from __future__ import annotations

import datetime
import time

import torch

from _common import machine, write_result, write_stored_run
from vit_explained.attention_maps import capture_attention, class_token_attention
from vit_explained.data import load_mnist
from vit_explained.evidence import mean_interval
from vit_explained.pretrained import load_mnist_vit

DIGITS = 500


def main() -> None:
    torch.manual_seed(0)
    model, data = load_mnist_vit(), load_mnist()
    images = data.test_images[:DIGITS]
    grid = model.patch_embedding.grid
    start = time.perf_counter()
    with capture_attention(model) as attentions, torch.no_grad():
        model(images)
    top = class_token_attention(attentions[-1], grid).flatten(2).max(-1).values  # (B, heads)
    seconds = time.perf_counter() - start
    peaked = (top > 5 / (grid[0] * grid[1])).float()
    results = {
        "what": f"last block's class-token top patch weight per head, load_mnist_vit(), data.test_images[:{DIGITS}]",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "seconds": round(seconds, 1),
        "top_weights": [[round(w, 6) for w in row] for row in top.tolist()],
    }
    write_stored_run(results, "lesson08_peaked")
    per_head = " / ".join(f"{100 * p:.1f}" for p in peaked.mean(0).tolist())
    body = (
        f"Top patch weight of the last block's class-token attention, per head, on {DIGITS} test digits "
        f"({seconds:.1f} s).\n\nShare of maps peaked (top above 5/49), per digit's four heads: "
        f"{mean_interval(peaked.mean(1), digits=3)}; per head (%): {per_head}.\n\n"
        "Every digit's weights: `lesson08_peaked.json` (packaged: `vit_explained/checkpoints/lesson08_peaked.json`)."
    )
    write_result("lesson08_peaked", "Lesson 08: peaked class-token heads", body)


if __name__ == "__main__":
    main()
