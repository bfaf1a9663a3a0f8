"""Lesson 06's second in-view ViT knob: class token against mean pooling on the 8x8 digits, 400 steps, seeds 0..4.

    nice -n 10 .venv/bin/python benchmarks/bench_lesson06_pool.py   # under a CPU-minute, one torch thread

Both arms are ``bench_lesson06.QUICK`` (the lesson's 1-block ViT with 2x2 patches: AdamW lr 1e-2, weight decay
0.05, label smoothing 0.1, batch 64, warm-up then cosine, no augmentation) for 400 steps (20 epochs of 20 steps);
only ``pool`` changes: ``"cls"`` (the head reads the class token, the lesson's model) or ``"mean"`` (the head reads
the mean of the patch tokens). Each seed trains both arms, so the two accuracies are paired by seed. Validation
accuracy after the last epoch (no test digit is read). Writes ``benchmarks/results/lesson06_pool.json`` (and its
packaged copy ``vit_explained/checkpoints/lesson06_pool.json``, which lesson 06 reads) and ``lesson06_pool.md``.
"""

from __future__ import annotations

import time

import torch
from bench_lesson06_patch import SEEDS, run, store_knob

POOLS = ("cls", "mean")


def main() -> None:
    torch.set_num_threads(1)
    start = time.process_time()
    val = {pool: [run(seed, pool=pool) for seed in SEEDS] for pool in POOLS}
    seconds = time.process_time() - start
    columns = {"cls": "class token", "mean": "mean pooling"}
    store_knob("lesson06_pool", "class token vs mean pooling", val, columns, ("mean", "cls"), seconds)


if __name__ == "__main__":
    main()
