"""Lesson 06's in-view ViT knob: patch size 2 against 4 on the 8x8 digits, 400 steps, seeds 0..4, stored.

    nice -n 10 .venv/bin/python benchmarks/bench_lesson06_patch.py   # about 2 CPU-minutes, one torch thread

Both arms are ``bench_lesson06.QUICK`` (the lesson's 1-block ViT: AdamW lr 1e-2, weight decay 0.05, label
smoothing 0.1, batch 64, warm-up then cosine, no augmentation) for 400 steps (20 epochs of 20 steps); only
``patch_size`` changes: 2 (sixteen 2x2 patches, the lesson's model) or 4 (four 4x4 patches). Each seed trains
both arms, so the two accuracies are paired by seed. Validation accuracy after the last epoch (the lesson
chooses on validation; no test digit is read). Writes ``benchmarks/results/lesson06_patch.json`` (and its packaged
copy ``vit_explained/checkpoints/lesson06_patch.json``, which lesson 06 reads) and ``lesson06_patch.md``.
"""

from __future__ import annotations

import dataclasses
import time

import torch
from bench_lesson06 import EQUAL_STEPS, QUICK, STEPS_PER_EPOCH

from _common import markdown_table, stored_run_header, write_result, write_stored_run
from vit_explained.data import load_digits
from vit_explained.evidence import paired_seeds
from vit_explained.training import fit

PATCH_SIZES = (2, 4)
SEEDS = range(5)


def run(seed: int, **change: object) -> float:
    """One 400-step run of the lesson's ViT with one recipe field changed (``patch_size=4``, ``pool="mean"``, ...);
    its final validation accuracy. ``bench_lesson06_pool.py`` runs its arms through this too."""
    data = load_digits()
    recipe = dataclasses.replace(QUICK, **change, seed=seed, epochs=EQUAL_STEPS // STEPS_PER_EPOCH)
    model = recipe.build_model(data)
    return fit(model, data, recipe, progress=False, device="cpu").final_val_accuracy


def store_knob(
    name: str, what: str, val: dict[str, list[float]], columns: dict[str, str], minus: tuple[str, str], seconds: float
) -> None:
    """Store one knob's runs (``val``: arm -> accuracy per seed in ``SEEDS``) as ``name``.json and ``name``.md: a
    table with ``columns`` (arm -> header, in order), then ``minus[0] - minus[1]``'s paired t-interval.
    ``bench_lesson06_pool.py`` stores its runs through this too."""
    results = stored_run_header(f"lesson 06: {what} on the 8x8 digits, {EQUAL_STEPS} steps", seconds, "1")
    results |= {"seeds": list(SEEDS), "steps": EQUAL_STEPS, "val_accuracy": val}
    write_stored_run(results, name)
    first, second = minus
    comparison = paired_seeds(val[first], val[second], names=(columns[first], columns[second]), percent=True)
    rows = [[seed, *(f"{val[arm][i]:.1%}" for arm in columns)] for i, seed in enumerate(SEEDS)]
    body = markdown_table(["seed", *columns.values()], rows)
    difference = f"{columns[first]} minus {columns[second]}: {comparison.t_interval()}"
    body += f"\n\n{difference} (paired t, 95 %); CPU {seconds:.0f} s."
    write_result(name, f"Lesson 06: {what} (8x8 digits, {EQUAL_STEPS} steps)", body, "1")


def main() -> None:
    torch.set_num_threads(1)
    start = time.process_time()
    val = {str(p): [run(seed, patch_size=p) for seed in SEEDS] for p in PATCH_SIZES}
    seconds = time.process_time() - start
    store_knob("lesson06_patch", "ViT patch size 2 vs 4", val, {"2": "patch 2", "4": "patch 4"}, ("2", "4"), seconds)


if __name__ == "__main__":
    main()
