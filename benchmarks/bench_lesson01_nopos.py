"""Lesson 01 section 5: the one-change ablation of positions, both arms of it.

    .venv/bin/python benchmarks/bench_lesson01_nopos.py SEED                  # no positions, ~310 CPU-s (1 thread)
    .venv/bin/python benchmarks/bench_lesson01_nopos.py --arm withpos SEED    # with positions, ~300 CPU-s
    .venv/bin/python benchmarks/bench_lesson01_nopos.py [--arm withpos] --merge   # the runs done -> the stored files

Both arms train the shipped model's recipe (``PRESETS["mnist"]``, 50 epochs) and change one thing only:

- ``nopos`` (seeds 0, 1, 2): the position table zeroed and frozen (no gradient, so it stays zero). Lesson 01 also
  compares it with the shipped model with its table removed after training ("The zeroed-table control", section
  5b): that model saw positions in training, this one never did.
- ``withpos`` (seeds 1 and 2; seed 0 is the shipped checkpoint, 97.4 %): the table learned as usual. Run in round
  fix01o (about 253 CPU-s each) and merged.

Each arm writes ``benchmarks/results/lesson01_{arm}.{md,json}`` and the JSON's copy in ``vit_explained/checkpoints``,
which the lesson reads (:func:`vit_explained.positional.stored_nopos_runs`: seed -> test accuracy). Lesson 01
section 5 prints both arms' ranges over seeds 0-2 and the gap over every seed pair.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from dataclasses import dataclass

import torch

from _common import RESULTS, write_result, write_stored_run
from vit_explained.training import PRESETS, evaluate, fit


@dataclass(frozen=True)
class Arm:
    """One arm of the ablation: what its stored files say and which seeds it runs."""

    seeds: tuple[int, ...]
    frozen_zero_table: bool
    what: str
    title: str
    setup: str
    footer: str


ARMS = {
    "nopos": Arm(
        seeds=(0, 1, 2),
        frozen_zero_table=True,
        what="PRESETS['mnist'] (the shipped model's recipe) trained with pos_embedding zeroed and frozen",
        title="Lesson 01: the shipped recipe trained without positions",
        setup="The `mnist` preset (the shipped model's recipe, 50 epochs) trained with the position table zeroed "
        "and frozen, 1 thread each.",
        footer="For comparison, the shipped model with its trained table zeroed after training: 27.7 % (lesson 01, "
        "section 5).",
    ),
    "withpos": Arm(
        seeds=(1, 2),
        frozen_zero_table=False,
        what="PRESETS['mnist'] (the shipped model's recipe), positions learned; seed 0 is the shipped model",
        title="Lesson 01: the shipped recipe with positions, more seeds",
        setup="The `mnist` preset (the shipped model's recipe, 50 epochs), positions learned as usual, 1 thread each. "
        "Seed 0 is the shipped checkpoint (97.4 %).",
        footer="The other arm, the same recipe without positions: `lesson01_nopos.md`.",
    ),
}


def parts(arm: str):
    return RESULTS / f".lesson01_{arm}_parts"


def run(arm: str, seed: int) -> None:
    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["mnist"], seed=seed)
    data = recipe.load_data()
    model = recipe.build_model(data)
    if ARMS[arm].frozen_zero_table:
        with torch.no_grad():
            model.pos_embedding.zero_()
        model.pos_embedding.requires_grad_(False)
    start = time.process_time()
    history = fit(model, data, recipe, progress=False, device="cpu")
    seconds = time.process_time() - start
    if ARMS[arm].frozen_zero_table:
        assert not model.pos_embedding.any(), "the frozen table moved"
    info = {
        "seed": seed,
        "cpu_seconds": round(seconds, 1),
        "val_accuracy": history.val_accuracy[-1],
        "test_accuracy": evaluate(model, data.test_images, data.test_labels),
        "recipe": recipe.changes(),
    }
    parts(arm).mkdir(parents=True, exist_ok=True)
    (parts(arm) / f"seed{seed}.json").write_text(json.dumps(info))
    print(json.dumps(info))


def merge(arm: str) -> None:
    """The runs done so far -> the stored files. Every seed of the arm: the results and the packaged copy the lesson
    reads; fewer: the results only, marked partial (the lesson does not read them)."""
    spec, name = ARMS[arm], f"lesson01_{arm}"
    done = [seed for seed in spec.seeds if (parts(arm) / f"seed{seed}.json").exists()]
    runs = [json.loads((parts(arm) / f"seed{seed}.json").read_text()) for seed in done]
    complete = tuple(done) == spec.seeds
    results = {
        "what": spec.what,
        "seeds": done,
        "complete": complete,
        "runs": runs,
        "test_accuracy_min": min(run["test_accuracy"] for run in runs),
        "test_accuracy_max": max(run["test_accuracy"] for run in runs),
    }
    if complete:
        write_stored_run(results, name)  # the results file and its copy in vit_explained/checkpoints
    else:
        (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=1) + "\n")
    lines = [
        f"- seed {run['seed']}: test {run['test_accuracy']:.1%}, validation {run['val_accuracy']:.1%}, "
        f"{run['cpu_seconds']} CPU-s"
        for run in runs
    ]
    partial = (
        ""
        if complete
        else f"**Partial: seeds {done} of {spec.seeds}.** The other seeds were stopped unfinished on a loaded machine; "
        "the lesson does not read this file until every seed is in.\n\n"
    )
    body = (
        partial + spec.setup + "\n\n" + "\n".join(lines) + "\n\n"
        f"Test accuracy: {results['test_accuracy_min']:.1%} to {results['test_accuracy_max']:.1%} over the seeds run. "
        + spec.footer
    )
    write_result(name, spec.title, body, threads="1")


def main() -> None:
    parser = argparse.ArgumentParser(description="Lesson 01's one-change ablation of positions (one arm per call).")
    parser.add_argument("--arm", choices=sorted(ARMS), default="nopos", help="which arm (default: nopos)")
    parser.add_argument("--merge", action="store_true", help="merge the runs done so far into the stored files")
    parser.add_argument("seed", nargs="?", type=int, help="the seed to run (not with --merge)")
    args = parser.parse_args()
    if args.merge == (args.seed is not None):
        parser.error("give a SEED or --merge, not both")
    if args.merge:
        merge(args.arm)
    elif args.seed not in ARMS[args.arm].seeds:
        parser.error(f"seed {args.seed} is not one of the {args.arm} arm's seeds {ARMS[args.arm].seeds}")
    else:
        run(args.arm, args.seed)


if __name__ == "__main__":
    main()
