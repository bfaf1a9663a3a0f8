"""Lesson 01 appendix A: does a learned table show rows AND columns when digits can sit anywhere?

    .venv/bin/python benchmarks/bench_lesson01_canvas.py SEED EPOCHS  # one run (1 thread)
    .venv/bin/python benchmarks/bench_lesson01_canvas.py --merge      # the runs -> the stored files

Each 28x28 MNIST digit is padded to a 48x48 canvas and moved by a random whole-pixel shift of up to 10 px
in each direction for every batch (``max_shift=10``), so a digit can sit anywhere on the canvas, as objects
do in photos. The model is the ``mnist`` preset with 8x8 patches (a 6x6 grid of 36 tokens), cut to a few
epochs to fit ~5 CPU-minutes for all seeds. Test digits are placed the same way (one fixed draw).
Each run's position table (float16) goes to
``vit_explained/checkpoints/lesson01_canvas_positions.safetensors``; the result table gives
:func:`vit_explained.positional.position_structure_report`'s neighbour counts and row / column
differences for each seed.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time

import torch
import torch.nn.functional as F

from _common import RESULTS, ROOT, write_result
from vit_explained.data import DigitSplit, random_shift
from vit_explained.positional import position_structure_report
from vit_explained.training import PRESETS, evaluate, fit

PAD, PATCH, SEEDS = 10, 8, (0, 1, 2)
PARTS = RESULTS / ".lesson01_canvas_parts"
STORED = ROOT / "vit_explained" / "checkpoints" / "lesson01_canvas_positions.safetensors"


def canvas_split(data: DigitSplit) -> DigitSplit:
    """Pad every image to the canvas; the test digits are also moved once, at random (seed 1234)."""
    pad = lambda images: F.pad(images, (PAD,) * 4)  # noqa: E731
    moved = random_shift(pad(data.test_images), PAD, torch.Generator().manual_seed(1234))
    return DigitSplit(pad(data.train_images), data.train_labels, pad(data.val_images), data.val_labels,
                      moved, data.test_labels)  # fmt: skip


def run(seed: int, epochs: int) -> None:
    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["mnist"], patch_size=PATCH, epochs=epochs, seed=seed, max_shift=PAD)
    data = canvas_split(recipe.load_data())
    model = recipe.build_model(data)
    start = time.process_time()
    fit(model, data, recipe, progress=False, device="cpu")
    seconds = time.process_time() - start
    info = {
        "seed": seed,
        "epochs": epochs,
        "cpu_seconds": round(seconds, 1),
        "test_accuracy_moved": evaluate(model, data.test_images, data.test_labels),
        "recipe": recipe.changes(),
    }
    PARTS.mkdir(parents=True, exist_ok=True)
    torch.save({"table": model.pos_embedding.detach().half(), "info": info}, PARTS / f"seed{seed}.pt")
    print(json.dumps(info))


def summary(table: torch.Tensor) -> dict:
    """The appendix-A statistics of one stored table (float16 -> float64 inside the report)."""
    report = position_structure_report(table.float(), (48 // PATCH, 48 // PATCH), confidence=0.99)
    out = {
        "inner_nearest_neighbour": report.inner_nearest_neighbour,
        "num_inner": report.num_inner,
        "left_right": report.left_right,
        "above_below": report.above_below,
    }
    for name in ("same row - neither", "same column - neither"):
        d = report.differences[name].difference
        out[name] = [round(float(d.estimate), 3), round(float(d.low), 3), round(float(d.high), 3)]
    return out


def merge() -> None:
    from safetensors.torch import save_file

    parts = {seed: torch.load(PARTS / f"seed{seed}.pt") for seed in SEEDS if (PARTS / f"seed{seed}.pt").exists()}
    tables = {f"seed{seed}": part["table"].contiguous() for seed, part in parts.items()}
    infos = {f"seed{seed}": part["info"] | summary(part["table"]) for seed, part in parts.items()}
    save_file(tables, str(STORED), metadata={"runs": json.dumps(infos, sort_keys=True)})
    (RESULTS / "lesson01_canvas.json").write_text(json.dumps(infos, indent=1, sort_keys=True) + "\n")
    lines = [
        f"- {name}: moved-test accuracy {info['test_accuracy_moved']:.1%}, {info['cpu_seconds']} CPU-s; "
        f"inner patches whose nearest table row is a grid neighbour {info['inner_nearest_neighbour']}/"
        f"{info['num_inner']}; same row - neither {info['same row - neither']}, "
        f"same column - neither {info['same column - neither']}"
        for name, info in infos.items()
    ]
    total = sum(info["cpu_seconds"] for info in infos.values())
    body = (
        f"MNIST digits on a 48x48 canvas, moved up to {PAD} px each way; the `mnist` preset with {PATCH}x{PATCH} "
        f"patches (6x6 grid), {len(infos)} seeds. Differences: estimate and 99 % bootstrap interval over patches, "
        f"as in lesson 01's appendix A. {total:.0f} CPU-s in all (1 thread each, on a loaded machine).\n\n"
        + "\n".join(lines)
        + "\n\nPosition tables (float16): `vit_explained/checkpoints/lesson01_canvas_positions.safetensors`; "
        "numbers: `benchmarks/results/lesson01_canvas.json`."
    )
    write_result(
        "lesson01_canvas", "Lesson 01: learned positions when digits sit anywhere on a canvas", body, threads="1"
    )
    for seed in parts:
        (PARTS / f"seed{seed}.pt").unlink()
    PARTS.rmdir()


if __name__ == "__main__":
    if sys.argv[1:] == ["--merge"]:
        merge()
    else:
        run(int(sys.argv[1]), int(sys.argv[2]))
