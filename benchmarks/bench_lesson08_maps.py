"""Lesson 08, sections 7-9: the maps the lesson would otherwise recompute on every run.

    nice -n 10 .venv/bin/python benchmarks/bench_lesson08_maps.py   # ~5 s, one torch thread (lesson08_maps.md)

For the trained MNIST ViT (``load_mnist_vit()``, eval mode, float32 on the CPU), stores:

- section 7's image-blind control: per block, the mean over ``data.val_images[:500]`` of the class token's own map
  (heads averaged) and of the rollout through that block (:func:`class_token_maps_by_block`), and the first
  ``RECHECK`` validation digits' maps, which the lesson recomputes and compares;
- section 8's gradient-weighted maps (Chefer et al., each digit's true class) of ``data.test_images[:200]``
  (:func:`gradient_weighted_attention`); the lesson recomputes its first eight digits and compares;
- section 9's noise floor on ``data.test_images[:32]`` (:func:`noise_floor`: ρ per digit, rollout and
  gradient-weighted, and whether each noisy digit keeps its decision); the lesson recomputes its first digits.

Maps are written with 9 significant digits (a float32 read back exactly); ρ with 9 too. Writes
``benchmarks/results/lesson08_maps.json``, its packaged copy ``vit_explained/checkpoints/lesson08_maps.json``
(read by ``attention_maps.stored_section_maps``) and ``lesson08_maps.md``.
"""

from __future__ import annotations

import time

import torch

from _common import mnist_vit_and_data, stored_run_header, write_result, write_stored_run
from vit_explained.attention_maps import (
    class_token_attention,
    class_token_maps_by_block,
    gradient_weighted_attention,
    noise_floor,
)

VALIDATION, WEIGHTED, FLOOR, RECHECK = 500, 200, 32, 4


def _row(values: list[float]) -> str:
    """One map (or one row of readings) as one line: 9 significant digits, separated by spaces."""
    return " ".join(f"{v:.9g}" for v in values)


def main() -> None:
    torch.set_num_threads(1)
    model, data = mnist_vit_and_data()
    grid = tuple(model.patch_embedding.grid)
    start = time.perf_counter()
    own, rolled, _ = class_token_maps_by_block(model, data.val_images[:VALIDATION], grid, chunk=250)
    relevance, _ = gradient_weighted_attention(model, data.test_images[:WEIGHTED], data.test_labels[:WEIGHTED])
    weighted = class_token_attention(relevance, grid).detach()
    floor = noise_floor(model, data.test_images[:FLOOR], data.test_labels[:FLOOR], grid)
    seconds = time.perf_counter() - start
    results = {
        **stored_run_header(
            f"lesson 08 maps: val_images[:{VALIDATION}] mean maps per block, test_images[:{WEIGHTED}] "
            f"gradient-weighted maps, test_images[:{FLOOR}] noise floor",
            seconds,
            threads="1",
        ),
        "grid": list(grid),
        "validation_digits": VALIDATION,
        "mean_own": [_row(m.double().mean(0).flatten().tolist()) for m in own],
        "mean_rollout": [_row(m.double().mean(0).flatten().tolist()) for m in rolled],
        "first_own": [[_row(d.flatten().tolist()) for d in m[:RECHECK]] for m in own],
        "first_rollout": [[_row(d.flatten().tolist()) for d in m[:RECHECK]] for m in rolled],
        "weighted": [_row(m.flatten().tolist()) for m in weighted],
        "floor_scale": floor.scale,
        "floor_rho": {name: _row(rho.tolist()) for name, rho in floor.rho.items()},
        "floor_same_decision": [bool(s) for s in floor.same_decision.tolist()],
    }
    write_stored_run(results, "lesson08_maps")
    rho = " / ".join(f"{name} {r.mean():.3f}" for name, r in floor.rho.items())
    body = (
        f"Computed in {seconds:.1f} s (one torch thread).\n\n"
        f"- section 7: mean class-token maps of {VALIDATION} validation digits, per block, own and rollout "
        f"(and the first {RECHECK} digits' maps);\n"
        f"- section 8: gradient-weighted maps of {WEIGHTED} test digits (true class), mean top weight "
        f"{weighted.flatten(1).amax(1).mean():.4f};\n"
        f"- section 9: noise floor on {FLOOR} test digits (std {floor.scale} x the pixel range, seed 0): mean ρ {rho}; "
        f"{int(floor.same_decision.sum())} of {FLOOR} decisions kept.\n\n"
        "Every value: `lesson08_maps.json` (packaged: `vit_explained/checkpoints/lesson08_maps.json`)."
    )
    write_result("lesson08_maps", "Lesson 08: stored maps (sections 7-9)", body)


if __name__ == "__main__":
    main()
