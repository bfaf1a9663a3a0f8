"""Lesson 04's init-scale arm at ViT-B's width (D = 768): too slow for the lesson, stored and read by it.

    .venv/bin/python benchmarks/bench_lesson04_init.py     # a few minutes on 2 cores

The lesson measures the pre-norm gradient at the last block's ``fc2`` against depth (2, 4, 8, 16 blocks,
seeds 0, 1, 2) for three initial weights (Xavier, PyTorch's default, timm's std 0.02) at D = 64. A fixed std
is a different size relative to the width at D = 768, so this runs the same arm there
(:func:`vit_explained.norm_placement.init_scale_ablation` with ``dim=768``) and the RMS token norm of the
stream after 16 blocks. Writes ``benchmarks/results/lesson04_init.json``, its packaged copy
``vit_explained/checkpoints/lesson04_init.json`` (read by ``norm_placement.stored_init_runs``) and
``lesson04_init.md``. The numbers depend on the machine only in the last bits of the floats.
"""

from __future__ import annotations

import datetime
import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine, markdown_table, write_result, write_stored_run
from vit_explained.norm_placement import INITS, init_scale_ablation, init_scales, pre_norm_stream_norm
from vit_explained.plotting.lesson04 import depth_slope

DIM, DEPTHS, SEEDS = 768, (2, 4, 8, 16), (0, 1, 2)


def run() -> dict:
    gradients = init_scale_ablation(DEPTHS, SEEDS, inits=INITS, dim=DIM)
    deepest = DEPTHS[-1]
    stream_rms = {}
    for init in INITS:
        squared = [pre_norm_stream_norm(deepest, seed, dim=DIM, squared=True, init=init) for seed in SEEDS]
        stream_rms[init] = math.sqrt(statistics.mean(squared))
    return {
        "dim": DIM,
        "depths": list(DEPTHS),
        "seeds": list(SEEDS),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "gradients": gradients,
        "stream_rms": stream_rms,
    }


def main() -> None:
    results = run()
    write_stored_run(results, "lesson04_init")
    scales = init_scales(DIM)
    rows = []
    for init in INITS:
        fit = depth_slope(results["gradients"][init])
        sizes = (f"{scales[init][layer]:.2f}" for layer in ("qkv", "proj", "fc1", "fc2"))
        slope = "L^{:+.2f} [{:+.2f}, {:+.2f}]".format(*fit)
        rows.append([init, *sizes, slope, f"{results['stream_rms'][init]:.1f}"])
    header = ["init", "qkv", "proj", "fc1", "fc2", "slope of the last fc2 gradient (95 %)", "RMS token norm, 16 blocks"]
    body = (
        f"Pre-norm stacks of the package's `Block` at D = {DIM} (4 heads, MLP 4D), 8 sequences of 16 random tokens, "
        f"depths {list(DEPTHS)}, seeds {list(SEEDS)}; `last_fc2_gradient(False, depth, seed, dim={DIM}, init=...)`. "
        "The layer columns are std * sqrt(fan_in) of each weight (seed 0). The input's RMS token norm is about "
        f"sqrt(D) = {math.sqrt(DIM):.1f}. Every per-seed number is in `lesson04_init.json`.\n\n"
        + markdown_table(header, rows)
    )
    write_result("lesson04_init", "Lesson 04: the init-scale arm at D = 768", body)


if __name__ == "__main__":
    main()
