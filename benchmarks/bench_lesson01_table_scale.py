"""Lesson 01 section 5: does a larger position table move the class token's output more? Ten seeds.

    .venv/bin/python benchmarks/bench_lesson01_table_scale.py     # ~3 CPU-s, 1 thread (lesson01_table_scale.md)

For seeds 0-9, :func:`vit_explained.positional.table_scale_probe`: an untrained one-block ViT-B/16-wide model, one
shuffle of the sample picture's 196 patches, the position table x 1, x 3 and x 10 added after the shuffle; the
largest change of the class token's output. Writes ``benchmarks/results/lesson01_table_scale.json`` and its packaged
copy ``vit_explained/checkpoints/`` (identical bytes; lesson 01 reads them with
:func:`vit_explained.positional.stored_table_scale`; tests/test_lesson01_code.py re-runs seed 0).
"""

from __future__ import annotations

import datetime
import time

import torch

from _common import machine, write_result, write_stored_run
from vit_explained.positional import TABLE_SCALES, table_scale_probe

SEEDS = range(10)


def main() -> None:
    torch.set_num_threads(1)
    start = time.process_time()
    runs = [table_scale_probe(seed) for seed in SEEDS]
    seconds = time.process_time() - start
    changes = {str(s): [round(run[s], 6) for run in runs] for s in TABLE_SCALES}
    results = {
        "what": "lesson 01 section 5: largest change of the class token's output, position table x scale, seeds 0-9",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "cpu_seconds": round(seconds, 1),
        "changes": changes,
    }
    write_stored_run(results, "lesson01_table_scale")
    lines = [f"- table x {s}: {min(v):.3f} to {max(v):.3f}" for s, v in changes.items()]
    body = (
        f"Seeds 0-9, {seconds:.1f} CPU-s (1 thread).\n\n" + "\n".join(lines) + "\n\n"
        "Every seed: `lesson01_table_scale.json` (packaged: `vit_explained/checkpoints/lesson01_table_scale.json`)."
    )
    write_result("lesson01_table_scale", "Lesson 01: a larger position table, ten seeds", body, threads="1")


if __name__ == "__main__":
    main()
