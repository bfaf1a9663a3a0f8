"""Lesson 01 section 5: the shipped MNIST ViT on its test digits with their patches shuffled, each verdict stored.

    .venv/bin/python benchmarks/bench_lesson01_shuffle.py     # ~1 CPU-s, 1 thread (lesson01_shuffle.md)

The 1,000 test digits of ``load_mnist()``, each cut into its 49 ``4x4`` patches, the patches moved by one
permutation (``torch.randperm(49)`` with seed 0, the same for every digit) and the digit put back together; the
position table stays as trained. Nine more permutations (seeds 1-9) give the spread over permutations: their counts
of right digits are stored too (``right_by_seed``); each digit's verdict only for seed 0. Writes
``benchmarks/results/lesson01_shuffle.json`` and its packaged copy ``vit_explained/checkpoints/`` (identical bytes;
lesson 01 reads them with :func:`vit_explained.positional.stored_resolution_run` and
:func:`vit_explained.positional.stored_shuffle_counts`, and re-runs seed 0's first 100 digits in a hidden check) and
``lesson01_shuffle.md``. Seed 0: every digit's top logit beats the runner-up by more than 1e-3
(``smallest_margin``), so no stored verdict can flip with another CPU's float32 rounding; the other seeds' near ties
are counted (``near_ties_all_seeds``). Positions off: the same model with its position table zeroed, on the plain
and seed 0's shuffled digits (both verdicts stored): without positions a shuffle changes no verdict.
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
SEEDS = range(10)  # the permutations' seeds: seed 0's verdicts are stored digit by digit
OFF = ("positions off, 28x28 digits", "positions off, patches shuffled, 28x28 digits")  # the table zeroed


def positions_off(model: torch.nn.Module, digits: torch.Tensor, shuffled: torch.Tensor) -> dict[str, torch.Tensor]:
    """The trained model with its position table zeroed: logits for the plain and the shuffled digits."""
    kept = model.pos_embedding.detach().clone()
    with torch.inference_mode():
        model.pos_embedding.zero_()
        logits = {OFF[0]: model(digits), OFF[1]: model(shuffled)}
        model.pos_embedding.copy_(kept)
    return logits


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
    right_by_seed, near_ties = {}, 0
    for seed in SEEDS:  # the spread over permutations: one count of right digits per permutation
        other = torch.randperm(49, generator=torch.Generator().manual_seed(seed))
        with torch.inference_mode():
            other_logits = model(unpatchify(patchify(digits, 4)[:, other], 4, 28, 28))
        gaps = other_logits.topk(2, dim=-1).values.diff(dim=-1).abs()
        near_ties += int((gaps < 1e-3).sum())  # verdicts another CPU's rounding could flip: counted, not hidden
        right_by_seed[str(seed)] = int((other_logits.argmax(dim=-1) == labels).sum())
    assert right_by_seed["0"] == right.count("1")
    off = positions_off(model, digits, shuffled)  # content alone: without positions a shuffle changes nothing
    off_right = {name: "".join(str(int(v)) for v in (lg.argmax(dim=-1) == labels).tolist()) for name, lg in off.items()}
    off_margin = min(lg.topk(2, dim=-1).values.diff(dim=-1).abs().min().item() for lg in off.values())
    differ = sum(a != b for a, b in zip(*off_right.values(), strict=True))
    results = {
        "what": "lesson 01 section 5: load_mnist_vit() on the 1,000 test digits, patches shuffled; 1 = right",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "cpu_seconds": round(seconds, 1),
        "order": order.tolist(),
        "smallest_margin": {NAME: round(margin, 4)},
        "right": {NAME: right, **off_right},
        "positions_off_smallest_margin": round(off_margin, 4),
        "right_by_seed": right_by_seed,
        "near_ties_all_seeds": near_ties,
    }
    write_stored_run(results, "lesson01_shuffle")
    body = (
        f"The 1,000 test digits, their 49 patches shuffled by one permutation (seed 0), {seconds:.1f} CPU-s "
        f"(1 thread): {right.count('1')} of {len(right)} right. Ten permutations (seeds 0-9): "
        f"{min(right_by_seed.values())} to {max(right_by_seed.values())} of {len(right)} right "
        f"({', '.join(map(str, right_by_seed.values()))}; {near_ties} of the 10,000 verdicts within 1e-3 of a tie).\n\n"
        f"Positions off (the table zeroed), seed 0's shuffle: {off_right[OFF[0]].count('1')} right unshuffled, "
        f"{off_right[OFF[1]].count('1')} shuffled ({differ} verdicts differ)."
        "\n\n"
        "Every digit's verdict: `lesson01_shuffle.json` (packaged: `vit_explained/checkpoints/lesson01_shuffle.json`)."
    )
    write_result("lesson01_shuffle", "Lesson 01: the MNIST ViT on patch-shuffled digits", body, threads="1")


if __name__ == "__main__":
    main()
