"""Lesson 04's timm-init slope at D = 384, stored so the lesson can print it at no cost (appendix B computes it live).

    .venv/bin/python benchmarks/bench_lesson04_timm384.py     # about half a minute on 2 cores (one thread)

Section 6 measures the pre-norm gradient at the last block's ``fc2`` against depth (2, 4, 8, 16 blocks, seeds
0, 1, 2) with Xavier weights at D = 64; its Answer 6a prints the same stacks' slope with timm's ViT init (truncated
normal, std 0.02, biases zero) at D = 64, 384 and 768. This file is the D = 384 arm:
``init_scale_ablation(depths, seeds, inits=("timm",), dim=384)`` of :mod:`vit_explained.norm_placement`.
Appendix B computes the same arm live and checks it equals this file.
Writes ``benchmarks/results/lesson04_timm384.json``, its packaged copy
``vit_explained/checkpoints/lesson04_timm384.json`` (read by
``norm_placement.stored_timm384_runs``) and ``lesson04_timm384.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_lesson04_timm64 import run, write

DIM = 384


def main() -> None:
    torch.set_num_threads(1)
    write(run(DIM), "lesson04_timm384", "Lesson 04: the timm-init slope Answer 6a prints (D = 384)")


if __name__ == "__main__":
    main()
