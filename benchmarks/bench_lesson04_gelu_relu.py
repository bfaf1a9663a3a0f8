"""Lesson 04's GELU against ReLU in training: stored and read by the lesson (section 1).

    .venv/bin/python benchmarks/bench_lesson04_gelu_relu.py   # 6 runs: about 3 CPU-minutes (2 processes x 1 thread)

Section 1 swaps ReLU into the MNIST ViT that was trained with GELU; that says what the trained weights expect, not
which activation trains better. This trains the MNIST ViT's architecture both ways: lesson 01's digits recipe
(``checkpoint_info(MNIST_VIT)``: AdamW, lr 2e-3, 10 % warm-up then cosine, label smoothing 0.1, the same
augmentation), shortened from 50 epochs to ``EPOCHS`` to fit a budget of about 3 CPU-minutes. Per seed (0, 1, 2)
both arms start from the same weights (the activation has none) and see the same batches and augmentation; only
every block's ``mlp.act`` differs (``GELU()`` or ``nn.ReLU()``). Recorded per run: the validation accuracy after
every epoch (the 500 validation digits; the test digits are not read).

Writes ``benchmarks/results/lesson04_gelu_relu.json``, its packaged copy ``vit_explained/checkpoints/
lesson04_gelu_relu.json`` (read by ``plotting.lesson04.stored_gelu_relu``) and ``lesson04_gelu_relu.md``.
"""

from __future__ import annotations

import datetime
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from torch import nn

from benchmarks._common import machine, markdown_table, write_result, write_stored_run
from vit_explained import GELU, ViT
from vit_explained.data import load_mnist
from vit_explained.evidence import over_seeds, paired_seeds
from vit_explained.pretrained import MNIST_VIT, checkpoint_info
from vit_explained.training import Recipe, fit

EPOCHS, SEEDS, ACTIVATIONS = 6, (0, 1, 2), ("gelu", "relu")


def train_run(activation: str, seed: int) -> dict:
    """One run: the MNIST ViT's architecture and recipe (``EPOCHS`` epochs), every block's activation set."""
    torch.set_num_threads(1)
    info = checkpoint_info(MNIST_VIT)
    recipe = Recipe(**{**info["info"]["recipe"], "epochs": EPOCHS, "seed": seed})
    torch.manual_seed(seed)
    model = ViT(**info["config"], init=recipe.init)
    for block in model.encoder.blocks:
        block.mlp.act = GELU() if activation == "gelu" else nn.ReLU()
    history = fit(model, load_mnist(), recipe, progress=False)
    return {"activation": activation, "seed": seed, "val_accuracy": history.val_accuracy}


def main() -> None:
    start = time.perf_counter()
    grid = [(activation, seed) for activation in ACTIVATIONS for seed in SEEDS]
    with ProcessPoolExecutor(2) as pool:
        runs = list(pool.map(train_run, *zip(*grid, strict=True)))
    results = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(threads="2 processes x 1"),
        "seconds": round(time.perf_counter() - start),
        "recipe": {"base": "checkpoint_info(MNIST_VIT)['info']['recipe']", "epochs": EPOCHS, "seeds": list(SEEDS)},
        "runs": runs,
    }
    write_stored_run(results, "lesson04_gelu_relu")
    final = {a: [r["val_accuracy"][-1] for r in runs if r["activation"] == a] for a in ACTIVATIONS}
    rows = [
        [a, str(over_seeds(final[a], percent=True)), ", ".join(f"{100 * v:.1f}" for v in final[a])] for a in ACTIVATIONS
    ]
    gap = paired_seeds(final["gelu"], final["relu"], names=("GELU", "ReLU"), percent=True)
    body = (
        f"The MNIST ViT's architecture (4 blocks, D = 64) trained with lesson 01's digits recipe for {EPOCHS} epochs "
        f"(not 50), every block's MLP activation GELU or ReLU, the same weights and batches per seed; validation "
        f"accuracy after the last epoch. {len(runs)} runs, {results['seconds']} s.\n\n"
        + markdown_table(["activation", "val accuracy (mean, seeds' range)", "per seed (0, 1, 2)"], rows)
        + f"\n\nGELU minus ReLU, seed by seed: {gap}\n"
    )
    write_result("lesson04_gelu_relu", "Lesson 04: GELU against ReLU in training", body, threads="2 processes x 1")


if __name__ == "__main__":
    main()
