"""Lesson 04's pre-norm against post-norm in training, with and without a learning-rate warm-up: stored and read by
the lesson (section 6).

    .venv/bin/python benchmarks/bench_lesson04_norm_training.py         # the grid points not yet stored (+1 check)
    .venv/bin/python benchmarks/bench_lesson04_norm_training.py --all   # every run again: about 12 minutes

Xiong et al. (2020) find that post-norm's large gradients near the output at initialisation are why it needs a
warm-up, and that pre-norm trains without one. Section 3 of the lesson measures those gradients at initialisation;
this trains the same small ViT both ways. Budget: about 12 minutes on 2 shared cores for the whole grid (36 runs of
300 steps, two worker processes of one torch thread each), so the model, data and steps are small. By default only
the grid points missing from the stored json are trained (the 150-step warm-up was added after the first 24 runs),
plus one stored run trained again and compared loss by loss, so the stored runs stay those of the same code.

The model: ``ViT(28, patch_size=7, dim=64, depth=6, heads=4, mlp_dim=256)`` on MNIST-5k (16 patches + the class
token), blocks drawn as in section 6 (``xavier_init``: Xavier-uniform, q, k and v drawn as three D x D matrices,
biases zero; the head zero, ``init="jax"``), then :func:`vit_explained.norm_placement.with_norm_placement`:
pre-norm (the package's ``Block``) or post-norm (``PostNormBlock``: ``x = LN(x + attn(x))``, ``x = LN(x + mlp(x))``),
the same weights; the encoder's final LayerNorm is kept in both. Training: Adam (no weight decay), batch 64, 300
steps over ``load_mnist()``'s 3,500 training digits (about 5.5 epochs; the batches are the same for every arm of a
seed), no augmentation, no label smoothing; the learning rate constant at ``lr`` (1e-3 or 5e-3, fixed before any
run), or warmed up linearly over the first 50 or 150 steps (``lr * step / warmup``) and then constant. Seeds 0, 1,
2 (the initial weights and the batches). Recorded per run: the training loss at every step, the accuracy on the 500
*validation* digits after the last step (the test digits are not read), and whether it diverged (a loss that is not
finite, or the mean loss over the last 25 steps above 0.9 ln 10, i.e. stuck at chance).

Writes ``benchmarks/results/lesson04_norm_training.json``, its packaged copy ``vit_explained/checkpoints/
lesson04_norm_training.json`` (read by ``norm_placement.stored_norm_training_runs``) and
``lesson04_norm_training.md``. Losses and accuracies depend on the machine in their last bits, and at lr 5e-3 that
round-off grows fast: a re-run on 2026-12-06 (this code, one process of one thread) left the stored pre-norm losses
(no warm-up) after 15-17 steps and ended at 74.8, 76.8 and 75.6 % on seeds 0-2 (stored: 76.0, 68.4 and 78.8 %), while
post-norm's seed 1 repeated its stored losses to 1e-5 and ended at chance again. So one run's accuracy at 5e-3 is good
to several points only; the verdict (post-norm at chance, pre-norm trained) held on every seed.

The 0.9 ln 10 threshold's history: the two learning rates were fixed before any run, but the threshold was not shown
to be: it is in this benchmark's first commit together with the first 24 runs' results, so the git history cannot
tell which came first. It was fixed before the 12 runs with a 150-step warm-up, among them the one run that ends
just over it (mean loss 2.11 over steps 276-300).
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
import torch.nn.functional as F

from benchmarks._common import RESULTS, machine, markdown_table, write_result, write_stored_run
from vit_explained import ViT
from vit_explained.data import load_mnist
from vit_explained.evidence import over_seeds, paired_seeds
from vit_explained.norm_placement import (
    PLACEMENTS,
    norm_training_conditions,
    window_loss,
    with_norm_placement,
    xavier_init,
)
from vit_explained.training import evaluate

MODEL = {"image_size": 28, "patch_size": 7, "channels": 1, "num_classes": 10, "dim": 64, "depth": 6, "heads": 4}
MODEL["mlp_dim"] = 256
STEPS, BATCH, WARMUPS, LRS, SEEDS = 300, 64, (0, 50, 150), (1e-3, 5e-3), (0, 1, 2)  # warm-up 0: none
STUCK = 0.9 * math.log(10)  # the mean loss over the last 25 steps above this: stuck at chance


def build_model(placement: str, seed: int) -> ViT:
    """The seeded ViT of this benchmark in ``placement`` (the same weights for both placements of a seed)."""
    torch.manual_seed(seed)
    model = ViT(**MODEL, init="jax")
    xavier_init(model.blocks)  # section 6's draws: q, k and v as three D x D matrices
    return with_norm_placement(model, placement)


def train_run(placement: str, warmup_steps: int, lr: float, seed: int) -> dict:
    """One run: the training loss at every step, the final validation accuracy, and whether it diverged."""
    torch.set_num_threads(1)
    data = load_mnist()
    model = build_model(placement, seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    batches = itertools.chain.from_iterable(
        torch.randperm(len(data.train_images), generator=generator).split(BATCH) for _ in itertools.count()
    )
    losses: list[float] = []
    model.train()
    for step, index in zip(range(1, STEPS + 1), batches, strict=False):
        for group in optimizer.param_groups:
            group["lr"] = lr * min(1.0, step / warmup_steps) if warmup_steps else lr
        loss = F.cross_entropy(model(data.train_images[index]), data.train_labels[index])
        if not math.isfinite(loss.item()):
            break
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(round(loss.item(), 5))
    diverged = len(losses) < STEPS or statistics.mean(losses[-25:]) > STUCK
    accuracy = evaluate(model, data.val_images, data.val_labels)
    return {"placement": placement, "warmup_steps": warmup_steps, "lr": lr, "seed": seed, "losses": losses} | {
        "val_accuracy": accuracy,
        "diverged": diverged,
    }


def key(run: dict) -> tuple:
    return run["placement"], run["warmup_steps"], run["lr"], run["seed"]


def run(workers: int = 2, stored: dict | None = None) -> dict:
    """The whole grid; with ``stored`` (an earlier result), only its missing points are trained, plus its first
    run again, which must match loss by loss (else ``SystemExit``)."""
    grid = list(itertools.product(PLACEMENTS, WARMUPS, LRS, SEEDS))
    done = {key(r): r for r in stored["runs"]} if stored else {}
    todo = [point for point in grid if point not in done]
    check = [key(stored["runs"][0])] if stored else []
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        new = list(pool.map(train_run, *zip(*(todo + check), strict=True)))
    if check and new[-1] != stored["runs"][0]:
        raise SystemExit(f"run {check[0]} trained again differs from the stored one: re-run with --all")
    done |= {key(r): r for r in new}
    seconds = round(time.perf_counter() - start) + (stored["seconds"] if stored else 0)
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(threads=f"{workers} processes x 1"),
        "seconds": seconds,
        "rerun_check": f"{check[0]} trained again: the same losses and accuracy" if check else "all runs trained",
        "recipe": {
            "model": MODEL,
            "init": "jax + xavier_init(blocks)",
            "optimizer": "adam",
            "weight_decay": 0.0,
            "batch_size": BATCH,
            "steps": STEPS,
            "warmup_steps": [w for w in WARMUPS if w],
            "lrs": list(LRS),
            "seeds": list(SEEDS),
            "final_norm": "kept in both placements",
            "diverged": "a loss not finite, or the mean loss over the last 25 steps above 0.9 ln 10",
        },
        "runs": [done[point] for point in grid],
    }


def main() -> None:
    stored = None if "--all" in sys.argv[1:] else json.loads((RESULTS / "lesson04_norm_training.json").read_text())
    results = run(stored=stored)
    write_stored_run(results, "lesson04_norm_training")
    conditions = norm_training_conditions(results["runs"])
    rows = []
    for (placement, warmup, lr), group in conditions.items():
        accuracy = over_seeds([r["val_accuracy"] for r in group], percent=True)
        early = [statistics.mean(window_loss(r, a, b) for r in group) for a, b in ((1, 25), (276, 300))]
        diverged = sum(r["diverged"] for r in group)
        per_seed = ", ".join(f"{100 * r['val_accuracy']:.1f}" for r in group)
        rows.append([placement, f"{warmup} steps" if warmup else "none", f"{lr:.0e}", str(accuracy), per_seed])
        rows[-1] += [f"{diverged}/{len(group)}", f"{early[0]:.2f}", f"{early[1]:.2f}"]
    header = ["placement", "warm-up", "lr", "val accuracy (mean, seeds' range)", "per seed (0, 1, 2)", "diverged"]
    header += ["loss, steps 1-25", "loss, steps 276-300"]
    comparisons = []
    for warmup, lr in itertools.product(WARMUPS, LRS):
        pre = [r["val_accuracy"] for r in conditions[("pre-norm", warmup, lr)]]
        post = [r["val_accuracy"] for r in conditions[("post-norm", warmup, lr)]]
        gap = paired_seeds(pre, post, names=("pre-norm", "post-norm"), percent=True)
        comparisons.append(f"- warm-up {warmup or 'none'}, lr {lr:.0e}: {gap}")
    body = (
        f"A ViT of {MODEL['depth']} blocks (D = {MODEL['dim']}, 4 heads, MLP 4D, 7x7 patches) on MNIST-5k, pre-norm "
        f"against post-norm (the same weights; the final LayerNorm kept in both), Adam, batch {BATCH}, {STEPS} steps, "
        f"the learning rate constant or warmed up linearly over 50 or 150 steps, seeds {list(SEEDS)}; accuracy "
        f"on the 500 validation digits after the last step. {len(results['runs'])} runs, {results['seconds']} s. "
        "Recipe and the loss at every step: `lesson04_norm_training.json`.\n\n"
        + markdown_table(header, rows)
        + "\n\nPre-norm minus post-norm, validation accuracy, seed by seed:\n\n"
        + "\n".join(comparisons)
    )
    write_result(
        "lesson04_norm_training",
        "Lesson 04: pre-norm against post-norm in training, with and without warm-up",
        body,
        threads="2 processes x 1",
    )


if __name__ == "__main__":
    main()
