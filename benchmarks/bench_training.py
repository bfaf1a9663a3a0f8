"""A small ViT against a small CNN at the same budget of training seconds, over several seeds.

    .venv/bin/python benchmarks/bench_training.py --seeds 3     # about 12 minutes on a quiet machine
    .venv/bin/python benchmarks/bench_training.py --quick       # a smoke run (10 % budgets, 1 seed)

For each seed and data set, trains the tuned ViT preset and ``SmallCNN`` with the *same* loop
(:func:`vit_explained.training.fit_for_seconds`), the same recipe (optimizer, learning rate,
schedule, label smoothing, augmentation, seed), the same budget of *training* seconds and the same
split. Each model trains on the thread count (1 or 2) that gives it more steps per second, found
by a short speed probe before the runs (steps only: no accuracy is read):

- MNIST-5k (3,500 train / 500 validation / 1,000 test, 28x28), 60 s: target >= 97 % test accuracy;
- scikit-learn's digits (1,257 / 180 / 360, 8x8), 30 s: target >= 99 %; here also the hybrid ViT
  (``digits-hybrid``: a convolutional stem before the soft split), reported beside the plain ViT;
- then the harder target: ViT errors <= 1.2 x the CNN's.

Validation accuracy is recorded every few seconds (the curves); the test split is read once per
run, at the end. The table gives the mean and the spread (min..max) over seeds. Writes
``benchmarks/results/training.md`` and ``training.png``. Timings depend on the machine and on what
else runs on it: the load average at the start and at the end is recorded next to the numbers, with
the steps each run reached against the steps the preset's budget gives on a quiet machine
(``epochs`` of the preset, chosen by ``benchmarks/tune_presets.py`` on validation).

OpenMP's idle threads are told to sleep (``OMP_WAIT_POLICY=PASSIVE``, unless set): with the
default busy-waiting, two torch threads on a loaded 2-core machine spin against other programs and
a small ViT's step took 5 to 20 times longer (measured: 576 ms of CPU per step against 28 ms on one
thread, load average 6.5). On a quiet machine the setting changes little.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch starts its OpenMP threads

import numpy as np
import torch

from _common import RESULTS, machine, markdown_table, verdict, write_result
from vit_explained.cnn import SmallCNN
from vit_explained.plotting.lesson06 import plot_accuracy_vs_time
from vit_explained.training import PRESETS, Recipe, evaluate, fit_for_seconds

#: dataset -> (training seconds, evaluate every, target test accuracy, {model: the preset it trains with})
PLAN = {
    "digits": (30.0, 3.0, 0.99, {"ViT": "digits", "hybrid ViT (conv stem)": "digits-hybrid", "SmallCNN": "digits"}),
    "mnist": (60.0, 6.0, 0.97, {"ViT": "mnist-fast", "SmallCNN": "mnist-fast"}),
}
#: The baseline every ViT is compared with; it trains with the plain ViT's recipe.
CNN = "SmallCNN"
RATIO_TARGET = 1.2
#: The thread counts tried by :func:`fastest_threads`; each model trains on its faster one.
THREADS = (1, 2)


def build(model_name: str, recipe: Recipe, data) -> torch.nn.Module:
    if model_name != CNN:
        return recipe.build_model(data)
    torch.manual_seed(recipe.seed)
    return SmallCNN()


def fastest_threads(model_name: str, recipe: Recipe, probe_seconds: float = 3.0) -> dict[int, float]:
    """Training steps per second on 1 and on 2 threads, from a short run of each (no accuracy is read).

    Each model then trains on its faster setting: these models are so small that a second thread
    can halve a ViT's steps per second (waking it costs more than it computes), while the CNN on
    28x28 images gains from it."""
    data = recipe.load_data()
    rates = {}
    for threads in THREADS:
        torch.set_num_threads(threads)
        model = build(model_name, recipe, data)
        history = fit_for_seconds(model, data, recipe, seconds=probe_seconds, progress=False, device="cpu")
        rates[threads] = history.steps[-1] / history.seconds[-1]
    return rates


def run(
    model_name: str, recipe: Recipe, seconds: float, every: float, threads: int
) -> tuple[list[float], list[float], float, int]:
    """Train the ViT of ``recipe`` or a ``SmallCNN`` for ``seconds`` on ``threads`` threads:
    (seconds, val accuracies, test, steps). The test split is read here, once, after training."""
    torch.set_num_threads(threads)
    data = recipe.load_data()
    model = build(model_name, recipe, data)
    history = fit_for_seconds(model, data, recipe, seconds=seconds, eval_every=every, progress=False, device="cpu")
    test = evaluate(model, data.test_images, data.test_labels)  # read once, at the end
    return [0.0, *history.seconds], [0.1, *history.val_accuracy], test, history.steps[-1]


def spread(values: list[float]) -> str:
    return f"{np.mean(values):.1%} ({min(values):.1%}..{max(values):.1%})"


def pick_threads(dataset: str, name: str, recipe: Recipe, scale: float) -> int:
    """The faster thread count for ``name`` (:func:`fastest_threads`), printed."""
    rates = fastest_threads(name, recipe, probe_seconds=3.0 * scale)
    threads = max(rates, key=rates.get)
    shown = ", ".join(f"{t} thread{'s' if t > 1 else ''} {rate:.0f}/s" for t, rate in rates.items())
    print(f"{dataset}: {name} steps per second: {shown}; trains on {threads}", flush=True)
    return threads


def measure(
    dataset: str, plan: tuple[float, float, float, dict[str, str]], scale: float, seeds: int, curves: dict
) -> list[list[str]]:
    """Train every model of ``plan`` from each seed; the table rows (and seed 0's curves into ``curves``)."""
    seconds, every, target, presets = plan[0] * scale, plan[1] * scale, plan[2], plan[3]
    tests: dict[str, list[float]] = {name: [] for name in presets}
    steps: dict[str, list[int]] = {name: [] for name in presets}
    threads = {name: pick_threads(dataset, name, PRESETS[preset], scale) for name, preset in presets.items()}
    for seed in range(seeds):
        for name, preset in presets.items():
            recipe = dataclasses.replace(PRESETS[preset], seed=seed)
            print(f"{dataset}: {name} ({preset} recipe), seed {seed}, {seconds:.0f} s ...", flush=True)
            times, vals, test, count = run(name, recipe, seconds, every, threads[name])
            tests[name].append(test)
            steps[name].append(count)
            if seed == 0:
                curves[f"{dataset}: {name}"] = (times, vals)
    rows = []
    for name, values in tests.items():
        budget = f"{seconds:.0f} s, {threads[name]} thread{'s' if threads[name] > 1 else ''} "
        budget += f"({np.mean(steps[name]):.0f} steps; {min(steps[name])}..{max(steps[name])})"
        if name != CNN:
            budget += f"; quiet machine: ~{quiet_steps(presets[name]) * scale:.0f}"
        met = verdict(np.mean(values) >= target) if name != CNN else ""
        rows.append([dataset, name, budget, spread(values), f"{target:.0%}", met])
    cnn_errors = max(1 - np.mean(tests[CNN]), 1e-9)
    for name in (name for name in tests if name != CNN):
        ratio = (1 - np.mean(tests[name])) / cnn_errors
        ratio_row = [dataset, f"{name} errors / CNN errors", "", f"{ratio:.2f}x", f"<= {RATIO_TARGET}x"]
        rows.append([*ratio_row, verdict(ratio <= RATIO_TARGET)])
    return rows


def quiet_steps(preset: str) -> int:
    """The steps ``preset``'s ``epochs`` make: what its budget gives on a quiet machine (tune_presets.py)."""
    recipe = PRESETS[preset]
    return recipe.epochs * math.ceil(len(recipe.load_data().train_images) / recipe.batch_size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default 3)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 10 %% of each budget, 1 seed, no files")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        print(f"error: --seeds must be at least 1, got {args.seeds}", file=sys.stderr)
        return 2
    scale, seeds = (0.1, 1) if args.quick else (1.0, args.seeds)
    load = os.getloadavg()
    print(f"{machine()}; load average at the start {load[0]:.1f} (1 min), {load[1]:.1f} (5 min)", flush=True)
    start = time.perf_counter()
    curves: dict[str, tuple[list[float], list[float]]] = {}
    rows, recipes = [], []
    for dataset, plan in PLAN.items():
        rows += measure(dataset, plan, scale, seeds, curves)
        for preset in dict.fromkeys(plan[3].values()):
            recipes.append(f"- {dataset}: `{preset}`: {PRESETS[preset].changes()}")
    elapsed = time.perf_counter() - start
    end_load = os.getloadavg()
    header = [
        "dataset",
        "model",
        "budget (mean steps; min..max)",
        f"test accuracy, mean (min..max) over {seeds} seeds",
        "target",
        "",
    ]
    body = "\n\n".join(
        [
            f"Load average when the run started: {load[0]:.1f} (1 min), {load[1]:.1f} (5 min); at the end: "
            f"{end_load[0]:.1f} (1 min), {end_load[1]:.1f} (5 min), on {os.cpu_count()} cores. Above ~2 the machine "
            "was shared (other programs used the CPU at the same time) and the seconds buy fewer steps than on a "
            "quiet machine: compare the steps reached with the quiet-machine steps (the preset's `epochs`, "
            "measured per step as CPU time on one thread by `benchmarks/tune_presets.py`). OpenMP waits passively "
            f"(`OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}`).",
            "Each model trains with `fit_for_seconds`: the same loop, recipe, seed, split and budget of *training* "
            "seconds, each on the thread count (1 or 2) its speed probe found faster (a few seconds of training per "
            "setting, steps only; no accuracy read), shown in the budget column (evaluation off the clock; the "
            "warm-up + cosine schedule follows the clock). "
            "Validation accuracy is recorded during training (the figure, seed 0); the test split (never used to "
            "choose anything) is read once per run, at the end.",
            markdown_table(header, rows),
            "Recipes (fields that differ from `Recipe()`; `SmallCNN` uses the same recipe; chosen on the validation "
            "split by `benchmarks/tune_presets.py` at a fixed number of steps, before this run read the test "
            "split):\n" + "\n".join(recipes),
            f"Whole benchmark: {elapsed:.0f} s of wall time.",
            "![training](training.png)",
        ]
    )
    if args.quick:
        print(body)
        print("(--quick: a smoke run at 10 % of each budget; results not written)")
        return 0
    fig = plot_accuracy_vs_time(
        curves,
        targets={dataset: plan[2] for dataset, plan in PLAN.items()},
        title="Validation accuracy vs seconds of training (1 or 2 threads per model, seed 0)",
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    fig.savefig(RESULTS / "training.png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    title = "A small ViT and a small CNN at the same budget of training seconds"
    write_result("training", title, body, threads="1 or 2 (per model)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
