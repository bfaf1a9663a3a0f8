"""Does a T2T-style soft split help a small ViT trained from scratch? Soft split vs patches, equal steps.

    .venv/bin/python benchmarks/bench_t2t_stem.py              # about 15 minutes at load average 10 to 16
    .venv/bin/python benchmarks/bench_t2t_stem.py --seeds 10 --epochs 10 --result t2t_stem_10_epochs  # 3 minutes

Lesson 07 cites the T2T-ViT paper's ImageNet numbers; this is the package's own small-scale check of the
embedding alone (overlapping windows vs disjoint patches), with the backbone held fixed. Two stems on scikit-learn's 8x8
digits, everything else the ``digits`` preset (depth 2, width 64, the same augmentation, optimizer and schedule):

- ``soft split (4, 2, 1)``: overlapping 4x4 windows, stride 2, padding 1 -> a 4 x 4 grid of 16 tokens of 16 pixels;
- ``patches 2x2``: hard 2x2 patches -> the same 4 x 4 grid of 16 tokens, of 4 pixels each.

Both make 16 tokens, so the backbone and its attention cost are identical; the difference is the
embedding's input (16 overlapping pixels vs 4 disjoint ones: 768 more weights in that one Linear). Each stem
trains the same number of optimizer steps from the same seeds (same initial backbone draw order, same batches),
on 1 thread per run; the score is the final accuracy on the 180 *validation* digits (the test split is not
read). :func:`vit_explained.evidence.paired_seeds` summarises the paired differences over seeds. Written to
``benchmarks/results/t2t_stem.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from concurrent.futures import ProcessPoolExecutor

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads sleep: see bench_training.py

import torch

from _common import markdown_table, write_result
from vit_explained.evidence import paired_difference, paired_seeds
from vit_explained.training import PRESETS, fit, predict

STEMS = {"soft split (4, 2, 1)": {"soft_split": (4, 2, 1)}, "patches 2x2": {"soft_split": None}}


def train_one(job: tuple[str, int, int]) -> tuple[str, int, list[int], float]:
    """Train one stem from one seed on 1 thread: (stem, seed, 0/1 per validation digit, wall seconds)."""
    stem, seed, epochs = job
    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["digits"], seed=seed, epochs=epochs, **STEMS[stem])
    data = recipe.load_data()
    start = time.perf_counter()
    model = recipe.build_model(data)
    fit(model, data, recipe, progress=False, device="cpu")
    correct = (predict(model, data.val_images).argmax(dim=-1) == data.val_labels).int().tolist()
    return stem, seed, correct, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0 .. seeds - 1 for both stems")
    parser.add_argument(
        "--epochs", type=int, default=PRESETS["digits"].epochs, help="passes over the 1,257 training digits"
    )
    parser.add_argument("--workers", type=int, default=2, help="training processes (1 thread each)")
    parser.add_argument("--result", default="t2t_stem", help="name of the results file: benchmarks/results/<result>.md")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    jobs = [(stem, seed, args.epochs) for seed in range(args.seeds) for stem in STEMS]
    with ProcessPoolExecutor(args.workers) as pool:
        results = {(stem, seed): (correct, wall) for stem, seed, correct, wall in pool.map(train_one, jobs)}
    load_after = os.getloadavg()[0]
    names = list(STEMS)
    accuracy = {
        name: [sum(results[name, s][0]) / len(results[name, s][0]) for s in range(args.seeds)] for name in names
    }
    rows = [
        [seed]
        + [f"{100 * accuracy[name][seed]:.1f} %" for name in names]
        + [f"{100 * (accuracy[names[0]][seed] - accuracy[names[1]][seed]):+.1f}"]
        for seed in range(args.seeds)
    ]
    seeds = paired_seeds(accuracy[names[0]], accuracy[names[1]], names=("soft split", "patches"), percent=True)
    last = args.seeds - 1  # one seed's 180 paired answers: how far one run's difference is from noise
    one_seed = paired_difference(
        results[names[0], last][0], results[names[1], last][0], names=("soft split", "patches")
    )
    steps = PRESETS["digits"].epochs  # for the record: the preset's own budget
    walls = [wall for _, wall in results.values()]
    body = f"""
Run of {time.strftime("%Y-%m-%d", time.gmtime())} (UTC), `benchmarks/bench_t2t_stem.py --seeds {args.seeds}
--epochs {args.epochs} --workers {args.workers} --result {args.result}`:
load average {load_before:.1f} before, {load_after:.1f} after (a shared machine; the result does not depend on speed:
every run trains the same number of steps), each run on 1 torch thread,
{min(walls):.0f} to {max(walls):.0f} s of wall time per run.

Scikit-learn's 8x8 digits, the `digits` preset ({args.epochs} epochs for both stems; the preset's own budget is
{steps}), one change: the embedding. Soft split (4, 2, 1) and 2x2 patches both make a 4 x 4 grid of 16 tokens,
so the backbone and its attention cost are the same. Accuracy on the 180 validation digits (one digit is 0.56
points); the test split is not read.

{markdown_table(["seed", *names, "soft - patches, points"], rows)}

- Over seeds: {seeds}.
- One seed ({last}) alone, paired over its 180 validation digits (bootstrap): {one_seed}. A single run's
  interval leaves out the seed-to-seed spread; the line above is the one to read.

What this does and does not show: it compares two embeddings, overlapping 4x4 windows vs disjoint 2x2 patches, at
a tiny scale (8x8 images, 16 tokens, a 2-block backbone). They differ in more than the overlap: a token sees 16
pixels or 4, and the embedding's Linear is 16 -> 64 or 4 -> 64. It says nothing about ImageNet, the token
transformers, or T2T-ViT's deep-narrow backbone.
"""
    title = "Soft split vs patches on the digits, equal steps (lesson 07)"
    if args.epochs != steps:
        title += f", {args.epochs} epochs"
    write_result(args.result, title, body, threads="1 per run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
