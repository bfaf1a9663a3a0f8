"""Train and evaluate a classifier on a :class:`~vit_explained.data.DigitSplit`.

:func:`train` is a plain PyTorch loop (shuffle, augment, forward, cross-entropy, backward, step)
with the pieces a small ViT needs to train well from scratch on a few thousand images:
AdamW with weight decay on the weight matrices only, linear warm-up then cosine decay of the
learning rate, label smoothing, and random shifts / erasing of the training images. It shows a
tqdm progress bar (a widget in Jupyter, text in a terminal), records loss and accuracy per
epoch in a :class:`History`, and is deterministic for a given ``seed`` (the model's initial
weights are the caller's: seed torch before building the model).

Train for a number of ``epochs`` (deterministic) or for a budget of ``seconds`` of wall time
(the schedule then follows the clock, so results depend on the machine's speed).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from . import _checks
from .data import DigitSplit, augment
from .device import default_device

__all__ = ["OPTIMIZERS", "SCHEDULES", "History", "accuracy", "evaluate", "make_optimizer", "predict", "train"]

OPTIMIZERS = ("adamw", "adam", "sgd")
SCHEDULES = ("cosine", "constant")
_NO_DECAY = ("class_token", "pos_embedding")


@dataclass
class History:
    """What :func:`train` recorded, one entry per evaluation (the end of each epoch, and every
    ``eval_every`` seconds when that is set).

    ``seconds`` counts training time only (evaluation is not on the clock); ``steps`` the
    optimizer steps so far; ``train_loss`` the mean loss over the steps since the last record;
    ``train_accuracy`` the accuracy on the (augmented) training batches of those steps;
    ``test_accuracy`` the accuracy on the untouched test split.
    """

    epoch: list[float] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def final_test_accuracy(self) -> float:
        """The test accuracy at the last record."""
        if not self.test_accuracy:
            raise ValueError("the history is empty: train for at least one epoch")
        return self.test_accuracy[-1]

    def as_rows(self) -> list[dict[str, float]]:
        """The records as a list of dicts (one per evaluation)."""
        names = ("epoch", "steps", "seconds", "lr", "train_loss", "train_accuracy", "test_accuracy")
        return [
            dict(zip(names, values, strict=False))
            for values in zip(*(getattr(self, name) for name in names), strict=False)
        ]


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The fraction of rows whose largest logit is the label: ``(B, K)``, ``(B,)`` -> a float."""
    if not isinstance(logits, torch.Tensor) or logits.dim() != 2:
        raise ValueError(f"logits must be a (B, num_classes) tensor, got {getattr(logits, 'shape', type(logits))}")
    if not isinstance(labels, torch.Tensor) or labels.shape != logits.shape[:1]:
        raise ValueError(
            f"labels must be a (B,) tensor with B = {logits.shape[0]}, got {getattr(labels, 'shape', type(labels))}"
        )
    return (logits.argmax(dim=1) == labels.to(logits.device)).float().mean().item()


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """The model's logits ``(B, num_classes)`` for ``images`` ``(B, C, H, W)``, in eval mode, on CPU.

    The model is put back in its previous (train / eval) mode afterwards.
    """
    _checks.image_batch(images)
    batch_size = _checks.positive_int("batch_size", batch_size)
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    try:
        return torch.cat(
            [model(images[i : i + batch_size].to(device)).float().cpu() for i in range(0, len(images), batch_size)]
        )
    finally:
        model.train(was_training)


def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 500) -> float:
    """Test accuracy in ``[0, 1]`` of ``model`` on ``images`` ``(B, C, H, W)`` with ``labels`` ``(B,)``."""
    return accuracy(predict(model, images, batch_size), labels)


def make_optimizer(
    model: nn.Module, name: str = "adamw", lr: float = 1e-3, weight_decay: float = 0.0, momentum: float = 0.9
) -> torch.optim.Optimizer:
    """An optimizer over the parameters that require grad (frozen ones are left out).

    Weight decay applies to weight matrices and kernels only, not to biases, LayerNorm scales,
    the class token or the position embeddings (as in timm / the ViT paper's code).
    ``name``: ``"adamw"``, ``"adam"`` (decay added to the gradient) or ``"sgd"`` (with ``momentum``).
    """
    name = _checks.one_of("optimizer", name, OPTIMIZERS)
    if not lr > 0:
        raise ValueError(f"lr must be a positive learning rate (e.g. 1e-3), got {lr}")
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
    decay, no_decay = [], []
    for param_name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        keep = param.ndim <= 1 or param_name.split(".")[-1] in _NO_DECAY
        (no_decay if keep else decay).append(param)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=momentum)
    if name == "adam":
        return torch.optim.Adam(groups, lr=lr)
    return torch.optim.AdamW(groups, lr=lr)


def _lr_factor(progress: float, warmup: float, schedule: str) -> float:
    """The learning-rate multiplier at ``progress`` in ``[0, 1]`` of training."""
    if warmup > 0 and progress < warmup:
        return (progress + 1e-3) / warmup
    if schedule == "constant":
        return 1.0
    rest = (progress - warmup) / max(1e-8, 1.0 - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, rest)))


def train(
    model: nn.Module,
    data: DigitSplit,
    *,
    epochs: int | None = 10,
    seconds: float | None = None,
    batch_size: int = 128,
    lr: float = 1e-3,
    optimizer: str = "adamw",
    weight_decay: float = 0.05,
    momentum: float = 0.9,
    warmup: float = 0.1,
    schedule: str = "cosine",
    label_smoothing: float = 0.0,
    max_shift: int = 0,
    erase_probability: float = 0.0,
    max_rotation: float = 0.0,
    max_scale: float = 0.0,
    max_translate: float = 0.0,
    seed: int = 0,
    eval_every: float | None = None,
    device: torch.device | str | None = None,
    progress: bool = True,
    callback: Callable[[History], None] | None = None,
) -> History:
    """Train ``model`` on ``data.train_images`` ``(B, C, H, W)`` / ``data.train_labels`` ``(B,)``;
    record the test accuracy on ``data.test_images`` after every epoch. Returns a :class:`History`.

    - ``epochs`` full passes (deterministic for ``seed``), or, if ``seconds`` is given, as many
      steps as fit in that much training time (``epochs`` is then ignored; the schedule follows
      the clock).
    - ``optimizer`` ``"adamw"`` / ``"adam"`` / ``"sgd"`` at peak ``lr``; ``weight_decay`` on weight
      matrices only; ``schedule`` ``"cosine"`` (to 0) or ``"constant"`` after a linear warm-up
      over the first ``warmup`` fraction of training.
    - ``label_smoothing`` for the cross-entropy; augmentation of each training batch by random
      rotations / scalings / sub-pixel moves (``max_rotation`` degrees, ``max_scale``,
      ``max_translate`` pixels), random shifts of up to ``max_shift`` whole pixels and random
      erasing with ``erase_probability`` (see :func:`~vit_explained.data.augment`).
    - ``eval_every``: also record every so many seconds of training (for accuracy-vs-time plots).
    - ``device``: default :func:`~vit_explained.default_device` (a GPU if present, else the CPU).
    - ``callback(history)`` runs after every record.

    The model is left in eval mode on ``device``.
    """
    from tqdm.auto import tqdm

    if not isinstance(data, DigitSplit):
        raise TypeError(f"data must be a DigitSplit (from load_mnist() or load_digits()), got {type(data).__name__}")
    if seconds is None:
        if epochs is None:
            raise ValueError("give epochs (a number of passes) or seconds (a training-time budget)")
        epochs = _checks.positive_int("epochs", epochs)
    elif not seconds > 0:
        raise ValueError(f"seconds must be a positive time budget, got {seconds}")
    batch_size = _checks.positive_int("batch_size", batch_size)
    schedule = _checks.one_of("schedule", schedule, SCHEDULES)
    if not 0.0 <= warmup < 1.0:
        raise ValueError(f"warmup is a fraction of training in [0, 1), got {warmup}")
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
    if eval_every is not None and not eval_every > 0:
        raise ValueError(f"eval_every must be a positive number of seconds or None, got {eval_every}")

    device = torch.device(device) if device is not None else default_device()
    model.to(device)
    opt = make_optimizer(model, optimizer, lr, weight_decay, momentum)
    peak_lrs = [group["lr"] for group in opt.param_groups]
    generator = torch.Generator().manual_seed(seed)
    images, labels = data.train_images.to(device), data.train_labels.to(device)
    steps_per_epoch = math.ceil(len(images) / batch_size)
    total_steps = steps_per_epoch * epochs if seconds is None else None

    history = History()
    clock = 0.0  # training seconds (evaluation excluded)
    step = 0
    loss_sum, correct, seen, batches = 0.0, 0, 0, 0
    next_eval = eval_every

    def record() -> None:
        nonlocal loss_sum, correct, seen, batches
        history.epoch.append(round(step / steps_per_epoch, 3))
        history.steps.append(step)
        history.seconds.append(clock)
        history.lr.append(opt.param_groups[0]["lr"])
        history.train_loss.append(loss_sum / max(1, batches))
        history.train_accuracy.append(correct / max(1, seen))
        history.test_accuracy.append(evaluate(model, data.test_images, data.test_labels))
        loss_sum, correct, seen, batches = 0.0, 0, 0, 0
        if callback is not None:
            callback(history)

    if seconds is None:
        bar = tqdm(total=epochs, unit="epoch", disable=not progress, desc="training")
    else:
        bar = tqdm(total=round(seconds), unit="s", disable=not progress, desc="training", bar_format=None)
    model.train()
    done = False
    epoch = 0
    while not done:
        order = torch.randperm(len(images), generator=generator).to(device)
        for start in range(0, len(images), batch_size):
            tick = time.perf_counter()
            fraction = step / total_steps if total_steps else clock / seconds  # type: ignore[operator]
            factor = _lr_factor(fraction, warmup, schedule)
            for group, peak in zip(opt.param_groups, peak_lrs, strict=False):
                group["lr"] = peak * factor
            index = order[start : start + batch_size]
            batch = augment(
                images[index],
                max_shift,
                erase_probability,
                generator,
                max_rotation=max_rotation,
                max_scale=max_scale,
                max_translate=max_translate,
            )
            logits = model(batch)
            loss = F.cross_entropy(logits, labels[index], label_smoothing=label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            loss_sum += loss.item()
            batches += 1
            correct += (logits.argmax(1) == labels[index]).sum().item()
            seen += len(index)
            elapsed = time.perf_counter() - tick
            clock += elapsed
            if seconds is not None:
                bar.update(min(clock, seconds) - bar.n)
                if clock >= seconds:
                    done = True
            if next_eval is not None and clock >= next_eval and not done:
                record()
                model.train()
                next_eval += eval_every  # type: ignore[operator]
            if done:
                break
        epoch += 1
        if seconds is None and epoch >= epochs:  # type: ignore[operator]
            done = True
        if batches or done:
            record()
            model.train()
        bar.set_postfix(
            loss=f"{history.train_loss[-1]:.3f}", test_acc=f"{history.test_accuracy[-1]:.3f}", refresh=False
        )
        if seconds is None:
            bar.update(1)
    bar.close()
    model.eval()
    return history
