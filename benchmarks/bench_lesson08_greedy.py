"""Lesson 08's greedy deletion order: a strong reference deletion area (a model-using order, not optimal), slow.

    .venv/bin/python benchmarks/bench_lesson08_greedy.py     # ~1.5 min on 2 shared cores (lesson08_greedy.md)

For the lesson's 200 test digits (``data.test_images[:200]``) and its trained MNIST ViT
(``load_mnist_vit()``), :func:`vit_explained.attention_maps.greedy_deletion_order` deletes, one patch at a
time, the inked patch whose removal leaves p(true class) lowest (blank patches are no-ops on MNIST's black
fill). Writes ``benchmarks/results/lesson08_greedy.json`` and its packaged copy
``vit_explained/checkpoints/lesson08_greedy.json`` (identical bytes: each digit's 49 scores, higher =
deleted earlier; lesson 08 and its appendix read them with ``attention_maps.stored_greedy_scores``) and
``lesson08_greedy.md`` (the summary). The order depends on the model's float32 forward passes: on
another CPU a near-tie may go the other way, which moves the area in its fourth decimal at most.
"""

from __future__ import annotations

import time

from _common import mnist_vit_and_data, stored_run_header, write_result, write_stored_run
from vit_explained.attention_maps import deletion_areas, greedy_deletion_order, ink_per_patch

DIGITS = 200
COUNTS = [0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 49]  # lesson 08's readings


def main() -> None:
    model, data = mnist_vit_and_data()
    images, labels = data.test_images[:DIGITS], data.test_labels[:DIGITS]
    grid = model.patch_embedding.grid
    start = time.perf_counter()
    scores = greedy_deletion_order(model, images, labels, grid)
    seconds = time.perf_counter() - start
    ink = ink_per_patch(images, grid)
    _, areas = deletion_areas(model, images, labels, {"greedy": scores, "ink first": ink}, counts=COUNTS)
    results = {
        **stored_run_header(
            f"greedy_deletion_order on load_mnist_vit(), data.test_images[:{DIGITS}], black fill", seconds
        ),
        "grid": list(grid),
        "scores": scores.flatten(1).int().tolist(),
    }
    write_stored_run(results, "lesson08_greedy")
    body = (
        f"Greedy deletion order for lesson 08's {DIGITS} test digits, computed in {seconds:.1f} s.\n\n"
        f"Mean deletion area (readings after {', '.join(map(str, COUNTS))} patches): greedy "
        f"{areas['greedy'].mean():.4f}, ink first {areas['ink first'].mean():.4f}.\n\n"
        "Every digit's scores: `lesson08_greedy.json` (packaged: `vit_explained/checkpoints/lesson08_greedy.json`)."
    )
    write_result("lesson08_greedy", "Lesson 08: greedy deletion order", body)


if __name__ == "__main__":
    main()
