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
from bench_lesson06 import EQUAL_STEPS
from bench_lesson06_patch import SEEDS, run

from _common import markdown_table, stored_run_header, write_result, write_stored_run
from vit_explained.evidence import paired_seeds

POOLS = ("cls", "mean")


def main() -> None:
    torch.set_num_threads(1)
    start = time.process_time()
    val = {pool: [run(seed, pool=pool) for seed in SEEDS] for pool in POOLS}
    seconds = time.process_time() - start
    results = stored_run_header("lesson 06: class token vs mean pooling on the 8x8 digits, 400 steps", seconds, "1")
    results |= {"seeds": list(SEEDS), "steps": EQUAL_STEPS, "val_accuracy": val}
    write_stored_run(results, "lesson06_pool")
    comparison = paired_seeds(val["mean"], val["cls"], names=("mean", "class token"), percent=True)
    rows = [[seed, f"{val['cls'][i]:.1%}", f"{val['mean'][i]:.1%}"] for i, seed in enumerate(SEEDS)]
    body = markdown_table(["seed", "class token", "mean pooling"], rows)
    body += f"\n\nmean pooling minus class token: {comparison.t_interval()} (paired t, 95 %); CPU {seconds:.0f} s."
    write_result("lesson06_pool", "Lesson 06: class token vs mean pooling (8x8 digits, 400 steps)", body, "1")


if __name__ == "__main__":
    main()
