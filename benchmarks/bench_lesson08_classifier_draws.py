"""Lesson 08 section 9's verdict on ten classifier draws (the cascade table stores three).

    nice -n 5 .venv/bin/python benchmarks/bench_lesson08_classifier_draws.py  # ~1 min on 2 shared cores

The cascade's first step, the classifier re-drawn (``cascade_steps(model)[0]``, the recipe's init), drawn
``DRAWS`` times in a row under seed 1, as ``bench_lesson08_cascade.py`` draws it: draws 0-2 are the cascade's
three classifier draws (the lesson checks that), draws 3-9 are new. Per draw: the gradient-weighted map's
Spearman ρ against the trained model's map on each of the 32 map digits (``data.test_images[:32]``), and the
accuracy and same-decision share on ``data.test_images[:200]``. Writes ``benchmarks/results/
lesson08_classifier_draws.json``, its packaged copy in ``vit_explained/checkpoints/`` (lesson 08 reads it with
``attention_maps.stored_classifier_draws``) and ``lesson08_classifier_draws.md``.
"""

from __future__ import annotations

import time

import torch

from _common import mnist_vit_and_data, stored_run_header, write_result, write_stored_run
from vit_explained import attention_maps as am
from vit_explained.pretrained import checkpoint_info

MAP_DIGITS, DECISION_DIGITS, DRAWS, SEED = 32, 200, 10, 1


def main() -> None:
    model, data = mnist_vit_and_data()
    grid = tuple(model.patch_embedding.grid)
    init = checkpoint_info()["info"]["recipe"]["init"]
    images, labels = data.test_images[:MAP_DIGITS], data.test_labels[:MAP_DIGITS]
    decided = data.test_images[:DECISION_DIGITS], data.test_labels[:DECISION_DIGITS]
    start = time.perf_counter()
    trained = am.rollout_and_gradient_maps(model, images, labels, grid)
    with torch.no_grad():
        reference = model(decided[0]).argmax(-1)
    name, part_of = am.cascade_steps(model)[0]
    rho: dict[str, list[list[float]]] = {"rollout": [], "gradient-weighted": []}
    accuracy, same = [], []
    with torch.random.fork_rng():
        torch.manual_seed(SEED)
        for _ in range(DRAWS):
            network = am.randomised_copy(model, part_of, init=init)
            maps = am.rollout_and_gradient_maps(network, images, labels, grid)
            for method in rho:
                rho[method].append([round(v, 6) for v in am.rank_correlation(trained[method], maps[method]).tolist()])
            acc, agree = am.accuracy_and_agreement(network, *decided, reference)
            accuracy.append(round(acc, 6))
            same.append(round(agree, 6))
    seconds = time.perf_counter() - start
    results = {
        **stored_run_header(
            f"step {name!r} re-drawn {DRAWS} times (seed {SEED}, init {init!r}): ρ per map digit "
            f"(data.test_images[:{MAP_DIGITS}]), accuracy and same decision on data.test_images[:{DECISION_DIGITS}]",
            seconds,
        ),
        "step": name,
        "rho": rho,
        "accuracy": accuracy,
        "same_decision": same,
    }
    write_stored_run(results, "lesson08_classifier_draws")
    means = [sum(r) / len(r) for r in rho["gradient-weighted"]]
    body = (
        f"Computed in {seconds:.1f} s. Step {name!r}, {DRAWS} draws.\n\n"
        f"Gradient-weighted ρ, mean over {MAP_DIGITS} digits, per draw: {' / '.join(f'{m:.3f}' for m in means)}\n\n"
        f"Accuracy per draw (%): {' / '.join(f'{100 * a:.1f}' for a in accuracy)}\n\n"
        "Every draw's ρ per digit: `lesson08_classifier_draws.json` "
        "(packaged: `vit_explained/checkpoints/lesson08_classifier_draws.json`)."
    )
    write_result("lesson08_classifier_draws", "Lesson 08: ten classifier draws", body)


if __name__ == "__main__":
    main()
