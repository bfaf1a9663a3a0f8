"""Lesson 05 appendix F: the MLP share of block 0's qkv gradient in fresh models of a standard ViT shape.

    nice -n 5 .venv/bin/python benchmarks/bench_lesson05_fresh_shapes.py   # 3 seeds, about 1 CPU-minute (1 thread)

The lesson's fresh models have an MLP 2D wide (D = 32 and the MNIST ViT's D = 64, 4 blocks); standard ViTs use 4D.
This builds fresh models of ViT-Ti's shape on the lesson's 28x28 MNIST digits (4x4 patches, D = 192, 12 blocks,
3 heads, ``mlp_dim`` = 768 = 4D, the package's default timm init: truncated normal, std 0.02, zero biases), seeds
0, 1, 2, and runs :func:`vit_explained.gradient_hooks.mlp_route_cut` on the first 64 validation digits of
``load_mnist()`` (plain cross-entropy, one summed gradient). It records the MLP share of every block's
``qkv.weight`` gradient (the lesson's own measure). Fresh weights only: no trained model of this shape is measured.

Writes ``benchmarks/results/lesson05_fresh_shapes.json``, its packaged copy
``vit_explained/checkpoints/lesson05_fresh_shapes.json`` (read by ``gradient_experiments.stored_fresh_shapes``) and
``lesson05_fresh_shapes.md``.
"""

from __future__ import annotations

import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from benchmarks._common import machine, markdown_table, write_result, write_stored_run
from vit_explained.data import load_mnist
from vit_explained.gradient_hooks import mlp_route_cut
from vit_explained.vit import ViT

SHAPE = {"image_size": 28, "patch_size": 4, "channels": 1, "num_classes": 10, "dim": 192, "depth": 12, "heads": 3}
SHAPE["mlp_dim"] = 4 * SHAPE["dim"]
SEEDS, PROBE = (0, 1, 2), 64


def fresh_maker(seed: int):
    """A maker of fresh ViT-Ti-shaped models (``SHAPE``, timm init), seeded."""

    def make() -> ViT:
        torch.manual_seed(seed)
        return ViT(**SHAPE, init="timm")

    return make


def main() -> None:
    torch.set_num_threads(1)
    data = load_mnist()
    images, labels = data.val_images[:PROBE], data.val_labels[:PROBE]
    runs, start = [], time.time()
    for seed in SEEDS:
        cut = mlp_route_cut(fresh_maker(seed), images, labels)
        runs.append({"seed": seed, "mlp_share": [round(s, 4) for s in cut.qkv_share]})
        shares = [round(100 * s) for s in cut.qkv_share]
        print(f"seed {seed}: MLP share per block %", shares, f"{time.time() - start:.0f} s")
    results = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine("1"),
        "shape": SHAPE,
        "init": "timm",
        "probe": f"first {PROBE} validation digits of load_mnist(), plain cross-entropy, one summed gradient",
        "seconds": round(time.time() - start, 1),
        "runs": runs,
    }
    write_stored_run(results, "lesson05_fresh_shapes")
    header = ["seed"] + [f"block {i}" for i in range(SHAPE["depth"])]
    rows = [[run["seed"]] + [f"{100 * s:.0f} %" for s in run["mlp_share"]] for run in runs]
    body = (
        "Fresh ViT-Ti-shaped models (D = 192, 12 blocks, 3 heads, MLP 768 = 4D, timm init, 4x4 patches of 28x28 MNIST"
        f" digits); the MLP share of each block's qkv.weight gradient (mlp_route_cut) on the first {PROBE} validation"
        f" digits. {results['seconds']} s.\n\n" + markdown_table(header, rows)
    )
    write_result("lesson05_fresh_shapes", "Lesson 05: the MLP share in fresh ViT-Ti-shaped models", body, "1")


if __name__ == "__main__":
    main()
