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

import datetime
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine, markdown_table, write_result, write_stored_run
from vit_explained.norm_placement import init_scale_ablation
from vit_explained.plotting.lesson04 import depth_slope

DIM, DEPTHS, SEEDS = 384, (2, 4, 8, 16), (0, 1, 2)


def run() -> dict:
    return {
        "dim": DIM,
        "depths": list(DEPTHS),
        "seeds": list(SEEDS),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "gradients": init_scale_ablation(DEPTHS, SEEDS, inits=("timm",), dim=DIM)["timm"],
    }


def main() -> None:
    torch.set_num_threads(1)
    results = run()
    write_stored_run(results, "lesson04_timm384")
    rows = [[depth, ", ".join(f"{value:.3f}" for value in results["gradients"][depth])] for depth in DEPTHS]
    slope = "L^{:+.2f} [{:+.2f}, {:+.2f}]".format(*depth_slope(results["gradients"]))
    body = (
        f"Pre-norm stacks of the package's `Block` at D = {DIM} (4 heads, MLP 4D), timm's init (std 0.02), 8 sequences "
        f"of 16 random tokens, seeds {list(SEEDS)}; `last_fc2_gradient(False, depth, seed, init='timm', dim=384)`. "
        f"Slope of the last fc2 gradient (95 %): {slope}.\n\n" + markdown_table(["L", "gradient, per seed"], rows)
    )
    write_result("lesson04_timm384", "Lesson 04: the timm-init slope Answer 6a prints (D = 384)", body)


if __name__ == "__main__":
    main()
