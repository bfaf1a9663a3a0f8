"""Lesson 08's planted-evidence models: train three (seeds 0-2, one CPU thread, about 5 s each) and store seed 0's.

    nice -n 10 .venv/bin/python benchmarks/bench_lesson08_planted.py     # ~20 s on 2 shared cores

Writes ``vit_explained/checkpoints/lesson08_planted.safetensors`` (seed 0's model, float32, with its config and
accuracy; the lesson loads it with ``attention_maps.load_planted_model``), ``benchmarks/results/lesson08_planted.json``
with its packaged copy ``vit_explained/checkpoints/lesson08_planted.json`` (each seed's hits per map on the 100
held-out canvases the lesson reads, ``planted_canvases(100, HELD_OUT)``) and ``lesson08_planted.md``.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch

from _common import markdown_table, stored_run_header, write_result, write_stored_run
from vit_explained import attention_maps as am
from vit_explained.evidence import proportion
from vit_explained.pretrained import save_checkpoint

HELD_OUT = 1_000_000  # the lesson's 100 canvases: a seed no training batch uses
SEEDS = (0, 1, 2)
OUT = Path(am.__file__).resolve().parent / "checkpoints" / am.PLANTED_CHECKPOINT


def main() -> None:
    torch.set_num_threads(1)
    images, labels, patches = am.planted_canvases(100, HELD_OUT)
    start, runs = time.perf_counter(), {}
    for seed in SEEDS:
        model = am.train_planted_model(seed=seed)
        with torch.no_grad():
            accuracy = (model(images).argmax(-1) == labels).float().mean().item()
        if seed == 0:  # the lesson's model
            info = {"recipe": "am.train_planted_model(steps=300, batch=64, seed=0)", "held_out_accuracy": accuracy}
            save_checkpoint(model, OUT, dict(am.PLANTED_CONFIG), info, dtype=torch.float32)
            model = am.load_planted_model()
        hits = am.planted_hits(am.planted_maps(model, images, labels), patches)
        runs[str(seed)] = {"accuracy": accuracy, "hits": {name: int(hit.sum()) for name, hit in hits.items()}}
    seconds = time.perf_counter() - start
    what = f"train_planted_model(seed) for seeds {list(SEEDS)}; hits on planted_canvases(100, {HELD_OUT})"
    write_stored_run({**stored_run_header(what, seconds, threads="1"), "runs": runs}, "lesson08_planted")
    names = list(runs["0"]["hits"])
    rows = [[seed, f"{run['accuracy']:.0%}", *(run["hits"][n] for n in names)] for seed, run in runs.items()]
    seed_0 = "; ".join(f"{n} {proportion([1] * k + [0] * (100 - k))}" for n, k in runs["0"]["hits"].items())
    body = (
        f"Computed in {seconds:.1f} s. Top patch = the marked patch, of 100 held-out canvases:\n\n"
        f"{markdown_table(['seed', 'accuracy', *names], rows)}\n\nSeed 0 (stored, the lesson's model): {seed_0}."
    )
    write_result("lesson08_planted", "Lesson 08: planted evidence, hit rates of three maps", body, threads="1")


if __name__ == "__main__":
    main()
