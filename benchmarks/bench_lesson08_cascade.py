"""Lesson 08 section 9's cascade table: every step, three draws each, on the lesson's digits.

    .venv/bin/python benchmarks/bench_lesson08_cascade.py  # ~25 s of CPU, 2 min on 2 loaded cores (lesson08_cascade.md)

Deterministic (the trained model in eval mode, float32 on the CPU, the draws under seed 1), but 18 re-drawn copies,
each with a gradient pass on 32 digits and a forward pass on 200: the costliest cell of lesson 08 when it ran
there. For ``load_mnist_vit()``, :func:`vit_explained.attention_maps.cascade_table` with the lesson's arguments
(maps on ``data.test_images[:32]``, decisions on ``data.test_images[:200]``, the recipe's init, 3 draws). Writes
``benchmarks/results/lesson08_cascade.json`` and its packaged copy ``vit_explained/checkpoints/lesson08_cascade.json``
(read by ``attention_maps.stored_cascade``; every number to 6 decimals) and ``lesson08_cascade.md``. The lesson
re-measures one draw (``remeasure_cascade_draw``) and checks it against the file; ``tests/test_lesson08_cascade.py``
checks the file's shape and one draw.
"""

from __future__ import annotations

import datetime
import time

import torch

from _common import machine, write_result, write_stored_run
from vit_explained.attention_maps import cascade_table, cascade_to_json
from vit_explained.data import load_mnist
from vit_explained.pretrained import checkpoint_info, load_mnist_vit

MAP_DIGITS, DECISION_DIGITS, DRAWS = 32, 200, 3


def main() -> None:
    torch.manual_seed(0)
    model, data = load_mnist_vit(), load_mnist()
    grid = tuple(model.patch_embedding.grid)
    init = checkpoint_info()["info"]["recipe"]["init"]
    start = time.perf_counter()
    table = cascade_table(
        model,
        (data.test_images[:MAP_DIGITS], data.test_labels[:MAP_DIGITS]),
        (data.test_images[:DECISION_DIGITS], data.test_labels[:DECISION_DIGITS]),
        grid,
        init=init,
        draws=DRAWS,
    )
    seconds = time.perf_counter() - start
    results = {
        "what": (
            f"cascade_table on load_mnist_vit(): maps on data.test_images[:{MAP_DIGITS}], decisions on "
            f"data.test_images[:{DECISION_DIGITS}], init {init!r}, {DRAWS} draws, seed 1"
        ),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "seconds": round(seconds, 1),
        **cascade_to_json(table),
    }
    write_stored_run(results, "lesson08_cascade")
    body = (
        f"Lesson 08's cascade ({len(table.rows)} steps x {DRAWS} draws), computed in {seconds:.1f} s.\n\n"
        f"```\n{table}\n```\n\n"
        "Every draw's ρ per digit and the first draw's maps: `lesson08_cascade.json` "
        "(packaged: `vit_explained/checkpoints/lesson08_cascade.json`)."
    )
    write_result("lesson08_cascade", "Lesson 08: the cascade table", body)


if __name__ == "__main__":
    main()
