"""Lesson 08, appendix H: the last block alone, or every layer, re-drawn five times (Adebayo et al.'s test).

    .venv/bin/python benchmarks/bench_lesson08_randomisation.py   # ~30 s on 2 shared cores (lesson08_randomisation.md)

Runs :func:`vit_explained.attention_maps.randomisation_table` exactly as the appendix did (the trained MNIST ViT,
``data.test_images[:32]`` for the maps, ``data.test_images[:200]`` for the decisions, the recipe's init, 5 draws,
seed 0) and stores ``(table, trained_maps)`` with ``torch.save`` in ``benchmarks/results/lesson08_randomisation.pt``
and its packaged copy ``vit_explained/checkpoints/lesson08_randomisation.pt`` (identical bytes; the appendix reads
it with ``attention_maps.stored_randomisation`` and re-runs the first every-layer draw against it).
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import time

import torch

from _common import RESULTS, ROOT, machine, write_result
from vit_explained.attention_maps import RandomisationTable, randomisation_table
from vit_explained.data import load_mnist
from vit_explained.pretrained import checkpoint_info, load_mnist_vit


def compact(table: RandomisationTable, trained_maps: dict[str, torch.Tensor]) -> tuple:
    """The same values in tensors of their own (a map sliced from a (B, N, N) tensor would save all of it)."""
    own = {name: m.clone() for name, m in trained_maps.items()}
    every = [{name: m.clone() for name, m in maps.items()} for maps in table.every_layer_maps]
    table = dataclasses.replace(
        table,
        every_layer_maps=every,
        trained_update=table.trained_update.clone(),
        redrawn_update=table.redrawn_update.clone(),
    )
    return table, own


def write_stored(table: RandomisationTable, trained_maps: dict[str, torch.Tensor], seconds: float) -> None:
    table, trained_maps = compact(table, trained_maps)
    buffer = io.BytesIO()
    torch.save({"table": table, "trained_maps": trained_maps, "seconds": round(seconds, 1)}, buffer)
    for folder in (RESULTS, ROOT / "vit_explained" / "checkpoints"):
        (folder / "lesson08_randomisation.pt").write_bytes(buffer.getvalue())


def main() -> None:
    torch.manual_seed(0)
    model, data = load_mnist_vit(), load_mnist()
    grid = model.patch_embedding.grid
    maps = data.test_images[:32], data.test_labels[:32]
    decisions = data.test_images[:200], data.test_labels[:200]
    init = checkpoint_info()["info"]["recipe"]["init"]
    start = time.perf_counter()
    table, trained_maps = randomisation_table(model, maps, decisions, grid, init=init, draws=5)
    seconds = time.perf_counter() - start
    write_stored(table, trained_maps, seconds)
    body = (
        f"`randomisation_table(..., init={init!r}, draws=5)` on 32 map digits and 200 decision digits: "
        f"{seconds:.1f} s ({datetime.datetime.now(datetime.UTC):%Y-%m-%d}).\n\n```text\n{table}\n```\n\n"
        "Stored: `lesson08_randomisation.pt` (packaged: `vit_explained/checkpoints/lesson08_randomisation.pt`)."
    )
    write_result("lesson08_randomisation", "Lesson 08: the last block or every layer re-drawn", body)
    print(machine(), f"{seconds:.1f} s")


if __name__ == "__main__":
    main()
