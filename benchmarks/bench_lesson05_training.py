"""Lesson 05 appendix C: the v / max(q, k) gradient ratio and the MLP route's share along short training runs,
several seeds, stored and read by the lesson.

    .venv/bin/python benchmarks/bench_lesson05_training.py   # 3 seeds, about 3 CPU-minutes (2 processes x 1 thread)
    .venv/bin/python benchmarks/bench_lesson05_training.py --full-seeds 1 2 --full-epochs 50   # the replication
    .venv/bin/python benchmarks/bench_lesson05_training.py --full-seeds 1 --full-epochs 1 --out /tmp/l05   # smoke

``--full-seeds`` (the replication of the lesson's headline): trains the shipped recipe at full length
(``--full-epochs``, 50 like the shipped checkpoint) for other seeds and measures the same per-block quantities once,
at the end only. Writes ``lesson05_full.json`` (+ its packaged copy, read by
``gradient_experiments.stored_full_checkpoints``) and ``lesson05_full.md``; with ``--out DIR`` both go to DIR only.

The lesson's trained MNIST ViT is one checkpoint of one 50-epoch run, so it cannot tell training from that run. This
trains fresh copies of the same architecture and init (``mnist_vit_maker(seed)``: 4x4 patches, D = 64, 4 blocks,
``init="torch"``) with the shipped recipe (AdamW, lr 2e-3, weight decay 0.05, batch 64, label smoothing 0.1, the
same augmentation, warm-up 10 % then cosine), shortened to ``EPOCHS`` epochs over ``load_mnist()``'s 3,500 training
digits: a short run, not the 50-epoch recipe. Seeds 0, 1, 2 (initial weights, batches, augmentation). At each
checkpoint (``CHECKPOINTS``, in epochs; 0 = the starting weights) :func:`vit_explained.gradient_hooks.mlp_route_cut`
runs on the first 256 validation digits (plain cross-entropy, one summed gradient) and records per block
``||dW_v|| / max(||dW_q||, ||dW_k||)`` (weight rows of the whole model's ``qkv.weight`` gradient) and the MLP
share of ``qkv.weight``'s gradient, plus the accuracy on the 500 validation digits.

Writes ``benchmarks/results/lesson05_training.json``, its packaged copy ``vit_explained/checkpoints/
lesson05_training.json`` (read by ``gradient_experiments.stored_training_checkpoints``) and ``lesson05_training.md``.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from benchmarks._common import RESULTS, ROOT, machine, markdown_table, write_result, write_stored_run
from vit_explained.data import load_mnist
from vit_explained.evidence import over_seeds
from vit_explained.gradient_experiments import mnist_vit_maker, v_over_qk
from vit_explained.gradient_hooks import mlp_route_cut
from vit_explained.pretrained import checkpoint_info
from vit_explained.training import Recipe, _Trainer, evaluate

EPOCHS, CHECKPOINTS, SEEDS, PROBE = 4, (0, 1, 2, 4), (0, 1, 2), 256


def measure(model: torch.nn.Module, data) -> dict:
    """Per block: v / max(q, k) and the MLP share on the first ``PROBE`` validation digits; the accuracy."""
    frozen = copy.deepcopy(model).eval()
    cut = mlp_route_cut(lambda: copy.deepcopy(frozen), data.val_images[:PROBE], data.val_labels[:PROBE], chunk=32)
    return {
        "v_over_qk": [round(v_over_qk(n), 4) for n in cut.qkv_norms.values()],
        "mlp_share": [round(s, 4) for s in cut.qkv_share],
        "val_accuracy": evaluate(frozen, data.val_images, data.val_labels),
    }


def train_run(seed: int) -> dict:
    """One seed: the recipe shortened to ``EPOCHS`` epochs, measured at every epoch in ``CHECKPOINTS``."""
    torch.set_num_threads(1)
    data = load_mnist()
    recipe = dataclasses.replace(Recipe(**checkpoint_info()["info"]["recipe"]), epochs=EPOCHS, seed=seed)
    model = mnist_vit_maker(seed)()
    run = _Trainer(model, data, recipe, "cpu")
    total = run.steps_per_epoch * EPOCHS
    points = [{"epoch": 0} | measure(model, data)]
    model.train()
    for epoch in range(1, EPOCHS + 1):
        for index in run.batches_of_one_epoch():
            run.train_step(index, progress=run.step / total)
        if epoch in CHECKPOINTS:
            points.append({"epoch": epoch} | measure(model, data))
            model.train()
    return {"seed": seed, "steps": total, "checkpoints": points}


def full_run(seed: int, epochs: int) -> dict:
    """One seed: the shipped recipe at ``epochs`` epochs (50 = the shipped checkpoint's length), measured once at
    the end."""
    torch.set_num_threads(1)
    data = load_mnist()
    recipe = dataclasses.replace(Recipe(**checkpoint_info()["info"]["recipe"]), epochs=epochs, seed=seed)
    model = mnist_vit_maker(seed)()
    run = _Trainer(model, data, recipe, "cpu")
    total = run.steps_per_epoch * epochs
    model.train()
    for _ in range(epochs):
        for index in run.batches_of_one_epoch():
            run.train_step(index, progress=run.step / total)
    return {"seed": seed, "epochs": epochs, "steps": total} | measure(model, data)


def full_table(runs: list[dict]) -> str:
    """Per seed: accuracy, then per block the MLP share and v / max(q, k); the last row over seeds."""
    header = ["seed", "val accuracy"] + [f"block {b}: MLP share; v / max(q, k)" for b in range(4)]
    rows = [
        [r["seed"], f"{r['val_accuracy']:.1%}"]
        + [f"{r['mlp_share'][b]:.0%}; {r['v_over_qk'][b]:.1f}" for b in range(4)]
        for r in runs
    ]
    if len(runs) > 1:
        share = [over_seeds([r["mlp_share"][b] for r in runs], percent=True, digits=0) for b in range(4)]
        rows.append(["all", over_seeds([r["val_accuracy"] for r in runs], percent=True), *share])
    return markdown_table(header, rows)


def main_full(seeds: list[int], epochs: int, out: Path | None) -> None:
    """The replication: ``full_run`` for every seed (2 processes), written to ``lesson05_full`` (or to ``out``)."""
    start = time.perf_counter()
    with ProcessPoolExecutor(min(2, len(seeds))) as pool:
        runs = list(pool.map(full_run, seeds, [epochs] * len(seeds)))
    results = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(threads="2 processes x 1"),
        "seconds": round(time.perf_counter() - start),
        "recipe": checkpoint_info()["info"]["recipe"] | {"epochs": epochs},
        "probe": f"the first {PROBE} validation digits, plain cross-entropy, one summed gradient",
        "runs": runs,
    }
    body = (
        f"Fresh MNIST ViTs (the shipped checkpoint's architecture and init), the shipped recipe at {epochs} epochs, "
        f"seeds {seeds} (the shipped checkpoint is seed 0), measured once at the end on {PROBE} validation digits. "
        f"{results['seconds']} s on 2 processes. Per-seed values: `lesson05_full.json`.\n\n" + full_table(runs)
    )
    if out is None:
        write_stored_run(results, "lesson05_full")
        write_result("lesson05_full", "Lesson 05: the MLP share after the full recipe, other seeds", body, "2 x 1")
        return
    out.mkdir(parents=True, exist_ok=True)
    (out / "lesson05_full.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / "lesson05_full.md").write_text(f"# Lesson 05: the MLP share after the full recipe\n\n{body}\n")
    print(body, f"\nwritten to {out} (not {RESULTS.relative_to(ROOT)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full-seeds", type=int, nargs="+", help="train the full recipe for these seeds instead")
    parser.add_argument("--full-epochs", type=int, default=50, help="epochs of the full run (default 50)")
    parser.add_argument("--out", type=Path, help="with --full-seeds: write here, not to benchmarks/results")
    args = parser.parse_args()
    if args.full_seeds:
        main_full(args.full_seeds, args.full_epochs, args.out)
        return
    start = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        runs = list(pool.map(train_run, SEEDS))
    recipe = checkpoint_info()["info"]["recipe"] | {"epochs": EPOCHS}
    results = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(threads="2 processes x 1"),
        "seconds": round(time.perf_counter() - start),
        "recipe": recipe,
        "checkpoints_epochs": list(CHECKPOINTS),
        "probe": f"the first {PROBE} validation digits, plain cross-entropy, one summed gradient",
        "runs": runs,
    }
    write_stored_run(results, "lesson05_training")
    rows = []
    for i, epoch in enumerate(CHECKPOINTS):
        points = [r["checkpoints"][i] for r in runs]
        ratio = [over_seeds([p["v_over_qk"][b] for p in points], digits=1) for b in range(4)]
        share = [over_seeds([p["mlp_share"][b] for p in points], percent=True, digits=0) for b in range(4)]
        accuracy = over_seeds([p["val_accuracy"] for p in points], percent=True)
        rows.append([epoch, accuracy, *(f"{r}; {s}" for r, s in zip(ratio, share, strict=True))])
    header = ["epoch", "val accuracy"] + [f"block {b}: v / max(q, k); MLP share" for b in range(4)]
    body = (
        f"Fresh MNIST ViTs (the shipped checkpoint's architecture and init), the shipped recipe shortened to {EPOCHS} "
        f"epochs, seeds {list(SEEDS)}, measured at epochs {list(CHECKPOINTS)} on {PROBE} validation digits. "
        f"{results['seconds']} s on 2 processes. Per-seed values: `lesson05_training.json`.\n\n"
        + markdown_table(header, rows)
    )
    write_result(
        "lesson05_training",
        "Lesson 05: v / max(q, k) and the MLP share along training",
        body,
        threads="2 processes x 1",
    )


if __name__ == "__main__":
    main()
