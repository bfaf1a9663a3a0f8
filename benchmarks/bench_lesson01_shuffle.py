"""Lesson 01 section 5: the shipped MNIST ViT on its test digits with their patches shuffled, each verdict stored.

    .venv/bin/python benchmarks/bench_lesson01_shuffle.py     # ~1 CPU-s, 1 thread (lesson01_shuffle.md)

The 1,000 test digits of ``load_mnist()``, each cut into its 49 ``4x4`` patches, the patches moved by one
permutation (``torch.randperm(49)`` with seed 0, the same for every digit) and the digit put back together; the
position table stays as trained. Writes ``benchmarks/results/lesson01_shuffle.json`` and its packaged copy
``vit_explained/checkpoints/`` (identical bytes; lesson 01 reads them with
:func:`vit_explained.positional.stored_resolution_run` and re-runs 100 digits in a hidden check) and
``lesson01_shuffle.md``. Every digit's top logit beats the runner-up by more than 1e-3 (``smallest_margin``), so no
verdict can flip with another CPU's float32 rounding.
"""

from __future__ import annotations

import datetime
import time

import torch

from _common import machine, write_result, write_stored_run
from vit_explained import patchify, unpatchify
from vit_explained.data import load_mnist
from vit_explained.pretrained import load_mnist_vit

NAME = "patches shuffled, 28x28 digits"


def main() -> None:
    torch.set_num_threads(1)
    model, data = load_mnist_vit(), load_mnist()
    digits, labels = data.test_images, data.test_labels
    order = torch.randperm(49, generator=torch.Generator().manual_seed(0))
    shuffled = unpatchify(patchify(digits, 4)[:, order], 4, 28, 28)
    start = time.process_time()
    with torch.inference_mode():
        logits = model(shuffled)
    seconds = time.process_time() - start
    margin = logits.topk(2, dim=-1).values.diff(dim=-1).abs().min().item()
    assert margin > 1e-3, margin  # no verdict within float32 rounding of a tie
    right = "".join(str(int(v)) for v in (logits.argmax(dim=-1) == labels).tolist())
    results = {
        "what": "lesson 01 section 5: load_mnist_vit() on the 1,000 test digits, patches shuffled; 1 = right",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "cpu_seconds": round(seconds, 1),
        "order": order.tolist(),
        "smallest_margin": {NAME: round(margin, 4)},
        "right": {NAME: right},
    }
    write_stored_run(results, "lesson01_shuffle")
    body = (
        f"The 1,000 test digits, their 49 patches shuffled by one permutation (seed 0), {seconds:.1f} CPU-s "
        f"(1 thread): {right.count('1')} of {len(right)} right.\n\n"
        "Every digit's verdict: `lesson01_shuffle.json` (packaged: `vit_explained/checkpoints/lesson01_shuffle.json`)."
    )
    write_result("lesson01_shuffle", "Lesson 01: the MNIST ViT on patch-shuffled digits", body, threads="1")


if __name__ == "__main__":
    main()
