"""Lesson 04's MLP knock-out, stored so section 2 can read it at no cost.

    .venv/bin/python benchmarks/bench_lesson04_mlp_knockout.py     # a few seconds

Lesson 01's trained MNIST ViT on the 1,000 test digits, as it is and with every block's MLP branch silenced
(``fc2`` zeroed: ``mlp_knockout_correct`` in :mod:`vit_explained.plotting.lesson04`), and mean-ablated (each
branch's output replaced by its mean over the 3,500 training digits: ``mlp_mean_ablation_correct``). A forward
pass of the 1,000 digits costs about a second of CPU, over the lesson's budget, so the lesson reads this file
(``stored_mlp_knockout``) and checks its ``intact`` column against its own live predictions. Also section 1's
ReLU swap (``relu``: right with every GELU swapped for ReLU; ``relu_changed``: prediction changed by the swap).
Writes ``benchmarks/results/lesson04_mlp_knockout.json``, its packaged copy
``vit_explained/checkpoints/lesson04_mlp_knockout.json`` and ``lesson04_mlp_knockout.md``.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine, write_result, write_stored_run
from vit_explained.data import load_mnist
from vit_explained.evidence import mcnemar, proportion
from vit_explained.plotting.lesson04 import logits_with_activation, mlp_knockout_correct, mlp_mean_ablation_correct
from vit_explained.pretrained import load_mnist_vit


def run() -> dict:
    digits = load_mnist()
    model = load_mnist_vit()
    correct = mlp_knockout_correct(model, digits.test_images, digits.test_labels)
    correct["mean_mlp"] = mlp_mean_ablation_correct(model, digits.test_images, digits.test_labels, digits.train_images)
    exact = logits_with_activation(model, digits.test_images)  # section 1's ReLU swap: every block's GELU -> ReLU
    relu = logits_with_activation(model, digits.test_images, nn.ReLU())
    correct["relu"] = relu.argmax(1) == digits.test_labels
    correct["relu_changed"] = relu.argmax(1) != exact.argmax(1)
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        **{name: "".join("1" if flag else "0" for flag in right.tolist()) for name, right in correct.items()},
    }


def main() -> None:
    results = run()
    write_stored_run(results, "lesson04_mlp_knockout")
    intact, no_mlp = ([flag == "1" for flag in results[name]] for name in ("intact", "no_mlp"))
    test = mcnemar(
        [a and not b for a, b in zip(intact, no_mlp, strict=True)],
        [b and not a for a, b in zip(intact, no_mlp, strict=True)],
    )
    mean_mlp = [flag == "1" for flag in results["mean_mlp"]]
    body = (
        "Lesson 01's MNIST ViT (4 blocks, D = 64) on the 1,000 test digits, with every block's `mlp.fc2` zeroed "
        f"(`mlp_knockout_correct`).\n\n- intact: {proportion(intact)}\n- MLP branches silenced: {proportion(no_mlp)}"
        f"\n- paired: {test}\n- MLP branches mean-ablated (each replaced by its mean over the training digits, "
        f"`mlp_mean_ablation_correct`): {proportion(mean_mlp)}\n"
    )
    write_result("lesson04_mlp_knockout", "Lesson 04: the MNIST ViT without its MLP branches", body)


if __name__ == "__main__":
    main()
