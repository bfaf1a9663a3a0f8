"""Lesson 01 section 6: do learned positions change when the digits move? (cell 62's hypothesis)

    .venv/bin/python benchmarks/bench_lesson01_shifted.py ARM SEED   # one run, ~100 CPU-s (1 thread)
    .venv/bin/python benchmarks/bench_lesson01_shifted.py --merge    # the six runs -> the stored file

The shipped model's recipe (``PRESETS["mnist"]``) cut to 12 epochs, over seeds 0, 1, 2, in two arms: ``shifted``
adds random whole-pixel shifts of up to 4 px (one patch) so ink reaches the border patches; ``control`` is the
same recipe without them. 12 epochs, not the shipped 50, to fit ~10 CPU-minutes: compare the arms with each other,
not with the shipped model. Each run's position table (float16) goes to
``vit_explained/checkpoints/lesson01_shifted_positions.safetensors`` (metadata: recipe, accuracies, CPU seconds);
lesson 01 reads it with :func:`vit_explained.positional.position_structure_report`.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time

import torch

from _common import RESULTS, ROOT, write_result
from vit_explained.training import PRESETS, evaluate, fit

EPOCHS, SHIFT, SEEDS, ARMS = 12, 4, (0, 1, 2), ("shifted", "control")
PARTS = RESULTS / ".lesson01_shifted_parts"
STORED = ROOT / "vit_explained" / "checkpoints" / "lesson01_shifted_positions.safetensors"


def run(arm: str, seed: int) -> None:
    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["mnist"], epochs=EPOCHS, seed=seed, max_shift=SHIFT if arm == "shifted" else 0)
    data = recipe.load_data()
    model = recipe.build_model(data)
    start = time.process_time()
    history = fit(model, data, recipe, progress=False, device="cpu")
    seconds = time.process_time() - start
    info = {
        "arm": arm,
        "seed": seed,
        "cpu_seconds": round(seconds, 1),
        "val_accuracy": history.val_accuracy[-1],
        "test_accuracy": evaluate(model, data.test_images, data.test_labels),
        "recipe": recipe.changes(),
    }
    PARTS.mkdir(parents=True, exist_ok=True)
    torch.save({"table": model.pos_embedding.detach().half(), "info": info}, PARTS / f"{arm}{seed}.pt")
    print(json.dumps(info))


def merge() -> None:
    from safetensors.torch import save_file

    tables, infos = {}, {}
    for arm in ARMS:
        for seed in SEEDS:
            part = torch.load(PARTS / f"{arm}{seed}.pt")
            tables[f"{arm}_seed{seed}"] = part["table"].contiguous()
            infos[f"{arm}_seed{seed}"] = part["info"]
    save_file(tables, str(STORED), metadata={"runs": json.dumps(infos, sort_keys=True)})
    lines = [
        f"- {name}: test {info['test_accuracy']:.1%}, validation {info['val_accuracy']:.1%}, "
        f"{info['cpu_seconds']} CPU-s"
        for name, info in infos.items()
    ]
    total = sum(info["cpu_seconds"] for info in infos.values())
    body = (
        f"Six runs of the `mnist` preset cut to {EPOCHS} epochs (seeds {SEEDS}); `shifted` adds whole-pixel shifts "
        f"of up to {SHIFT} px. {total:.0f} CPU-s in all (1 thread each, on a loaded machine).\n\n"
        + "\n".join(lines)
        + "\n\n"
        "Position tables (float16): `vit_explained/checkpoints/lesson01_shifted_positions.safetensors`."
    )
    write_result("lesson01_shifted", "Lesson 01: learned positions with and without shifted digits", body, threads="1")
    for name in infos:
        (PARTS / f"{name.replace('_seed', '')}.pt").unlink()
    PARTS.rmdir()


if __name__ == "__main__":
    if sys.argv[1:] == ["--merge"]:
        merge()
    else:
        run(sys.argv[1], int(sys.argv[2]))
