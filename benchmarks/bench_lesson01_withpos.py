"""Lesson 01 section 5: the "with positions" arm of the one-change ablation, over more seeds.

    .venv/bin/python benchmarks/bench_lesson01_withpos.py SEED      # one run, ~300 CPU-s (1 thread)
    .venv/bin/python benchmarks/bench_lesson01_withpos.py --merge   # the runs done so far -> the stored files

The shipped model's recipe (``PRESETS["mnist"]``, 50 epochs), position table learned as usual, seeds 1 and 2 (seed 0
is the shipped checkpoint, 97.4 %). ``bench_lesson01_nopos.py`` is the other arm: the same recipe with the table
zeroed and frozen. Writes ``benchmarks/results/lesson01_withpos.{md,json}`` and the JSON's copy in
``vit_explained/checkpoints``, which the lesson can then read (:func:`vit_explained.positional.stored_nopos_runs`
reads either file: seed -> test accuracy).

Run in round fix01o (seeds 1 and 2, about 253 CPU-s each) and merged; lesson 01 section 5 prints both arms' ranges
over seeds 0-2 and the gap over every seed pair.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time

import torch

from _common import RESULTS, write_result, write_stored_run
from vit_explained.training import PRESETS, evaluate, fit

SEEDS = (1, 2)
PARTS = RESULTS / ".lesson01_withpos_parts"


def run(seed: int) -> None:
    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["mnist"], seed=seed)
    data = recipe.load_data()
    model = recipe.build_model(data)
    start = time.process_time()
    history = fit(model, data, recipe, progress=False, device="cpu")
    seconds = time.process_time() - start
    info = {
        "seed": seed,
        "cpu_seconds": round(seconds, 1),
        "val_accuracy": history.val_accuracy[-1],
        "test_accuracy": evaluate(model, data.test_images, data.test_labels),
        "recipe": recipe.changes(),
    }
    PARTS.mkdir(parents=True, exist_ok=True)
    (PARTS / f"seed{seed}.json").write_text(json.dumps(info))
    print(json.dumps(info))


def merge() -> None:
    """The runs done so far -> the stored files (the packaged copy only when every seed is in)."""
    done = [seed for seed in SEEDS if (PARTS / f"seed{seed}.json").exists()]
    runs = [json.loads((PARTS / f"seed{seed}.json").read_text()) for seed in done]
    complete = tuple(done) == SEEDS
    results = {
        "what": "PRESETS['mnist'] (the shipped model's recipe), positions learned; seed 0 is the shipped model",
        "seeds": done,
        "complete": complete,
        "runs": runs,
        "test_accuracy_min": min(run["test_accuracy"] for run in runs),
        "test_accuracy_max": max(run["test_accuracy"] for run in runs),
    }
    if complete:
        write_stored_run(results, "lesson01_withpos")
    else:
        (RESULTS / "lesson01_withpos.json").write_text(json.dumps(results, indent=1) + "\n")
    lines = [
        f"- seed {run['seed']}: test {run['test_accuracy']:.1%}, validation {run['val_accuracy']:.1%}, "
        f"{run['cpu_seconds']} CPU-s"
        for run in runs
    ]
    body = (
        "The `mnist` preset (the shipped model's recipe, 50 epochs), positions learned as usual, 1 thread each. "
        "Seed 0 is the shipped checkpoint (97.4 %).\n\n" + "\n".join(lines) + "\n\n"
        f"Test accuracy: {results['test_accuracy_min']:.1%} to {results['test_accuracy_max']:.1%} over the seeds run. "
        "The other arm, the same recipe without positions: `lesson01_nopos.md`."
    )
    write_result("lesson01_withpos", "Lesson 01: the shipped recipe with positions, more seeds", body, threads="1")


if __name__ == "__main__":
    if sys.argv[1:] == ["--merge"]:
        merge()
    else:
        run(int(sys.argv[1]))
