"""Lesson 07: one change to the no-overlap chain, the token attention's scale set to T2T's.

``bench_t2t_stem.py --overlap-control`` races T2T's chain against the no-overlap chain (4, 4, 0), (2, 2, 0),
(2, 2, 0); the token attention scales its scores by 1/sqrt of its *input* width, so the two chains differ in
scale too (1/4 against 1/7 at stage 1, 1/sqrt(128) against 1/sqrt(288) at stage 2). This benchmark trains the
no-overlap chain with T2T's scales and nothing else changed, and pairs it with the stored no-overlap runs of
``benchmarks/results/t2t_overlap_control.md`` (same seeds, data and recipe; runs on 1 thread repeat exactly: the
overlap arm of ``bench_lesson07_masked_overlap.py`` reproduced that file's counts to the digit).

    .venv/bin/python benchmarks/bench_lesson07_scale_control.py --seeds 6 --workers 2

Written to ``benchmarks/results/lesson07_scale_control.md``.
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

from _common import RESULTS, markdown_table, write_result
from vit_explained.evidence import paired_seeds
from vit_explained.training import PRESETS, fit, predict

T2T_SCALES = (49**-0.5, 288**-0.5)  # T2T's chain on 48x48 grayscale, token width 32: input widths 49 and 288


def train(job: tuple[int, int]) -> tuple[int, list[int], float]:
    """The no-overlap chain with T2T's scales, one seed on 1 thread: (seed, 0/1 per validation digit, seconds)."""
    seed, epochs = job
    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["digits"], seed=seed, epochs=epochs)
    data = recipe.load_data()
    start = time.perf_counter()
    torch.manual_seed(seed)
    model = ChainViT(CHAINS["no overlap"])
    for transformer, scale in zip(model.stem.token_transformers, T2T_SCALES, strict=True):
        transformer.attn.scale = scale
    fit(model, data, recipe, progress=False, device="cpu")
    correct = (predict(model, data.val_images).argmax(dim=-1) == data.val_labels).int().tolist()
    return seed, correct, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="training processes (1 thread each)")
    args = parser.parse_args(argv)
    stored = (RESULTS / "t2t_overlap_control.md").read_text()
    stored_rows = re.findall(r"^\| \d+ \| [\d.]+ % \| ([\d.]+) % \|", stored, re.M)
    default = [round(float(row) * 1.8) / 180 for row in stored_rows]  # back to counts of 180: no rounding residue
    load_before = os.getloadavg()[0]
    with ProcessPoolExecutor(args.workers) as pool:
        results = {seed: (c, w) for seed, c, w in pool.map(train, [(s, args.epochs) for s in range(args.seeds)])}
    load_after = os.getloadavg()[0]
    scaled = [sum(results[s][0]) / 180 for s in range(args.seeds)]
    default = default[: args.seeds]
    rows = [
        [s, f"{100 * default[s]:.1f} %", f"{100 * scaled[s]:.1f} %", f"{100 * (scaled[s] - default[s]):+.1f}"]
        for s in range(args.seeds)
    ]
    seeds = paired_seeds(scaled, default, names=("T2T's scale", "own scale"), percent=True)
    interval = seeds.t_interval()
    walls = [wall for _, wall in results.values()]
    body = f"""
Run of {time.strftime("%Y-%m-%d", time.gmtime())} (UTC), `benchmarks/bench_lesson07_scale_control.py --seeds
{args.seeds} --epochs {args.epochs} --workers {args.workers}`: load average {load_before:.1f} before,
{load_after:.1f} after, each run on 1 torch thread, {min(walls):.0f} to {max(walls):.0f} s of wall time per run.

The no-overlap chain of `t2t_overlap_control.md` with one change: its token attentions scale their scores by
T2T's 1/sqrt(49) = 1/7 and 1/sqrt(288), not by their own 1/sqrt(16) = 1/4 and 1/sqrt(128). The "own scale"
column is that file's stored no-overlap run (same seeds, data, recipe). Accuracy on the 180 validation digits.

{markdown_table(["seed", "no overlap, own scale (stored)", "no overlap, T2T's scale", "T2T's - own, points"], rows)}

- Over seeds: {seeds}.
- 95 % t-interval of the mean difference: [{100 * interval.low:+.1f}, {100 * interval.high:+.1f}] points;
  two-sided sign test p = {seeds.sign_p_value:.3f}.

What this does not show: the window size or the overlap (unchanged here), a learning curve (one point,
{args.epochs} epochs), a fresh draw of validation digits (seed variation only), anything about ImageNet.
"""
    write_result(
        "lesson07_scale_control",
        f"The no-overlap chain with T2T's token-attention scale, digits, {args.epochs} epochs (lesson 07)",
        body,
        threads="1 per run",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
