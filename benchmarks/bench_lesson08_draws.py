"""Lesson 08's stored maps for two claims the lesson reads without re-running them (each would cost seconds).

    .venv/bin/python benchmarks/bench_lesson08_draws.py     # ~20 s on 2 shared cores (lesson08_draws.md)

- Section 9: the cascade's step "classifier + blocks 1-3", all three draws (``cascade_draw``, the recipe's init,
  the seed of ``bench_lesson08_cascade.py``): each draw's rollout and gradient-weighted maps of the 32 map digits
  (``data.test_images[:32]``), for the top-5 count per draw (the cascade file keeps the first draw's maps only).
- Section 12: appendix C's cosines on the 100 validation digits with the smallest top-2 gap
  (``class_map_agreements``): per digit, the likeliest class's map against the runner-up class's map, and against
  the same class's map of the digit plus noise (2 % of the pixel range, ``torch.Generator().manual_seed(0)``).

Writes ``benchmarks/results/lesson08_draws.json``, its packaged copy ``vit_explained/checkpoints/lesson08_draws.json``
(lesson 08 reads it with ``attention_maps.stored_draws``) and ``lesson08_draws.md``.
"""

from __future__ import annotations

import time

import torch

from _common import mnist_vit_and_data, stored_run_header, write_result, write_stored_run
from vit_explained import attention_maps as am
from vit_explained.pretrained import checkpoint_info

STEP = "classifier + blocks 1-3"


def section_9(model, data, grid) -> dict:
    images, labels = data.test_images[:32], data.test_labels[:32]
    init = checkpoint_info()["info"]["recipe"]["init"]
    maps: dict[str, list[list[str]]] = {"rollout": [], "gradient-weighted": []}
    for draw in range(3):
        network = am.cascade_draw(model, STEP, draw, init=init)
        for method, m in am.rollout_and_gradient_maps(network, images, labels, grid).items():
            maps[method].append([" ".join(f"{v:.6f}" for v in row) for row in m.flatten(1).tolist()])
    return maps


def section_12(model, data, grid) -> dict:
    with torch.no_grad():
        best_two = model(data.val_images).softmax(-1).topk(2, dim=-1)
    ambiguous = (best_two.values[:, 0] - best_two.values[:, 1]).argsort()[:100]
    images = data.val_images[ambiguous]
    likeliest, runner_up = best_two.indices[ambiguous, 0], best_two.indices[ambiguous, 1]
    noise = 0.02 * torch.randn(images.shape, generator=torch.Generator().manual_seed(0))
    scores = am.class_map_agreements(
        model,
        reference=(images, likeliest),
        others={"runner-up": (images, runner_up), "digit + noise": (images + noise, likeliest)},
        grid=grid,
    )
    return {name: [round(v, 6) for v in s["cosine"].tolist()] for name, s in scores.items()}


def main() -> None:
    model, data = mnist_vit_and_data()
    grid = model.patch_embedding.grid
    start = time.perf_counter()
    draws, cosines = section_9(model, data, grid), section_12(model, data, grid)
    seconds = time.perf_counter() - start
    results = {
        **stored_run_header(
            f"cascade_draw({STEP!r}, draws 0-2) maps of data.test_images[:32]; appendix C's cosines", seconds
        ),
        "grid": list(grid),
        "step": STEP,
        "draw_maps": draws,
        "cosines": cosines,
    }
    write_stored_run(results, "lesson08_draws")
    runner, noisy = (torch.tensor(cosines[k]) for k in ("runner-up", "digit + noise"))
    body = (
        f"Computed in {seconds:.1f} s. Step {STEP!r}: 3 draws x 32 digits' maps (rollout, gradient-weighted).\n\n"
        f"Appendix C's cosines, 100 digits: runner-up {runner.mean():.3f}, digit + noise {noisy.mean():.3f}.\n\n"
        "Every map and cosine: `lesson08_draws.json` (packaged: `vit_explained/checkpoints/lesson08_draws.json`)."
    )
    write_result("lesson08_draws", "Lesson 08: stored draws and class-pair cosines", body)


if __name__ == "__main__":
    main()
