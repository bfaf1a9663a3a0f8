"""Lesson 04's timm-init line at D = 64, stored so the lesson's depth figure can draw it at no cost.

    .venv/bin/python benchmarks/bench_lesson04_timm64.py     # about half a minute on 2 cores

Section 6 measures the pre-norm gradient at the last block's ``fc2`` against depth (2, 4, 8, 16 blocks, seeds
0, 1, 2, D = 64) with Xavier weights; its figure draws, beside it, the same stacks with timm's ViT init (truncated
normal, std 0.02, biases zero): ``init_scale_ablation(depths, seeds, inits=("timm",))`` of
:mod:`vit_explained.norm_placement`. Appendix B computes the same arm live and checks it equals this file.
Writes ``benchmarks/results/lesson04_timm64.json``, its packaged copy ``vit_explained/checkpoints/lesson04_timm64.json``
(read by ``norm_placement.stored_timm64_runs``) and ``lesson04_timm64.md``.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine, markdown_table, write_result, write_stored_run
from vit_explained.norm_placement import init_scale_ablation
from vit_explained.plotting.lesson04 import depth_slope

DIM, DEPTHS, SEEDS = 64, (2, 4, 8, 16), (0, 1, 2)


def run(dim: int = DIM) -> dict:
    """The timm-init arm at width ``dim`` (bench_lesson04_timm384.py runs it at 384)."""
    return {
        "dim": dim,
        "depths": list(DEPTHS),
        "seeds": list(SEEDS),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "gradients": init_scale_ablation(DEPTHS, SEEDS, inits=("timm",), dim=dim)["timm"],
    }


def write(results: dict, name: str, title: str) -> None:
    """Store ``results`` under ``name`` (JSON, packaged copy) and write its Markdown table."""
    dim = results["dim"]
    write_stored_run(results, name)
    rows = [[depth, ", ".join(f"{value:.3f}" for value in results["gradients"][depth])] for depth in DEPTHS]
    slope = "L^{:+.2f} [{:+.2f}, {:+.2f}]".format(*depth_slope(results["gradients"]))
    call = "init='timm'" + ("" if dim == DIM else f", dim={dim}")
    body = (
        f"Pre-norm stacks of the package's `Block` at D = {dim} (4 heads, MLP 4D), timm's init (std 0.02), 8 sequences "
        f"of 16 random tokens, seeds {list(SEEDS)}; `last_fc2_gradient(False, depth, seed, {call})`. "
        f"Slope of the last fc2 gradient (95 %): {slope}.\n\n" + markdown_table(["L", "gradient, per seed"], rows)
    )
    write_result(name, title, body)


def main() -> None:
    write(run(), "lesson04_timm64", "Lesson 04: the timm-init line of section 6's depth figure (D = 64)")


if __name__ == "__main__":
    main()
