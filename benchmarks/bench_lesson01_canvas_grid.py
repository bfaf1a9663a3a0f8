"""Lesson 01 section 6: a finer grid on the canvas, so the learned table has room to show rows and columns.

    nice -n 5 .venv/bin/python benchmarks/bench_lesson01_canvas_grid.py [SEED] [EPOCHS]   # one run (1 thread)

Seed 0 (the exploratory run) writes ``lesson01_canvas_grid.*``; any other seed writes ``lesson01_canvas_grid_seed<N>.*``
(the confirmatory runs, seeds 1 and 2, whose hypotheses ``benchmarks/results/lesson01_canvas_grid_confirm.md`` states
before they were trained), so the runs never overwrite each other.

The canvas of ``bench_lesson01_canvas.py`` (each 28x28 MNIST digit padded to 48x48 and moved by a random
whole-pixel shift of up to 10 px each way for every batch), cut into ``6x6`` patches instead of ``8x8``: an
8 x 8 grid of 64 tokens instead of 6 x 6 = 36. The row / column readings use the inner patches only (off the
grid's outer ring), so they rest on 6 x 6 = 36 inner patches, not 4 x 4 = 16.
Everything else is the ``mnist`` preset. The position table (float16) and the run's record go to
``vit_explained/checkpoints/lesson01_canvas_grid.safetensors``; the readings (read back with
``vit_explained.positional.stored_shifted_positions("lesson01_canvas_grid.safetensors")``) to
``benchmarks/results/lesson01_canvas_grid.{json,md}``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time

import torch
from bench_lesson01_canvas import PAD, canvas_split

from _common import RESULTS, ROOT, write_result
from vit_explained.positional import adjacent_row_column, position_structure_report
from vit_explained.training import PRESETS, evaluate, fit

PATCH = 6
GRID = (48 // PATCH, 48 // PATCH)
CONFIRM = {"confidence": 1 - 0.05 / 4, "resamples": 20_000}  # the confirmatory test: a family of 4 per table


def stem(seed: int) -> str:
    """The file name (no suffix) one run writes: seed 0 is the exploratory run, other seeds the confirmatory ones."""
    return "lesson01_canvas_grid" if seed == 0 else f"lesson01_canvas_grid_seed{seed}"


def main(seed: int = 0, epochs: int = 20) -> None:
    from safetensors.torch import save_file

    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["mnist"], patch_size=PATCH, epochs=epochs, seed=seed, max_shift=PAD)
    data = canvas_split(recipe.load_data())
    model = recipe.build_model(data)
    start = time.process_time()
    fit(model, data, recipe, progress=False, device="cpu")
    seconds = time.process_time() - start
    table = model.pos_embedding.detach().half().contiguous()
    report = position_structure_report(table.float(), GRID, confidence=0.99)
    info = {
        "seed": seed,
        "epochs": epochs,
        "patch": PATCH,
        "grid": list(GRID),
        "cpu_seconds": round(seconds, 1),
        "test_accuracy_moved": evaluate(model, data.test_images, data.test_labels),
        "recipe": recipe.changes(),
    }
    for name in ("same row - neither", "same column - neither"):
        d = report.differences[name].difference
        info[name] = [round(float(d.estimate), 3), round(float(d.low), 3), round(float(d.high), 3)]
    d = adjacent_row_column(table.float(), GRID, confidence=0.99).difference
    info["adjacent in a column - adjacent in a row"] = [round(float(v), 3) for v in (d.estimate, d.low, d.high)]
    confirm = position_structure_report(table.float(), GRID, **CONFIRM)
    for name in ("same row - neither", "same column - neither"):
        d = confirm.differences[name].difference
        info[f"{name} (98.75 %, 20,000 resamples)"] = [round(float(v), 3) for v in (d.estimate, d.low, d.high)]
    run = f"seed{seed}"  # the layout stored_shifted_positions reads: run name -> table, metadata "runs"
    stored = ROOT / "vit_explained" / "checkpoints" / f"{stem(seed)}.safetensors"
    save_file({run: table}, str(stored), metadata={"runs": json.dumps({run: info}, sort_keys=True)})
    (RESULTS / f"{stem(seed)}.json").write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
    body = (
        f"MNIST digits on a 48x48 canvas, moved up to {PAD} px each way; the `mnist` preset with {PATCH}x{PATCH} "
        f"patches ({GRID[0]}x{GRID[1]} grid), seed {seed}, {epochs} epochs, {seconds:.0f} CPU-s (1 thread, on a loaded "
        f"machine). Moved-test accuracy {info['test_accuracy_moved']:.1%}.\n\n"
        + "\n".join(
            f"- {k}: {info[k]} (estimate, 99 % bootstrap interval over patches)"
            for k in ("same row - neither", "same column - neither", "adjacent in a column - adjacent in a row")
        )
        + f"\n\nPosition table (float16): `vit_explained/checkpoints/{stem(seed)}.safetensors`; "
        f"numbers: `benchmarks/results/{stem(seed)}.json`."
    )
    write_result(stem(seed), "Lesson 01: learned positions on a finer canvas grid", body, threads="1")
    print(json.dumps(info))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
