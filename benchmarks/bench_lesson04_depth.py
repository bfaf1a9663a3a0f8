"""Lesson 04's pre-norm stacks beyond 16 blocks: stored and read by the lesson's appendix.

    .venv/bin/python benchmarks/bench_lesson04_depth.py     # about a minute on 2 cores

The lesson measures the pre-norm gradient at the last block's ``fc2`` and the stream's squared token norm over
2-16 blocks (D = 64, Xavier, seeds 0, 1, 2). Over those depths the norm looks linear with an intercept; this
runs the same stacks deeper (16, 32, 64 and 128 blocks, seeds 0 to 4): :func:`vit_explained.norm_placement.
last_fc2_gradient` and :func:`~vit_explained.norm_placement.pre_norm_stream_norm` with ``squared=True``.
Writes ``benchmarks/results/lesson04_depth.json``, its packaged copy ``vit_explained/checkpoints/
lesson04_depth.json`` (read by ``norm_placement.stored_depth_runs``) and ``lesson04_depth.md``. The numbers
depend on the machine only in the last bits of the floats.
"""

from __future__ import annotations

import datetime
import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine, markdown_table, write_result, write_stored_run
from vit_explained.norm_placement import last_fc2_gradient, pre_norm_stream_norm
from vit_explained.plotting.lesson04 import depth_slope

DIM, DEPTHS, SEEDS = 64, (16, 32, 64, 128), (0, 1, 2, 3, 4)


def run() -> dict:
    gradients = {depth: [last_fc2_gradient(False, depth, seed, dim=DIM) for seed in SEEDS] for depth in DEPTHS}
    squared = {depth: [pre_norm_stream_norm(depth, seed, dim=DIM, squared=True) for seed in SEEDS] for depth in DEPTHS}
    return {
        "dim": DIM,
        "depths": list(DEPTHS),
        "seeds": list(SEEDS),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "gradients": gradients,
        "stream_squared": squared,
    }


def main() -> None:
    results = run()
    write_stored_run(results, "lesson04_depth")
    rows = []
    for depth in DEPTHS:
        gradient = statistics.mean(results["gradients"][depth])
        squared = statistics.mean(results["stream_squared"][depth])
        band = f"{(1 + depth / 2) * DIM:.0f} to {(1 + 3 * depth / 2) * DIM:.0f}"
        rows.append([depth, f"{gradient:.3f}", f"{squared:.0f}", band, f"{gradient * math.sqrt(squared):.1f}"])
    header = ["L", "last fc2 gradient", "mean squared token norm", "Lemma 2's band", "gradient x RMS norm"]
    fits = {
        name: "L^{:+.2f} [{:+.2f}, {:+.2f}]".format(*depth_slope(results[name]))
        for name in ("gradients", "stream_squared")
    }
    body = (
        f"Pre-norm stacks of the package's `Block` at D = {DIM} (4 heads, MLP 4D, Xavier), 8 sequences of 16 random "
        f"tokens, depths {list(DEPTHS)}, seeds {list(SEEDS)}; `last_fc2_gradient(False, depth, seed)` and "
        "`pre_norm_stream_norm(depth, seed, squared=True)`. Means over seeds; every per-seed number is in "
        "`lesson04_depth.json`.\n\n"
        + markdown_table(header, rows)
        + f"\n\nLog-log slopes over {DEPTHS[0]}-{DEPTHS[-1]} blocks (95 % Student's t interval, one point per depth "
        f"and seed): the gradient {fits['gradients']}, the squared token norm {fits['stream_squared']}."
    )
    write_result("lesson04_depth", "Lesson 04: pre-norm stacks from 16 to 128 blocks", body)


if __name__ == "__main__":
    main()
