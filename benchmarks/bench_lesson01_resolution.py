"""Lesson 01 section 7: the shipped MNIST ViT at a new resolution, each digit's verdict stored (its costliest cell).

    .venv/bin/python benchmarks/bench_lesson01_resolution.py     # ~4 CPU-s, 1 thread (lesson01_resolution.md)

Five models on the 1,000 test digits of ``load_mnist()``: the trained ViT at ``28x28``, and at ``36x36`` (digits
enlarged bilinearly) with its position table resized 2-D bicubic (timm), 2-D bilinear, stretched 1-D along the
sequence, or without patch positions (:func:`vit_explained.positional.resolution_tables`). Writes
``benchmarks/results/lesson01_resolution.json`` and its packaged copy ``vit_explained/checkpoints/`` (identical
bytes; lesson 01 reads them with :func:`vit_explained.positional.stored_resolution_run` and re-runs a live sample
of digits in a hidden check) and ``lesson01_resolution.md``. Every digit's top logit beats the runner-up by more
than 1e-3 (the stored ``smallest_margin``), so no verdict can flip with another CPU's float32 rounding.
"""

from __future__ import annotations

import datetime
import time

import torch
import torch.nn.functional as F

from _common import machine, write_result, write_stored_run
from vit_explained.data import load_mnist
from vit_explained.positional import resolution_tables, vit_at_resolution
from vit_explained.pretrained import load_mnist_vit


def main() -> None:
    torch.set_num_threads(1)
    model, data = load_mnist_vit(), load_mnist()
    digits, labels = data.test_images, data.test_labels
    big_digits = F.interpolate(digits, size=(36, 36), mode="bilinear", align_corners=False)
    models = {"trained table, 28x28 digits": (model, digits)}
    for name, table in resolution_tables(model.pos_embedding.detach(), (9, 9)).items():
        models[f"{name}, 36x36 digits"] = (vit_at_resolution(model, 36, table), big_digits)
    start = time.process_time()
    right, margins = {}, {}
    with torch.inference_mode():
        for name, (net, images) in models.items():
            logits = torch.cat([net(batch) for batch in images.split(250)])
            right[name] = "".join(str(int(v)) for v in (logits.argmax(dim=-1) == labels).tolist())
            margins[name] = logits.topk(2, dim=-1).values.diff(dim=-1).abs().min().item()
    seconds = time.process_time() - start
    assert min(margins.values()) > 1e-3, margins  # no verdict within float32 rounding of a tie
    results = {
        "what": "lesson 01 section 7: load_mnist_vit() on load_mnist().test_images (1,000), 1 = right",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "cpu_seconds": round(seconds, 1),
        "smallest_margin": {name: round(value, 4) for name, value in margins.items()},
        "right": right,
    }
    write_stored_run(results, "lesson01_resolution")
    lines = [f"- {name}: {v.count('1')} of {len(v)} right" for name, v in right.items()]
    body = (
        f"Five models on lesson 01's 1,000 test digits, {seconds:.1f} CPU-s (1 thread).\n\n" + "\n".join(lines) + "\n\n"
        "Every digit's verdict: `lesson01_resolution.json` "
        "(packaged: `vit_explained/checkpoints/lesson01_resolution.json`)."
    )
    write_result("lesson01_resolution", "Lesson 01: learned positions at a new resolution", body, threads="1")


if __name__ == "__main__":
    main()
