"""Lesson 06's "a bigger ViT, trained in view": the ``mnist-fast`` preset for 10 epochs, seed 0, stored.

    nice -n 5 .venv/bin/python benchmarks/bench_lesson06_mnist_fast.py   # about 1 CPU-minute, one torch thread

Appendix C's cell runs exactly :func:`run` when ``TRAIN_HERE = True``; by default it draws the curve stored
here (``vit_explained/checkpoints/lesson06_mnist_fast.json``, a summary in
``benchmarks/results/lesson06_mnist_fast.md``).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import platform
from pathlib import Path

import torch

from vit_explained.data import load_mnist
from vit_explained.training import PRESETS, Recipe, fit

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "vit_explained" / "checkpoints" / "lesson06_mnist_fast.json"
TABLE = ROOT / "benchmarks" / "results" / "lesson06_mnist_fast.md"
EPOCHS = 10


def recipe() -> Recipe:
    """The ``mnist-fast`` preset cut to :data:`EPOCHS` epochs, seed 0."""
    return dataclasses.replace(PRESETS["mnist-fast"], epochs=EPOCHS, seed=0)


def run() -> tuple[torch.nn.Module, dict]:
    """Train the preset once on CPU; return the model and its history as a dict."""
    mnist = load_mnist()
    model = recipe().build_model(mnist)
    history = fit(model, mnist, recipe(), progress=False, device="cpu")
    return model, dataclasses.asdict(history)


def main() -> None:
    torch.set_num_threads(1)
    model, history = run()
    stored = {
        "recipe": "mnist-fast",
        "epochs": EPOCHS,
        "seed": 0,
        "parameters": sum(p.numel() for p in model.parameters()),
        "history": history,
        "date": datetime.date.today().isoformat(),
        "conditions": f"CPU, 1 torch thread, torch {torch.__version__}, {platform.machine()}",
    }
    OUT.write_text(json.dumps(stored, indent=1) + "\n")
    rows = "\n".join(
        f"| {e:g} | {s} | {loss:.3f} | {acc:.1%} |"
        for e, s, loss, acc in zip(
            history["epoch"], history["steps"], history["train_loss"], history["val_accuracy"], strict=True
        )
    )
    TABLE.write_text(
        f"# mnist-fast, {EPOCHS} epochs, seed 0 ({stored['date']}, {stored['conditions']})\n\n"
        f"{stored['parameters']:,} parameters; {history['seconds'][-1]:.0f} s of training.\n\n"
        "| epoch | steps | train loss | validation accuracy |\n| --- | --- | --- | --- |\n" + rows + "\n"
    )
    print(TABLE.read_text())


if __name__ == "__main__":
    main()
