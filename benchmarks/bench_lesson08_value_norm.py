"""Lesson 08 section 10's value-norm map (Kobayashi et al. 2020, simplified) on deletion, stored so the lesson
reads it instead of re-running it (about 2 CPU-seconds).

    .venv/bin/python benchmarks/bench_lesson08_value_norm.py     # a few seconds on 2 shared cores

The last block's class-token attention times each patch's value norm, heads averaged
(``am.value_norm_map``), on the first 200 test digits, and its deletion area per digit (``deletion_areas`` at
``COUNTS``, black fill, as section 10). Writes ``benchmarks/results/lesson08_value_norm.json``, its packaged copy
``vit_explained/checkpoints/lesson08_value_norm.json`` (the lesson reads it with
``attention_maps.stored_value_norm_areas`` and re-runs the first digits against it) and ``lesson08_value_norm.md``.
"""

from __future__ import annotations

import time

from _common import mnist_vit_and_data, stored_run_header, write_result, write_stored_run
from vit_explained import attention_maps as am

COUNTS = [0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 49]  # section 10's twelve readings


def main() -> None:
    model, data = mnist_vit_and_data()
    grid = tuple(model.patch_embedding.grid)
    images, labels = data.test_images[:200], data.test_labels[:200]
    start = time.perf_counter()
    maps = {"value-norm": am.value_norm_map(model, images, grid)}
    _, areas = am.deletion_areas(model, images, labels, maps, counts=COUNTS)
    seconds = time.perf_counter() - start
    results = {
        **stored_run_header(
            "section 10: the value-norm map's deletion area on data.test_images[:200] (black fill)", seconds
        ),
        "counts": COUNTS,
        "areas": {name: [round(v, 6) for v in a.tolist()] for name, a in areas.items()},
    }
    write_stored_run(results, "lesson08_value_norm")
    lines = "\n".join(f"- {name}: mean area {a.mean():.4f}" for name, a in areas.items())
    body = (
        f"Computed in {seconds:.1f} s. 200 test digits, counts {COUNTS}.\n\n{lines}\n\n"
        "Every area: `lesson08_value_norm.json` (packaged: `vit_explained/checkpoints/lesson08_value_norm.json`)."
    )
    write_result("lesson08_value_norm", "Lesson 08: section 10's value-norm map on deletion", body)


if __name__ == "__main__":
    main()
