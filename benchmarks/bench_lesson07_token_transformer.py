"""Lesson 07: the paper's title idea, T2T's chain with and without its token transformers.

``bench_t2t_stem.py --overlap-control`` trains T2T's chain (7, 4, 2), (3, 2, 1), (3, 2, 1) with a token
transformer after each of the first two soft splits. This benchmark makes one change: each token transformer is
replaced by a ``Linear`` from its input width to the same token width (49 -> 32, then 288 -> 32), so the windows,
grids, folds and ``project`` are unchanged and the stem has no attention and no MLP: it is linear in the pixels.
It pairs with the stored T2T runs of ``benchmarks/results/t2t_overlap_control.md`` (same seeds, data and recipe;
runs on 1 thread repeat exactly: ``bench_lesson07_masked_overlap.py`` reproduced that file's counts to the digit).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_lesson07_token_transformer.py --seeds 6 --workers 1

Written to ``benchmarks/results/lesson07_token_transformer.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads sleep: see bench_training.py

import torch
from bench_t2t_stem import CHAINS, ChainViT
from torch import nn

from _common import RESULTS, markdown_table, write_result
from vit_explained.evidence import paired_seeds
from vit_explained.training import PRESETS, fit, predict

TOKEN_DIM = 32  # ChainViT's token width
ARMS = ("with token transformers (stored)", "Linear in their place")


def build() -> ChainViT:
    """T2T's chain with a Linear (input width -> token width) in place of each token transformer."""
    model = ChainViT(CHAINS["overlap (T2T)"])
    stem = model.stem
    stem.token_transformers = nn.ModuleList(nn.Linear(stage.token_length, TOKEN_DIM) for stage in stem.stages[:-1])
    return model


def train(job: tuple[int, int]) -> tuple[int, list[int], float, float]:
    """One seed on 1 thread: (seed, 0/1 per validation digit, wall seconds, CPU seconds)."""
    seed, epochs = job
    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["digits"], seed=seed, epochs=epochs)
    data = recipe.load_data()
    start, cpu = time.perf_counter(), time.process_time()
    torch.manual_seed(seed)
    model = build()
    fit(model, data, recipe, progress=False, device="cpu")
    correct = (predict(model, data.val_images).argmax(dim=-1) == data.val_labels).int().tolist()
    return seed, correct, time.perf_counter() - start, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="training processes (1 thread each)")
    args = parser.parse_args(argv)
    stored = (RESULTS / "t2t_overlap_control.md").read_text()
    stored_rows = re.findall(r"^\| \d+ \| ([\d.]+) % \| [\d.]+ % \|", stored, re.M)
    t2t = [round(float(row) * 1.8) / 180 for row in stored_rows][: args.seeds]  # counts of 180: no residue
    load_before = os.getloadavg()[0]
    with ProcessPoolExecutor(args.workers) as pool:
        results = {s: (c, w, cpu) for s, c, w, cpu in pool.map(train, [(s, args.epochs) for s in range(args.seeds)])}
    load_after = os.getloadavg()[0]
    linear = [sum(results[s][0]) / 180 for s in range(args.seeds)]
    rows = [
        [s, f"{100 * t2t[s]:.1f} %", f"{100 * linear[s]:.1f} %", f"{100 * (t2t[s] - linear[s]):+.1f}"]
        for s in range(args.seeds)
    ]
    seeds = paired_seeds(t2t, linear, names=("token transformers", "Linear"), percent=True)
    interval = seeds.t_interval()
    walls, cpus = [r[1] for r in results.values()], [r[2] for r in results.values()]
    parameters = sum(p.numel() for p in build().stem.parameters())
    body = f"""
Run of {time.strftime("%Y-%m-%d", time.gmtime())} (UTC), `OMP_NUM_THREADS=1
benchmarks/bench_lesson07_token_transformer.py --seeds {args.seeds} --epochs {args.epochs} --workers {args.workers}`:
load average {load_before:.1f} before, {load_after:.1f} after, each run on 1 torch thread,
{min(walls):.0f} to {max(walls):.0f} s of wall time and {sum(cpus):.0f} CPU seconds in all.

T2T's chain of `t2t_overlap_control.md` with one change: each token transformer (LayerNorm, single-head
attention, MLP) is replaced by a `Linear` to the same token width, 49 -> 32 and 288 -> 32. Windows, grids,
folds, `project` and backbone are unchanged; the stem ({parameters:,} parameters) is linear in the pixels. The
first column is that file's stored T2T run (same seeds, data, recipe). Accuracy on the 180 validation digits; the
test split is not read.

{markdown_table(["seed", *ARMS, "transformers - Linear, points"], rows)}

- Over seeds: {seeds}.
- 95 % t-interval of the mean difference: [{100 * interval.low:+.1f}, {100 * interval.high:+.1f}] points;
  two-sided sign test p = {seeds.sign_p_value:.3f}.

What this does not show: a learning curve (one point, {args.epochs} epochs), a fresh draw of validation digits
(seed variation only), anything about ImageNet (9 final tokens, a 2-block backbone), which part of the token
transformer (attention, MLP, LayerNorm) matters.
"""
    write_result(
        "lesson07_token_transformer",
        f"T2T's chain with and without its token transformers, digits, {args.epochs} epochs (lesson 07)",
        body,
        threads="1 per run",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
