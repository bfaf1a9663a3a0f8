"""Lesson 07: the overlap alone, with everything else of T2T's chain held fixed.

``bench_t2t_stem.py --overlap-control`` races T2T's splits (7, 4, 2), (3, 2, 1), (3, 2, 1) against the no-overlap
chain (4, 4, 0), (2, 2, 0), (2, 2, 0): that changes the window size, the token attention's scale (1/sqrt of its
input width), and the size of ``qkv`` and ``project`` together. This benchmark changes one thing. Both arms use
T2T's splits, the same module sizes and scales; in the *masked* arm every window's numbers outside the stride cell
its token owns (the centre 4x4 pixels of a 7x7 window, then the centre 2x2 tokens of a 3x3 window) are set to zero,
so a token sees exactly what a no-overlap token sees. Same seeds, data, recipe and 10 epochs as the control.

    .venv/bin/python benchmarks/bench_lesson07_masked_overlap.py --seeds 6 --workers 2   # about 5 minutes

Written to ``benchmarks/results/lesson07_masked_overlap.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from concurrent.futures import ProcessPoolExecutor

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads sleep: see bench_training.py

import torch
from bench_t2t_stem import ChainViT

from _common import markdown_table, write_result
from vit_explained.evidence import paired_seeds
from vit_explained.t2t import T2T_SPLITS
from vit_explained.training import PRESETS, fit, predict

ARMS = ("overlap (T2T)", "masked: no overlap, T2T's sizes")


def cell_mask(channels: int, kernel: int, stride: int, padding: int) -> torch.Tensor:
    """1 on the window's entries inside the token's own stride cell, 0 on the overlap; ``c kh kw`` order."""
    inside = torch.zeros(kernel)
    inside[padding : padding + stride] = 1
    return (inside[:, None] * inside[None, :]).flatten().repeat(channels)


class MaskedSplit(torch.nn.Module):
    """A soft split whose tokens keep only their own stride cell (the overlap zeroed)."""

    def __init__(self, split: torch.nn.Module, channels: int) -> None:
        super().__init__()
        self.split = split
        (kernel, _), (stride, _), (padding, _) = split.kernel, split.stride, split.padding
        self.register_buffer("mask", cell_mask(channels, kernel, stride, padding))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.split(images) * self.mask


def build(arm: str) -> ChainViT:
    """T2T's chain; in the masked arm each soft split drops the overlap."""
    model = ChainViT(T2T_SPLITS)
    if arm == ARMS[1]:
        stem = model.stem
        channels = [1] + [32] * (len(stem.soft_splits) - 1)
        stem.soft_splits = torch.nn.ModuleList(
            MaskedSplit(split, c) for split, c in zip(stem.soft_splits, channels, strict=True)
        )
    return model


def train(job: tuple[str, int, int]) -> tuple[str, int, list[int], float]:
    """One arm from one seed on 1 thread: (arm, seed, 0/1 per validation digit, wall seconds)."""
    arm, seed, epochs = job
    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["digits"], seed=seed, epochs=epochs)
    data = recipe.load_data()
    start = time.perf_counter()
    torch.manual_seed(seed)
    model = build(arm)
    fit(model, data, recipe, progress=False, device="cpu")
    correct = (predict(model, data.val_images).argmax(dim=-1) == data.val_labels).int().tolist()
    return arm, seed, correct, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6, help="seeds 0 .. seeds - 1 for both arms")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="training processes (1 thread each)")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    jobs = [(arm, seed, args.epochs) for seed in range(args.seeds) for arm in ARMS]
    with ProcessPoolExecutor(args.workers) as pool:
        results = {(arm, seed): (correct, wall) for arm, seed, correct, wall in pool.map(train, jobs)}
    load_after = os.getloadavg()[0]
    accuracy = {arm: [sum(results[arm, s][0]) / 180 for s in range(args.seeds)] for arm in ARMS}
    rows = [
        [
            seed,
            *(f"{100 * accuracy[arm][seed]:.1f} %" for arm in ARMS),
            f"{100 * (accuracy[ARMS[0]][seed] - accuracy[ARMS[1]][seed]):+.1f}",
        ]
        for seed in range(args.seeds)
    ]
    seeds = paired_seeds(accuracy[ARMS[0]], accuracy[ARMS[1]], names=("overlap", "masked"), percent=True)
    interval = seeds.t_interval()
    walls = [wall for _, wall in results.values()]
    parameters = {arm: sum(p.numel() for p in build(arm).parameters()) for arm in ARMS}
    body = f"""
Run of {time.strftime("%Y-%m-%d", time.gmtime())} (UTC), `benchmarks/bench_lesson07_masked_overlap.py --seeds
{args.seeds} --epochs {args.epochs} --workers {args.workers}`: load average {load_before:.1f} before,
{load_after:.1f} after, each run on 1 torch thread, {min(walls):.0f} to {max(walls):.0f} s of wall time per run.

The control of `t2t_overlap_control.md` (digits upsampled to 48x48, T2T module of width 32, the `digits` preset's
2-block backbone and recipe), with one change: both arms use T2T's splits {T2T_SPLITS}, so the windows, `qkv`,
`project` and the token attention's scale are the same ({parameters[ARMS[0]]:,} and {parameters[ARMS[1]]:,}
parameters); the masked arm sets every window's numbers outside its token's stride cell to zero (centre 4x4 of
7x7 pixels, then centre 2x2 of 3x3 tokens), so its tokens see what no-overlap tokens see. Accuracy on the 180
validation digits; the test split is not read.

{markdown_table(["seed", *ARMS, "overlap - masked, points"], rows)}

- Over seeds: {seeds}.
- 95 % t-interval of the mean difference: [{100 * interval.low:+.1f}, {100 * interval.high:+.1f}] points;
  two-sided sign test p = {seeds.sign_p_value:.3f}.

What this does not show: a learning curve (one point, {args.epochs} epochs), a fresh draw of validation digits
(the interval is seed variation only), anything about ImageNet (9 final tokens, a 2-block backbone).
"""
    write_result(
        "lesson07_masked_overlap",
        f"The overlap alone: T2T's windows with and without their overlap, digits, {args.epochs} epochs (lesson 07)",
        body,
        threads="1 per run",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
