"""Lesson 08 section 11's deletion run, stored so the lesson reads it instead of re-running it (about a second
of the lesson's CPU).

    .venv/bin/python benchmarks/bench_lesson08_knobs.py     # a few seconds on 2 shared cores (lesson08_knobs.md)

The four vit-explain settings of section 11 (plain rollout; mean, discard 0.9; max, discard 0.9; min) on the
first 100 validation digits, as the lesson builds them (``am.rollout_settings``), and each setting's deletion area
per digit (``deletion_areas`` at ``COUNTS``, black fill). Writes ``benchmarks/results/lesson08_knobs.json``, its
packaged copy ``vit_explained/checkpoints/lesson08_knobs.json`` (the lesson reads it with
``attention_maps.stored_knob_areas`` and re-runs the first digits against it) and ``lesson08_knobs.md``.
"""

from __future__ import annotations

import time

import torch

from _common import mnist_vit_and_data, stored_run_header, write_result, write_stored_run
from vit_explained import attention_maps as am

SETTINGS = {
    "mean (rollout)": ("mean", 0.0),
    "mean, discard 0.9": ("mean", 0.9),
    "max, discard 0.9": ("max", 0.9),
    "min": ("min", 0.0),
}
COUNTS = [0, 2, 4, 8, 16, 32, 49]  # section 11's seven readings


def main() -> None:
    model, data = mnist_vit_and_data()
    grid = tuple(model.patch_embedding.grid)
    images, labels = data.val_images[:100], data.val_labels[:100]
    start = time.perf_counter()
    with am.capture_attention(model) as weights, torch.no_grad():
        model(images)
    maps = am.rollout_settings(weights, SETTINGS, grid)
    _, areas = am.deletion_areas(model, images, labels, maps, counts=COUNTS)
    seconds = time.perf_counter() - start
    results = {
        **stored_run_header(
            "section 11: each vit-explain setting's deletion area on data.val_images[:100] (black fill)", seconds
        ),
        "counts": COUNTS,
        "settings": {name: list(knobs) for name, knobs in SETTINGS.items()},
        "areas": {name: [round(v, 6) for v in a.tolist()] for name, a in areas.items()},
    }
    write_stored_run(results, "lesson08_knobs")
    lines = "\n".join(f"- {name}: mean area {a.mean():.4f}" for name, a in areas.items())
    body = (
        f"Computed in {seconds:.1f} s. 100 validation digits, counts {COUNTS}.\n\n{lines}\n\n"
        "Every area: `lesson08_knobs.json` (packaged: `vit_explained/checkpoints/lesson08_knobs.json`)."
    )
    write_result("lesson08_knobs", "Lesson 08: section 11's deletion areas per vit-explain setting", body)


if __name__ == "__main__":
    main()
