"""Choose the benchmark presets ``mnist-fast`` and ``digits`` on the VALIDATION split only.

    .venv/bin/python benchmarks/tune_presets.py               # about 30 minutes at load 6 to 11
    .venv/bin/python benchmarks/tune_presets.py --only digits

The benchmark trains for a budget of seconds (60 s on MNIST-5k, 30 s on the digits, 2 threads), but
this machine is shared, so a budget of seconds buys a different number of steps from run to run.
Each candidate is therefore trained for a fixed number of optimizer steps: what its budget gives on
a quiet machine. That rate is measured per candidate as the *CPU time* of one step on one thread
(load-independent to first order; a quiet 2-core machine with 2 threads is at least this fast, so
the step counts are conservative). For information the script also prints the wall-clock rate with
2 threads at the current load average.

Every candidate trains from seeds 0 and 1 (round 2: 0, 1, 2); the score is the mean final validation accuracy. The
test split is never read (the run that chose the presets is recorded in
``benchmarks/results/training.md``). The candidates vary the stem (soft split or patches), depth, learning
rate, warm-up, label smoothing and augmentation strength, one or two at a time from the old preset.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads sleep: see bench_training.py

import torch

from vit_explained.training import PRESETS, Recipe, _Trainer, fit

#: training seconds on a quiet 2-core machine, as in bench_training.PLAN
BUDGET = {"digits": 30.0, "mnist-fast": 60.0, "digits-round-2": 30.0, "digits-round-3": 30.0, "digits-hybrid": 30.0}
#: the seeds each candidate trains from (round 2: three, because its candidates are closer)
SEEDS = {"digits": (0, 1), "mnist-fast": (0, 1), "digits-round-2": (0, 1, 2), "digits-round-3": (0, 1, 2)}
SEEDS["digits-hybrid"] = (0, 1, 2)

_OLD_AUG = {"max_rotation": 10.0, "max_scale": 0.1, "max_translate": 2.0}
#: the digits recipe round 1 chose (the ``digits`` preset without its ``epochs``): rounds 2 and 3 start here
_DIGITS_ROUND_1 = Recipe(
    dataset="digits", patch_size=2, soft_split=(4, 2, 1), depth=2, lr=3e-3, **(_OLD_AUG | {"max_translate": 1.0})
)
#: preset -> the recipe the candidates start from (the preset before this tuning) and the candidates
CANDIDATES: dict[str, tuple[Recipe, dict[str, dict]]] = {
    "digits": (
        Recipe(dataset="digits", patch_size=2, soft_split=(4, 2, 1), **(_OLD_AUG | {"max_translate": 1.0})),
        {
            "old (soft split 4/2/1, depth 4)": {},
            "patches 2x2": {"soft_split": None},
            "depth 2": {"depth": 2},
            "depth 2, lr 3e-3": {"depth": 2, "lr": 3e-3},
            "depth 2, lighter aug": {"depth": 2, "max_rotation": 5.0, "max_scale": 0.05, "max_translate": 0.5},
            "depth 2, no label smoothing, warm-up 5 %": {"depth": 2, "label_smoothing": 0.0, "warmup": 0.05},
        },
    ),
    "mnist-fast": (
        Recipe(patch_size=7, soft_split=(10, 6, 0), **_OLD_AUG),
        {
            # three candidates only: on a machine at load 10 each MNIST run took about 5 minutes
            "old (soft split 10/6/0, depth 4)": {},
            "depth 2, lr 3e-3": {"depth": 2, "lr": 3e-3},
            "lr 3e-3, warm-up 5 %": {"lr": 3e-3, "warmup": 0.05},
        },
    ),
    # Round 2 (2026-11-30), from the chosen digits preset, after the benchmark gave each model its faster
    # thread count and the ViT reached its tuned steps (98.1 % test, still under 99 %): one change at a time.
    # Rounds 2 and 3 print a "choice", but every candidate was within the noise of 180 validation images
    # (the same candidate moved by a point between rounds), so the preset was NOT changed: see training.md.
    "digits-round-2": (
        _DIGITS_ROUND_1,
        {
            "chosen in round 1 (depth 2, lr 3e-3)": {},
            "mean pooling": {"pool": "mean"},
            "dim 96": {"dim": 96, "mlp_dim": 192},
            "depth 3": {"depth": 3},
            "lr 5e-3": {"lr": 5e-3},
            "weight decay 0.1": {"weight_decay": 0.1},
            "8 heads": {"heads": 8},
            "batch 128, lr 5e-3": {"batch_size": 128, "lr": 5e-3},
            "mlp 256": {"mlp_dim": 256},
            "jax init": {"init": "jax"},
        },
    ),
    # Round 3: round 2's choice (MLP 256) with the runner-up (mean pooling) and the next changes on top.
    "digits-round-3": (
        dataclasses.replace(_DIGITS_ROUND_1, mlp_dim=256),
        {
            "chosen in round 2 (MLP 256)": {},
            "MLP 256, mean pooling": {"pool": "mean"},
            "MLP 256, mean pooling, jax init": {"pool": "mean", "init": "jax"},
            "MLP 256, mean pooling, weight decay 0.1": {"pool": "mean", "weight_decay": 0.1},
        },
    ),
    # The hybrid ViT (a convolutional stem before the soft split): the stem's width, on the round-1 recipe.
    "digits-hybrid": (
        dataclasses.replace(_DIGITS_ROUND_1, stem_channels=16),
        {"stem of 16 channels": {}, "stem of 32 channels": {"stem_channels": 32}},
    ),
}


def step_costs(recipe: Recipe, steps: int = 30) -> tuple[float, float]:
    """(CPU seconds per step on 1 thread, wall steps/s on 2 threads now) for ``recipe``'s ViT."""
    data = recipe.load_data()
    result = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        run = _Trainer(recipe.build_model(data), data, recipe, "cpu")
        run.model.train()
        batches = run.batches_of_one_epoch()
        for index in batches[:3]:  # warm up
            run.train_step(index, 0.5)
        wall, cpu = time.perf_counter(), time.process_time()
        for k in range(steps):
            run.train_step(batches[k % len(batches)], 0.5)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        result.append(cpu / steps if threads == 1 else steps / wall)
    torch.set_num_threads(1)
    return result[0], result[1]


def train_one(job: tuple[Recipe, int]) -> tuple[float, float]:
    """Train ``recipe`` from ``seed`` on 1 thread: (final validation accuracy, wall seconds)."""
    recipe, seed = job
    torch.set_num_threads(1)
    data = recipe.load_data()
    recipe = dataclasses.replace(recipe, seed=seed)
    start = time.perf_counter()
    history = fit(recipe.build_model(data), data, recipe, progress=False, device="cpu")
    return history.final_val_accuracy, time.perf_counter() - start


def tune(preset: str, workers: int) -> Recipe:
    base, candidates = CANDIDATES[preset]
    print(f"\n## {preset}: {BUDGET[preset]:.0f} s budget; load average {os.getloadavg()[0]:.1f}", flush=True)
    recipes, rows = {}, []
    for name, changes in candidates.items():
        recipe = dataclasses.replace(base, **changes)
        cpu_per_step, wall_rate = step_costs(recipe)
        load = os.getloadavg()[0]
        steps_per_epoch = math.ceil(len(recipe.load_data().train_images) / recipe.batch_size)
        epochs = max(1, round(BUDGET[preset] / cpu_per_step / steps_per_epoch))
        recipes[name] = dataclasses.replace(recipe, epochs=epochs)
        rows.append([name, 1 / cpu_per_step, f"{wall_rate:.1f} (load {load:.1f})", epochs * steps_per_epoch, epochs])
        print(f"  {name}: {1 / cpu_per_step:.1f} steps per CPU-second -> {epochs} epochs", flush=True)
    seeds = SEEDS[preset]
    jobs = [(recipes[name], seed) for name in candidates for seed in seeds]
    if workers > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            results = pool.map(train_one, jobs, chunksize=1)
    else:
        results = [train_one(job) for job in jobs]
    print(
        "\n| candidate | steps/CPU-s (1 thread) | steps/s now (2 threads) | "
        f"steps (epochs) | val acc, seed {' / '.join(map(str, seeds))} | mean |"
    )
    print("|---|---|---|---|---|---|")
    scores = {}
    for k, (name, rate, wall_rate, steps, epochs) in enumerate(rows):
        accs = [results[k * len(seeds) + s][0] for s in range(len(seeds))]
        scores[name] = sum(accs) / len(accs)
        print(
            f"| {name} | {rate:.1f} | {wall_rate} | {steps} ({epochs}) | "
            f"{' / '.join(f'{a:.1%}' for a in accs)} | {scores[name]:.2%} |"
        )
    best = max(scores, key=lambda name: (scores[name], -list(scores).index(name)))  # ties: the earlier
    print(f"\nchoice for {preset}: {best!r} -> {recipes[best].changes()}", flush=True)
    return recipes[best]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=list(CANDIDATES), help="tune one preset")
    parser.add_argument("--workers", type=int, default=2, help="parallel 1-thread training processes (default 2)")
    args = parser.parse_args(argv)
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; validation split only")
    for preset in [args.only] if args.only else ["digits", "mnist-fast"]:
        tune(preset, args.workers)
    print(f"\n(current PRESETS for comparison: { {p: PRESETS[p].changes() for p in ('digits', 'mnist-fast')} })")
    return 0


if __name__ == "__main__":
    sys.exit(main())
