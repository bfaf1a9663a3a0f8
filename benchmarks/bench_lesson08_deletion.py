"""Lesson 08's deletion curves: every order section 10 and appendix A delete in, on the lesson's 200 test digits.

    .venv/bin/python benchmarks/bench_lesson08_deletion.py     # ~25 s of CPU on 2 shared cores (lesson08_deletion.md)

Deterministic (the trained model in eval mode, float32 on the CPU), but about 10 s of forward passes that lesson 08
and its appendix would otherwise run on every execution: for ``data.test_images[:200]`` and ``load_mnist_vit()``, the
orders of :func:`vit_explained.attention_maps.lesson08_deletion_orders` (nine in section 10, three stroke-first ones
in appendix A, section 10's three next-digit controls) and their deletion curves at ``DELETION_COUNTS``
(:func:`deletion_areas`), and the raw occlusion scores. Writes ``benchmarks/results/lesson08_deletion.json`` and its
packaged copy ``vit_explained/checkpoints/lesson08_deletion.json`` (read by ``attention_maps.stored_deletion``; curves
to 6 decimals, one line per digit) and ``lesson08_deletion.md``. The lesson and its appendix recompute their first
eight digits and check them against the file; ``tests/test_lesson08_deletion.py`` does the same for three.
"""

from __future__ import annotations

import time

from _common import mnist_vit_and_data, stored_run_header, write_result, write_stored_run
from vit_explained.attention_maps import DELETION_COUNTS, deletion_areas, lesson08_deletion_orders

DIGITS = 200


def _row(values: list[float]) -> str:
    """One digit's readings as one line of the JSON file: 6 decimals, separated by spaces."""
    return " ".join(f"{v:.6f}" for v in values)


def main() -> None:
    model, data = mnist_vit_and_data()
    images, labels = data.test_images[:DIGITS], data.test_labels[:DIGITS]
    start = time.perf_counter()
    orders = lesson08_deletion_orders(model, data, DIGITS)
    curves, areas = deletion_areas(model, images, labels, orders, counts=list(DELETION_COUNTS))
    seconds = time.perf_counter() - start
    results = {
        **stored_run_header(f"deletion curves on load_mnist_vit(), data.test_images[:{DIGITS}], black fill", seconds),
        "grid": list(model.patch_embedding.grid),
        "counts": list(DELETION_COUNTS),
        "curves": {name: [_row(row) for row in curve.tolist()] for name, curve in curves.items()},
        "occlusion": [_row(row) for row in orders["occlusion, raw"].flatten(1).tolist()],
    }
    write_stored_run(results, "lesson08_deletion")
    lines = [f"| {name} | {areas[name].mean():.4f} |" for name in curves]
    body = (
        f"Deletion curves for lesson 08's {DIGITS} test digits, {len(curves)} orders, computed in {seconds:.1f} s.\n\n"
        "| order | mean deletion area |\n|---|---|\n" + "\n".join(lines) + "\n\n"
        "Every digit's curves: `lesson08_deletion.json` (packaged: `vit_explained/checkpoints/lesson08_deletion.json`)."
    )
    write_result("lesson08_deletion", "Lesson 08: deletion curves", body)


if __name__ == "__main__":
    main()
