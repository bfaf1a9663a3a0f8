"""Distil a small CNN into a DeiT on MNIST (hard distillation, Touvron et al. 2021), on a CPU.

    python -m vit_explained.distill --out mnist_deit.safetensors --teacher-out mnist_cnn.safetensors

trains the teacher (:class:`~vit_explained.cnn.SmallCNN`) on the 3,500 training digits, then the
student (:class:`~vit_explained.deit.DeiT`) with the hard-distillation loss, keeps for each the
epoch with the best *validation* accuracy, reads the test set once at the end and saves both as
safetensors (about 4 minutes on a quiet 2-core machine; 10 on a busy one). The shipped files were made with ``--out
vit_explained/checkpoints/mnist_deit.safetensors --teacher-out
vit_explained/checkpoints/mnist_cnn.safetensors``.

The loss (:func:`hard_distillation_loss`): the class head learns the true labels, the
distillation head learns the teacher's *argmax* on the same (augmented) images, half and half:

    loss = 0.5 * CE(class_logits, labels) + 0.5 * CE(distillation_logits, teacher_logits.argmax(-1))

:func:`fit` is one plain loop for all three kinds of model the benchmark compares: a ViT or a
CNN (cross-entropy), and a DeiT (hard distillation from a teacher; without one, both heads learn
the labels).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from . import _checks
from .cnn import SmallCNN
from .data import DigitSplit, augment, load_mnist
from .deit import DeiT
from .pretrained import CHECKPOINT_DIR
from .vit import ViT

__all__ = [
    "CNN_CONFIG",
    "CROP_TEACHER",
    "DEIT_BENCHMARK",
    "DEIT_CONFIG",
    "FEW_DIGITS",
    "MNIST_CNN",
    "MNIST_DEIT",
    "RECIPE",
    "RELABEL_ABLATION",
    "SOFT_HARD",
    "FitResult",
    "accuracy_of",
    "benchmark_results",
    "crop_teacher_benchmark",
    "few_digits_benchmark",
    "fit",
    "hard_distillation_loss",
    "in_chunks",
    "ink_kept",
    "load_mnist_cnn",
    "load_mnist_deit",
    "load_model",
    "main",
    "random_resized_boxes",
    "random_resized_crops",
    "relabel_ablation",
    "save_model",
    "soft_hard_benchmark",
]

MNIST_DEIT = CHECKPOINT_DIR / "mnist_deit.safetensors"
MNIST_CNN = CHECKPOINT_DIR / "mnist_cnn.safetensors"
#: The per-seed test accuracies of ``benchmarks/bench_deit.py`` (which writes this file next to
#: ``benchmarks/results/deit.md``), shipped with the package so a pip or Colab install has them.
DEIT_BENCHMARK = CHECKPOINT_DIR / "deit_benchmark.json"
#: Lesson 09's one-change ablation, a teacher whose answer 7 becomes 1 (``benchmarks/bench_lesson09_relabel.py``
#: writes it next to ``benchmarks/results/lesson09_relabel.md``), shipped with the package.
RELABEL_ABLATION = CHECKPOINT_DIR / "lesson09_relabel.json"
#: Lesson 09's soft-vs-hard benchmark on 500 training digits (``benchmarks/bench_lesson09_soft_hard.py`` writes it
#: next to ``benchmarks/results/lesson09_soft_hard.md``), shipped with the package.
SOFT_HARD = CHECKPOINT_DIR / "lesson09_soft_hard.json"
#: The same script's later run (5 seeds, 24 epochs, batch 16, students that train), next to
#: ``benchmarks/results/lesson09_few_digits.md``, shipped with the package.
FEW_DIGITS = CHECKPOINT_DIR / "lesson09_few_digits.json"
#: Lesson 09's crop-trained teacher against the shipped one on random-resized crops
#: (``benchmarks/bench_lesson09_crop_teacher.py`` writes it next to its ``.md``), shipped with the package.
CROP_TEACHER = CHECKPOINT_DIR / "lesson09_crop_teacher.json"

#: The student: the shipped MNIST ViT's shape (4x4 patches, a 7x7 grid) with a distillation token.
DEIT_CONFIG: dict[str, Any] = {
    "image_size": 28,
    "patch_size": 4,
    "num_classes": 10,
    "dim": 64,
    "depth": 4,
    "heads": 4,
    "mlp_dim": 128,
    "channels": 1,
}
#: The teacher: SmallCNN's defaults (93,962 parameters).
CNN_CONFIG: dict[str, Any] = {"num_classes": 10, "channels": 1, "width": 32}
#: One recipe for every model: AdamW, linear warm-up then cosine decay, and the shipped ViT's
#: augmentation (random rotations up to 10 degrees, scalings by 1 +- 0.1, moves up to 2 pixels, chosen
#: on validation for the ViT by ``python -m vit_explained.train``). The student's learning rate is the
#: shipped ViT's; the teacher's was chosen on the validation split (10 epochs with 1-pixel shifts:
#: 2e-3 reached 0.904 val accuracy, 5e-3 reached 0.950).
RECIPE: dict[str, Any] = {
    "epochs": 40,
    "teacher_epochs": 15,
    "teacher_lr": 5e-3,
    "batch_size": 64,
    "lr": 2e-3,
    "weight_decay": 0.05,
    "warmup": 0.1,
    "max_rotation": 10.0,
    "max_scale": 0.1,
    "max_translate": 2.0,
    "seed": 0,
}
_TRAINING_KEYS = ("batch_size", "lr", "weight_decay", "warmup", "max_rotation", "max_scale", "max_translate", "seed")

_KINDS = {"DeiT": DeiT, "SmallCNN": SmallCNN, "ViT": ViT}


def hard_distillation_loss(
    class_logits: torch.Tensor,
    distillation_logits: torch.Tensor,
    labels: torch.Tensor,
    teacher_logits: torch.Tensor,
) -> torch.Tensor:
    """DeiT's hard-distillation loss: ``0.5 * CE(class, labels) + 0.5 * CE(distillation, teacher's argmax)``.

    ``class_logits``, ``distillation_logits``, ``teacher_logits``: ``(B, classes)``; ``labels``:
    ``(B,)`` ints. The teacher's logits only choose a label (no gradient flows into the teacher).
    """
    for name, logits in (("class_logits", class_logits), ("distillation_logits", distillation_logits)):
        if not isinstance(logits, torch.Tensor) or logits.shape != teacher_logits.shape:
            raise ValueError(
                f"{name} must be a (B, classes) tensor shaped like teacher_logits {tuple(teacher_logits.shape)}, "
                f"got {tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__}"
            )
    teacher_labels = teacher_logits.detach().argmax(dim=-1)
    return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(distillation_logits, teacher_labels)


def soft_distillation_loss(
    class_logits: torch.Tensor,
    distillation_logits: torch.Tensor,
    labels: torch.Tensor,
    teacher_logits: torch.Tensor,
    tau: float = 1.0,
    lam: float = 0.5,
) -> torch.Tensor:
    """The paper's soft-distillation loss (eq. 2), with the distillation head as the student's second output:
    ``(1 - lam) * CE(class, labels) + lam * tau**2 * KL(teacher_tau || student_tau)``, the KL averaged per image.

    The direction is facebookresearch/deit's ``losses.py``: ``F.kl_div(student log-probs, teacher log-probs,
    log_target=True)`` is KL(teacher || student). That code divides the summed KL by ``B * classes``
    (``numel``), not by ``B``: its term is this one divided by the number of classes (commit 7e160fe). So DeiT's
    ``alpha = 0.5`` weighs the two terms as ``lam = 1 / (1 + classes)`` does here; ``tau`` plays the same part in both.
    """
    log_student = F.log_softmax(distillation_logits / tau, dim=-1)
    log_teacher = F.log_softmax(teacher_logits.detach() / tau, dim=-1)
    kl = F.kl_div(log_student, log_teacher, reduction="batchmean", log_target=True)
    return (1 - lam) * F.cross_entropy(class_logits, labels) + lam * tau**2 * kl


@torch.no_grad()
def accuracy_of(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 500) -> float:
    """The fraction of ``images`` ``(B, C, H, W)`` that ``model`` (put in eval mode) labels right."""
    model.eval()
    correct = 0
    for start in range(0, len(images), batch_size):
        logits = model(images[start : start + batch_size])
        correct += int((logits.argmax(-1) == labels[start : start + batch_size]).sum())
    return correct / len(images)


def in_chunks(
    net: Callable[[torch.Tensor], Any], images: torch.Tensor, size: int = 500, *, channels_last: bool = False
) -> torch.Tensor | tuple[torch.Tensor, ...]:
    """``net(images)``, ``size`` images at a time under ``no_grad``: the same outputs in a fraction of the memory.

    A ``net`` returning a tuple (a DeiT's ``forward_heads``) gives a tuple of concatenated tensors.
    ``channels_last=True`` (a CNN ``nn.Module``): a copy of ``net`` and the images in the channels-last memory
    layout, whose CPU convolutions run faster; ``net`` itself is left as it is.
    """
    if channels_last:
        net = copy.deepcopy(net).to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        outputs = [net(chunk) for chunk in images.split(size)]
    if isinstance(outputs[0], tuple):  # forward_heads: (class_logits, distillation_logits)
        return tuple(torch.cat(parts) for parts in zip(*outputs, strict=True))
    return torch.cat(outputs)


def benchmark_results() -> dict[str, Any]:
    """The DeiT benchmark's results, as ``benchmarks/bench_deit.py`` wrote them (:data:`DEIT_BENCHMARK`).

    ``{"command": str, "seeds": [0, 1, 2], "test_accuracy": {"ViT": [...], "CNN": [...], "DeiT": [...]}}``:
    one test accuracy per seed and model (rounded to 3 decimals, as in ``benchmarks/results/deit.md``),
    the lists in the order of ``seeds``. ``ViT`` is the DeiT's architecture without the distillation
    token trained alone, ``CNN`` the teacher, ``DeiT`` the student distilled from that seed's CNN.
    """
    return json.loads(DEIT_BENCHMARK.read_text())


def relabel_ablation() -> dict[str, Any]:
    """The relabelled-teacher ablation, as ``benchmarks/bench_lesson09_relabel.py`` wrote it (:data:`RELABEL_ABLATION`).

    ``{"source": 7, "target": 1, "arms": {"relabel": {"epochs": int, "runs": [...]}}}``: one run per seed, each
    with ``class_says_1``, ``distillation_says_1`` and ``teacher_says_1``, one 0/1 per validation 7.
    """
    return json.loads(RELABEL_ABLATION.read_text())


def crop_teacher_benchmark() -> dict[str, Any]:
    """The crop-trained teacher's benchmark, as ``benchmarks/bench_lesson09_crop_teacher.py`` wrote it
    (:data:`CROP_TEACHER`): ``{"relabelled": {"under_half" | "at_least_90": {"shipped" | "crop": [0/1, ...]}}}``,
    per crop whether each teacher's label differs from the true one (the same crops for both), and more."""
    return json.loads(CROP_TEACHER.read_text())


def soft_hard_benchmark() -> dict[str, Any]:
    """The soft-vs-hard benchmark, as ``benchmarks/bench_lesson09_soft_hard.py`` wrote it (:data:`SOFT_HARD`).

    ``{"settings": {"small": {"train_digits": 500, "epochs": int, "arms": {"none" | "hard" | "soft": [...]}}}}``:
    one run per seed, each with ``seed``, ``best_epoch``, ``val_accuracy`` and ``test_accuracy``.
    """
    return json.loads(SOFT_HARD.read_text())


def few_digits_benchmark() -> dict[str, Any]:
    """No teacher, hard or soft distillation on 500 training digits, 5 seeds (:data:`FEW_DIGITS`, written by
    ``benchmarks/bench_lesson09_soft_hard.py``): ``{"settings": {"small": {"arms": {"none" | "hard" | "soft":
    [run, ...]}}}}``, each run with ``seed``, ``best_epoch``, ``val_accuracy`` and ``test_accuracy``."""
    return json.loads(FEW_DIGITS.read_text())


class OneToken(DeiT):
    """One class token and one head, trained by :func:`fit`'s hard loss on both targets (lesson 09's token control).

    ``(B, C, H, W) ->`` logits ``(B, num_classes)``. Tokens ``[class, patches]`` as the package's ViT,
    positions ``(1, N + 1, dim)``. :meth:`forward_heads` returns the one head's logits twice, so the loss is
    ``1/2 CE(head, y) + 1/2 CE(head, y_t)`` (DeiT Table 3's hard distillation without the token).
    """

    num_special_tokens = 1

    def _make_tokens(self, dim: int) -> None:
        """The class token and ``N + 1`` positions, truncated normal (std 0.02)."""
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.empty(1, self.num_patches + 1, dim))
        nn.init.trunc_normal_(self.class_token, std=0.02)
        nn.init.trunc_normal_(self.pos_embedding, std=0.02)

    def _make_heads(self, dim: int, num_classes: int) -> list[nn.Linear]:
        """One head, ``head``, on the class token."""
        self.head = nn.Linear(dim, num_classes)
        return [self.head]

    def no_weight_decay(self) -> set[str]:
        """:meth:`ViT.no_weight_decay` (there is no distillation token)."""
        return ViT.no_weight_decay(self)

    def forward_features(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W) -> (B, N + 1, dim)``: the ViT's tokens after the final LayerNorm."""
        return ViT.forward_features(self, images)

    def forward_heads(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, C, H, W) ->`` the head's logits ``(B, num_classes)``, twice."""
        logits = self.head(self.forward_features(images)[:, 0])
        return logits, logits


class TwoHeadsOneToken(OneToken):
    """Two heads that both read the one class token (lesson 09's "own token" control).

    ``(B, C, H, W) ->`` ``(class_logits, distillation_logits)``, each ``(B, num_classes)``, from ``head`` and
    ``head_dist`` on token 0 (tokens ``[class, patches]``, positions ``(1, N + 1, dim)``). Trained by
    :func:`fit`'s hard loss, ``head`` learns y and ``head_dist`` the teacher's argmax y_t, as DeiT's two heads:
    against a DeiT the one change is that the distillation head has no token of its own.
    """

    def _make_heads(self, dim: int, num_classes: int) -> list[nn.Linear]:
        """``head`` and ``head_dist``, both on the class token."""
        self.head = nn.Linear(dim, num_classes)
        self.head_dist = nn.Linear(dim, num_classes)
        return [self.head, self.head_dist]

    def forward_heads(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, C, H, W) ->`` ``(class_logits, distillation_logits)``, both from token 0."""
        token = self.forward_features(images)[:, 0]  # (B, dim)
        return self.head(token), self.head_dist(token)


@dataclass
class FitResult:
    """What :func:`fit` did: validation accuracy after each epoch, the epoch kept (best on val)."""

    val_accuracy: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0

    @property
    def best_val_accuracy(self) -> float:
        """The validation accuracy of the kept epoch."""
        return self.val_accuracy[self.best_epoch - 1]


def _optimizer(model: nn.Module, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    """AdamW, with weight decay on weight matrices and kernels only (not biases, norms, tokens, positions)."""
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2 and p.shape[:2] != (1, 1)]
    ids = {id(p) for p in decay}
    rest = [p for p in model.parameters() if p.requires_grad and id(p) not in ids]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr)


def fit(
    model: nn.Module,
    data: DigitSplit,
    *,
    teacher: nn.Module | None = None,
    epochs: int = 20,
    batch_size: int = 64,
    lr: float = 2e-3,
    weight_decay: float = 0.05,
    warmup: float = 0.1,
    max_rotation: float = 0.0,
    max_scale: float = 0.0,
    max_translate: float = 0.0,
    seed: int = 0,
    log: bool = False,
) -> FitResult:
    """Train ``model`` on ``data.train_*``; after every epoch measure ``data.val_*``; at the end load
    the weights of the epoch with the best validation accuracy. The test set is not touched.

    - a :class:`~vit_explained.deit.DeiT` with a ``teacher``: :func:`hard_distillation_loss`, the
      teacher (frozen, eval mode) labelling the same augmented batch the student sees;
    - a DeiT without a teacher: both heads learn the true labels;
    - anything else (a ViT, a CNN): cross-entropy on its logits.

    Deterministic for a given ``seed`` (batches, augmentation) and model initialisation. Returns a
    :class:`FitResult`; the model is left in eval mode.
    """
    if not isinstance(data, DigitSplit):
        raise TypeError(f"data must be a DigitSplit (from load_mnist()), got {type(data).__name__}")
    epochs = _checks.positive_int("epochs", epochs)
    batch_size = _checks.positive_int("batch_size", batch_size)
    if teacher is not None and not isinstance(model, DeiT):
        raise TypeError(f"only a DeiT has a distillation head to learn from a teacher, got {type(model).__name__}")
    if teacher is not None:
        teacher.eval()
        for parameter in teacher.parameters():
            parameter.requires_grad_(False)
    optimizer = _optimizer(model, lr, weight_decay)
    generator = torch.Generator().manual_seed(seed)
    moves = {"max_rotation": max_rotation, "max_scale": max_scale, "max_translate": max_translate}
    schedule = _Schedule(lr, warmup, epochs * math.ceil(len(data.train_images) / batch_size))
    result = FitResult()
    best_state: dict[str, torch.Tensor] | None = None
    start_time = time.perf_counter()
    for epoch in range(1, epochs + 1):
        losses = _train_epoch(model, teacher, data, optimizer, schedule, generator, batch_size, moves)
        result.train_loss.append(sum(losses) / len(losses))
        val = accuracy_of(model, data.val_images, data.val_labels)
        if val > max(result.val_accuracy, default=-1.0):  # the first epoch reaching the best is kept
            result.best_epoch = epoch
            best_state = {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}
        result.val_accuracy.append(val)
        if log:
            print(f"  epoch {epoch:>2}: loss {result.train_loss[-1]:.3f}, val {val:.3f}", flush=True)
    result.seconds = time.perf_counter() - start_time
    assert best_state is not None
    model.load_state_dict(best_state)
    model.eval()
    return result


@dataclass
class _Schedule:
    """Linear warm-up over the first ``warmup`` of ``total_steps``, then cosine decay to 0."""

    lr: float
    warmup: float
    total_steps: int
    step: int = 0

    def advance(self, optimizer: torch.optim.Optimizer) -> None:
        """Set the learning rate of this step on every parameter group, then count the step."""
        progress = self.step / self.total_steps
        if progress < self.warmup:
            factor = (self.step + 1) / (self.warmup * self.total_steps)
        else:
            factor = 0.5 * (1 + math.cos(math.pi * (progress - self.warmup) / (1 - self.warmup)))
        for group in optimizer.param_groups:
            group["lr"] = self.lr * factor
        self.step += 1


def _loss(model: nn.Module, teacher: nn.Module | None, batch: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Hard distillation for a DeiT with a teacher; both heads on the labels for a DeiT without one;
    cross-entropy for anything else."""
    if not isinstance(model, DeiT):
        return F.cross_entropy(model(batch), targets)
    class_logits, distillation_logits = model(batch)  # training mode: both heads
    if teacher is None:
        return 0.5 * F.cross_entropy(class_logits, targets) + 0.5 * F.cross_entropy(distillation_logits, targets)
    with torch.no_grad():
        teacher_logits = teacher(batch)
    return hard_distillation_loss(class_logits, distillation_logits, targets, teacher_logits)


def _train_epoch(
    model: nn.Module,
    teacher: nn.Module | None,
    data: DigitSplit,
    optimizer: torch.optim.Optimizer,
    schedule: _Schedule,
    generator: torch.Generator,
    batch_size: int,
    moves: dict[str, float],
) -> list[float]:
    """One pass over ``data.train_*`` in a random order; the loss of every batch."""
    model.train()
    images, labels = data.train_images, data.train_labels
    order = torch.randperm(len(images), generator=generator)
    losses = []
    for start in range(0, len(images), batch_size):
        schedule.advance(optimizer)
        index = order[start : start + batch_size]
        # random rotation / scaling / move of each image (the identity with the defaults)
        batch = augment(images[index], generator=generator, **moves)
        loss = _loss(model, teacher, batch, labels[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def save_model(model: nn.Module, path: str | Path, config: dict[str, Any], info: dict[str, Any] | None = None) -> Path:
    """Save a :class:`DeiT`, :class:`SmallCNN` or :class:`ViT` as safetensors (float32 weights), with
    its class name, constructor arguments (``config``) and ``info`` as JSON metadata
    (:func:`vit_explained.pretrained.write_safetensors`)."""
    from .pretrained import write_safetensors

    kind = type(model).__name__
    if kind not in _KINDS:
        raise TypeError(f"model must be one of {', '.join(_KINDS)}, got {kind}")
    return write_safetensors(model, path, {"kind": kind, "config": config, "info": info or {}})


def checkpoint_metadata(path: str | Path) -> dict[str, Any]:
    """``{"kind": ..., "config": {...}, "info": {...}}`` of a checkpoint written by :func:`save_model`."""
    from .pretrained import read_metadata

    metadata = read_metadata(path, how_to_make="make one with `python -m vit_explained.distill`")
    if metadata.get("kind") not in _KINDS:
        raise ValueError(f"{str(path)!r} was not written by vit_explained.distill.save_model (no known 'kind')")
    return {"kind": metadata["kind"], "config": json.loads(metadata["config"]), "info": json.loads(metadata["info"])}


def load_model(path: str | Path) -> nn.Module:
    """Rebuild the model saved at ``path`` by :func:`save_model` and load its weights (eval mode, CPU)."""
    from safetensors.torch import load_file

    meta = checkpoint_metadata(path)
    model = _KINDS[meta["kind"]](**meta["config"])
    model.load_state_dict(load_file(str(path)))
    return model.eval()


def load_mnist_deit() -> DeiT:
    """The shipped distilled DeiT (``checkpoints/mnist_deit.safetensors``), eval mode, CPU.

    Input ``(B, 1, 28, 28)`` in ``[0, 1]`` as :func:`~vit_explained.data.load_mnist` gives them;
    output the average of its two heads' logits ``(B, 10)``. Tokens: class, distillation, 49 patches.
    """
    model = load_model(MNIST_DEIT)
    assert isinstance(model, DeiT)
    return model


def load_mnist_cnn() -> SmallCNN:
    """The shipped CNN teacher (``checkpoints/mnist_cnn.safetensors``), eval mode, CPU."""
    model = load_model(MNIST_CNN)
    assert isinstance(model, SmallCNN)
    return model


def train_teacher_and_student(
    data: DigitSplit, recipe: dict[str, Any], *, log: bool = False
) -> tuple[SmallCNN, FitResult, DeiT, FitResult]:
    """Train the CNN teacher, then distil it into a DeiT; both kept at their best validation epoch."""
    options = {key: recipe[key] for key in _TRAINING_KEYS}
    torch.manual_seed(recipe["seed"])
    teacher = SmallCNN(**CNN_CONFIG)
    if log:
        print("teacher (SmallCNN):", flush=True)
    teacher_fit = fit(
        teacher, data, epochs=recipe["teacher_epochs"], log=log, **{**options, "lr": recipe["teacher_lr"]}
    )
    torch.manual_seed(recipe["seed"])
    student = DeiT(**DEIT_CONFIG)
    if log:
        print("student (DeiT, hard distillation):", flush=True)
    student_fit = fit(student, data, teacher=teacher, epochs=recipe["epochs"], log=log, **options)
    return teacher, teacher_fit, student, student_fit


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clean line, no usage block
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m vit_explained.distill",
        description=(
            "Train a SmallCNN teacher on the 3,500 MNIST training digits, then distil it into a small DeiT "
            "(hard distillation); keep each at its best validation epoch; print val and test accuracy; save both."
        ),
        epilog=(
            "Rebuild the shipped files: python -m vit_explained.distill --threads 1 "
            "--out vit_explained/checkpoints/mnist_deit.safetensors "
            "--teacher-out vit_explained/checkpoints/mnist_cnn.safetensors"
        ),
    )
    parser.add_argument("--out", default="mnist_deit.safetensors", help="the student's checkpoint (.safetensors)")
    parser.add_argument("--teacher-out", default="mnist_cnn.safetensors", help="the teacher's checkpoint")
    parser.add_argument("--epochs", type=int, default=RECIPE["epochs"], help="student epochs")
    parser.add_argument("--teacher-epochs", type=int, default=RECIPE["teacher_epochs"], help="teacher epochs")
    parser.add_argument("--seed", type=int, default=RECIPE["seed"])
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (1: the shipped files' sums)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        for name in ("epochs", "teacher_epochs", "threads"):
            _checks.positive_int(f"--{name.replace('_', '-')}", getattr(args, name))
        for name in ("out", "teacher_out"):
            if not str(getattr(args, name)).endswith(".safetensors"):
                raise ValueError(f"--{name.replace('_', '-')} must end in .safetensors, got {getattr(args, name)!r}")
    except (TypeError, ValueError) as error:
        parser.error(str(error))
    torch.set_num_threads(args.threads)
    recipe = {**RECIPE, "epochs": args.epochs, "teacher_epochs": args.teacher_epochs, "seed": args.seed}
    data = load_mnist()
    teacher, teacher_fit, student, student_fit = train_teacher_and_student(data, recipe, log=True)
    results = {}
    for name, model, result in (("teacher", teacher, teacher_fit), ("student", student, student_fit)):
        test = accuracy_of(model, data.test_images, data.test_labels)  # the test set, read once per model
        results[name] = {
            "best_epoch": result.best_epoch,
            "val_accuracy": round(result.best_val_accuracy, 4),
            "test_accuracy": round(test, 4),
            "seconds": round(result.seconds, 1),
        }
        print(f"{name}: epoch {result.best_epoch}, val {result.best_val_accuracy:.4f}, test {test:.4f}")
    common = {"recipe": recipe, "split": "load_mnist(): 3,500 train / 500 val / 1,000 test", "torch": torch.__version__}
    save_model(teacher, args.teacher_out, CNN_CONFIG, {**common, **results["teacher"]})
    save_model(student, args.out, DEIT_CONFIG, {**common, **results["student"], "teacher": Path(args.teacher_out).name})
    print(f"saved {args.out} and {args.teacher_out}")
    return 0


def random_resized_boxes(
    height: int,
    width: int,
    count: int,
    *,
    scale: tuple[float, float] = (0.2, 1.0),
    generator: torch.Generator | None = None,
) -> list[tuple[int, int, int, int]]:
    """The ``count`` boxes ``(top, left, h, w)`` that :func:`random_resized_crops` cuts from a ``height x width``
    image, drawn in the same order from ``generator``: a box covering ``scale`` of the area, aspect ratio 3/4 to
    4/3, at a random place. Replaying a generator's seed gives the boxes of the crops it made."""
    boxes = []
    for _ in range(count):
        area = float(torch.empty(1).uniform_(*scale, generator=generator)) * height * width
        ratio = math.exp(float(torch.empty(1).uniform_(math.log(3 / 4), math.log(4 / 3), generator=generator)))
        h = min(height, max(2, round(math.sqrt(area / ratio))))
        w = min(width, max(2, round(math.sqrt(area * ratio))))
        top = int(torch.randint(0, height - h + 1, (1,), generator=generator))
        left = int(torch.randint(0, width - w + 1, (1,), generator=generator))
        boxes.append((top, left, h, w))
    return boxes


def random_resized_crops(
    image: torch.Tensor,
    count: int,
    *,
    scale: tuple[float, float] = (0.2, 1.0),
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """``count`` random-resized crops of one ``(C, H, W)`` image, each resized back: ``(count, C, H, W)``.

    The kind of crop DeiT trains with: a box covering ``scale`` of the image's area (aspect ratio 3/4 to 4/3),
    at a random place (:func:`random_resized_boxes`), stretched back to full size (bilinear). The student and
    the teacher see the same crop.
    """
    _, height, width = image.shape
    crops = []
    for top, left, h, w in random_resized_boxes(height, width, count, scale=scale, generator=generator):
        box = image[None, :, top : top + h, left : left + w]
        crops.append(F.interpolate(box, size=(height, width), mode="bilinear", align_corners=False)[0])
    return torch.stack(crops)


def ink_kept(image: torch.Tensor, boxes: list[tuple[int, int, int, int]]) -> torch.Tensor:
    """Per box ``(top, left, h, w)``, the share of the ``(C, H, W)`` image's inked pixels (above the midpoint of
    its darkest and brightest pixel) that lie inside it: ``(len(boxes),)``, 1 for a box that keeps all the ink."""
    ink = (image > (image.min() + image.max()) / 2).any(0).float()  # (H, W)
    total = ink.sum().clamp_min(1)
    return torch.stack([ink[top : top + h, left : left + w].sum() / total for top, left, h, w in boxes])


if __name__ == "__main__":
    sys.exit(main())


@dataclass
class MapAgreement:
    """How alike two sets of maps are, digit by digit, against a shuffled baseline (:func:`map_agreement`)."""

    same_top: float  #: share of the digits whose two maps have the same top patch
    median_cosine: float  #: median over the digits of the two maps' cosine similarity
    shuffled_same_top: list[float]  #: per shuffle, the same share with the maps of different digits paired
    shuffled_median_cosine: list[float]  #: per shuffle, the median cosine with the maps of different digits paired


def map_agreement(first: torch.Tensor, second: torch.Tensor, *, shuffles: int = 20, seed: int = 0) -> MapAgreement:
    """Compare ``first[i]`` with ``second[i]`` (``(B, rows, cols)`` maps of the same ``B`` digits): the share of the
    digits whose two maps have the same top patch and the median cosine similarity. The baseline pairs each
    ``first[i]`` with ``second[j]`` of another digit ``j`` (a random derangement, ``shuffles`` times): maps that
    share only the model's spatial habits (where digits usually lie), not the digit. The chance level of 1 over the
    number of patches ignores those habits."""
    a, b = first.flatten(1), second.flatten(1)  # (B, P)

    def measures(partner: torch.Tensor) -> tuple[float, float]:
        same = (a.argmax(-1) == b[partner].argmax(-1)).float().mean().item()
        return same, F.cosine_similarity(a, b[partner], dim=-1).median().item()

    same_top, median_cosine = measures(torch.arange(len(a)))
    generator = torch.Generator().manual_seed(seed)
    shuffled = []
    for _ in range(shuffles):
        order = torch.randperm(len(a), generator=generator)  # one cycle through all digits: nobody keeps its own
        partner = torch.empty_like(order)
        partner[order] = order.roll(-1)
        shuffled.append(measures(partner))
    return MapAgreement(same_top, median_cosine, [s for s, _ in shuffled], [c for _, c in shuffled])
