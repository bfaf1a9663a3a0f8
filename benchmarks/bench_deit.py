"""Does a distilled DeiT approach or pass its CNN teacher? The ViT alone, the DeiT and the CNN, in one run.

    .venv/bin/python benchmarks/bench_deit.py                 # 3 seeds x 3 models (long on a busy machine)
    .venv/bin/python benchmarks/bench_deit.py --epochs 2 --seeds 0   # a smoke run
    # or one process per seed, then merge (what made results/deit.md on a shared 2-core machine):
    .venv/bin/python benchmarks/bench_deit.py --seeds 1 --json /tmp/deit_1.json   # ... one per seed
    .venv/bin/python benchmarks/bench_deit.py --merge /tmp/deit_0.json /tmp/deit_1.json /tmp/deit_2.json

Same split for all (``load_mnist()``: 3,500 train / 500 val / 1,000 test), same recipe and epoch
budget (:data:`vit_explained.distill.RECIPE`; the teacher's learning rate is its own, chosen on
val), each model kept at its best *validation* epoch; the test set is read once per trained model,
at the end. Per seed:

- **ViT**: the student's architecture without the distillation token (``ViT``, same width/depth/patches),
  cross-entropy on the labels;
- **CNN**: ``SmallCNN``, cross-entropy on the labels (the teacher);
- **DeiT**: ``DeiT`` distilled from *that seed's* CNN with the hard-distillation loss; its
  prediction is the average of its two heads (the class head and the distillation head are also
  reported alone).

Writes ``benchmarks/results/deit.md``: one row per model and seed, the mean and spread over
seeds, and what is true of the paper's claim on this data; and the per-seed test accuracies to
``vit_explained/checkpoints/deit_benchmark.json`` (package data, read by
``vit_explained.distill.benchmark_results()``: lesson 09 compares them; a test checks the two files agree).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import torch

from _common import markdown_table, write_result
from vit_explained.cnn import SmallCNN
from vit_explained.data import load_mnist
from vit_explained.deit import DeiT
from vit_explained.distill import _TRAINING_KEYS, CNN_CONFIG, DEIT_BENCHMARK, DEIT_CONFIG, RECIPE, accuracy_of, fit
from vit_explained.vit import ViT


def head_accuracy(model: DeiT, images: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    """Test accuracy of the class head alone and of the distillation head alone."""
    with torch.no_grad():
        class_logits, distillation_logits = model.eval().forward_heads(images)
    return (
        (class_logits.argmax(-1) == labels).float().mean().item(),
        (distillation_logits.argmax(-1) == labels).float().mean().item(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=RECIPE["epochs"], help="epochs for the ViT and the DeiT")
    parser.add_argument("--teacher-epochs", type=int, default=RECIPE["teacher_epochs"], help="epochs for the CNN")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", help="write this run's rows to a JSON file instead of results/deit.md")
    parser.add_argument("--merge", nargs="+", help="merge --json files of separate runs into results/deit.md")
    args = parser.parse_args()
    if args.merge:
        parts = [json.loads(Path(path).read_text()) for path in args.merge]
        rows = [row for part in parts for row in part["rows"]]
        results = {name: [v for part in parts for v in part["results"][name]] for name in ("ViT", "CNN", "DeiT")}
        seconds = max(part["seconds"] for part in parts)
        load = max(part["load"] for part in parts)
        args.seeds = [seed for part in parts for seed in part["seeds"]]
        args.epochs, args.teacher_epochs, args.threads = (parts[0][k] for k in ("epochs", "teacher_epochs", "threads"))
        report(args, rows, results, seconds, load, separate=True)
        return
    torch.set_num_threads(args.threads)
    load = os.getloadavg()[0]
    data = load_mnist()
    options = {key: RECIPE[key] for key in _TRAINING_KEYS if key != "seed"}
    vit_config = {key: value for key, value in DEIT_CONFIG.items()}
    rows, results = [], {"ViT": [], "CNN": [], "DeiT": []}
    start = time.perf_counter()
    for seed in args.seeds:
        torch.manual_seed(seed)
        vit = ViT(**vit_config)
        vit_fit = fit(vit, data, epochs=args.epochs, seed=seed, **options)
        torch.manual_seed(seed)
        cnn = SmallCNN(**CNN_CONFIG)
        cnn_fit = fit(cnn, data, epochs=args.teacher_epochs, seed=seed, **{**options, "lr": RECIPE["teacher_lr"]})
        torch.manual_seed(seed)
        deit = DeiT(**DEIT_CONFIG)
        deit_fit = fit(deit, data, teacher=cnn, epochs=args.epochs, seed=seed, **options)
        tests = {  # the test set, read once per model
            "ViT": accuracy_of(vit, data.test_images, data.test_labels),
            "CNN": accuracy_of(cnn, data.test_images, data.test_labels),
            "DeiT": accuracy_of(deit, data.test_images, data.test_labels),
        }
        class_head, distillation_head = head_accuracy(deit, data.test_images, data.test_labels)
        with torch.no_grad():
            agree = (deit.forward_heads(data.test_images)[1].argmax(-1) == cnn(data.test_images).argmax(-1)).float()
        for name, result in (("ViT", vit_fit), ("CNN", cnn_fit), ("DeiT", deit_fit)):
            results[name].append(tests[name])
            extra = ""
            if name == "DeiT":
                extra = (
                    f"class head {class_head:.3f}, distillation head {distillation_head:.3f}; "
                    f"distillation head agrees with its teacher on {agree.mean().item():.1%} of test digits"
                )
            rows.append([name, seed, result.best_epoch, f"{result.best_val_accuracy:.3f}", f"{tests[name]:.3f}", extra])
        print(rows[-3:], flush=True)
    seconds = time.perf_counter() - start
    if args.json:
        part = {"rows": rows, "results": results, "seconds": seconds, "load": load, "seeds": args.seeds}
        part.update(epochs=args.epochs, teacher_epochs=args.teacher_epochs, threads=args.threads)
        with open(args.json, "w") as handle:
            json.dump(part, handle)
        return
    report(args, rows, results, seconds, load)


def report(
    args: argparse.Namespace, rows: list, results: dict, seconds: float, load: float, separate: bool = False
) -> None:
    """Write results/deit.md: the per-seed rows, the summary over seeds, the verdict."""
    summary = []
    for name, values in results.items():
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        summary.append([name, len(values), f"{statistics.mean(values):.3f}", f"{spread:.3f}", f"{min(values):.3f}"])
    gaps = [deit - cnn for deit, cnn in zip(results["DeiT"], results["CNN"], strict=True)]
    passes = sum(gap > 0 for gap in gaps)
    vit_gaps = [deit - vit for deit, vit in zip(results["DeiT"], results["ViT"], strict=True)]
    verdict = (
        f"The DeiT minus its own teacher, per seed: {', '.join(f'{gap:+.3f}' for gap in gaps)} "
        f"(passes its teacher on {passes} of {len(gaps)} seeds). The DeiT minus the ViT trained alone: "
        f"{', '.join(f'{gap:+.3f}' for gap in vit_gaps)}."
    )
    command = (
        f"python benchmarks/bench_deit.py --epochs {args.epochs} --teacher-epochs {args.teacher_epochs} "
        f"--seeds {' '.join(map(str, args.seeds))} --threads {args.threads}"
    )
    body = f"""
`{command}`
({seconds / 60:.0f} min{" per seed, one process per seed, merged with --merge" if separate else " in all"}, load average
{load:.1f} at the start: the machine was shared).

Split: `load_mnist()`, 3,500 train / 500 val / 1,000 test. Recipe: `vit_explained.distill.RECIPE`
(AdamW, warm-up + cosine, random rotations, scalings and moves); ViT and DeiT {args.epochs} epochs at lr {RECIPE["lr"]},
CNN {args.teacher_epochs} epochs at lr {RECIPE["teacher_lr"]} (chosen on val). Each model is kept at its best
validation epoch; test accuracy is read once per model.

## Per seed

{markdown_table(["model", "seed", "kept epoch", "val acc", "test acc", "notes"], rows)}

## Over seeds (test accuracy)

{markdown_table(["model", "seeds", "mean", "std", "min"], summary)}

## The paper's claim

{verdict}
"""
    write_result("deit", "DeiT distilled from a CNN vs the ViT alone vs the CNN (MNIST-5k, CPU)", body)
    write_package_data(command, args.seeds, results)


def write_package_data(command: str, seeds: list[int], results: dict) -> None:
    """The per-seed test accuracies, as the table prints them, for ``vit_explained.distill.benchmark_results()``."""
    accuracy = {name: [round(value, 3) for value in values] for name, values in results.items()}
    data = {"command": command, "seeds": list(seeds), "test_accuracy": accuracy}
    DEIT_BENCHMARK.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    main()
