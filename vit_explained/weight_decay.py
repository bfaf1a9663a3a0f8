"""Weight decay in Adam against AdamW, on weights that see nothing but gradient noise (lesson 06).

``torch.optim.Adam(weight_decay=wd)`` adds ``wd * w`` to the gradient before its running-size division, so how much
a weight decays depends on that weight's gradients; ``torch.optim.AdamW`` multiplies each weight by
``1 - lr * wd`` every step, whatever its gradient. Both optimizers work entry by entry, so one parameter of
``weights`` entries runs that many independent one-weight experiments at once.
"""

from __future__ import annotations

import math
from typing import Any

import torch

__all__ = ["extra_decay", "noisy_weight_paths"]


def _check(optimizer: object, sigma: float, lr: float, weight_decay: float, weights: int, steps: int) -> None:
    if not (isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)):
        raise TypeError(f"optimizer must be an optimizer class such as torch.optim.Adam; got {optimizer!r}")
    for name, value in (("sigma", sigma), ("lr", lr)):
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a finite number > 0, e.g. 1.0; got {value!r}")
    if not (isinstance(weight_decay, int | float) and math.isfinite(weight_decay) and weight_decay >= 0):
        raise ValueError(f"weight_decay must be a finite number >= 0, e.g. 0.05; got {weight_decay!r}")
    for name, value in (("weights", weights), ("steps", steps)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, e.g. 10; got {value!r}")


def noisy_weight_paths(
    optimizer: type[torch.optim.Optimizer],
    *,
    sigma: float,
    lr: float,
    weight_decay: float,
    weights: int = 10,
    steps: int = 100,
    seed: int = 0,
    **options: object,
) -> torch.Tensor:
    """``(steps + 1, weights)``: each weight starts at 1 and takes ``steps`` steps of ``optimizer`` on gradient
    noise N(0, sigma²), one independent draw per weight and step (seeded by ``seed``, the same draws for every
    optimizer and weight decay). Row 0 is the start. ``options`` go to the optimizer (e.g.
    ``decoupled_weight_decay=True`` for Adam)."""
    _check(optimizer, sigma, lr, weight_decay, weights, steps)
    generator = torch.Generator().manual_seed(seed)
    weight = torch.nn.Parameter(torch.ones(weights, dtype=torch.float64))
    stepper = optimizer([weight], lr=lr, weight_decay=weight_decay, **options)
    path = [weight.detach().clone()]
    for _ in range(steps):
        weight.grad = sigma * torch.randn(weights, generator=generator, dtype=torch.float64)
        stepper.step()
        path.append(weight.detach().clone())
    return torch.stack(path)


def extra_decay(optimizer: type[torch.optim.Optimizer], *, weight_decay: float, **noise: Any) -> torch.Tensor:
    """``(weights,)``: how much further each weight ends below its start with ``weight_decay`` than without it,
    on the same noise: the movement weight decay adds. ``noise``: ``sigma`` and ``lr``, and optionally ``weights``,
    ``steps`` and ``seed``, as for :func:`noisy_weight_paths`. AdamW's is about ``steps * lr * weight_decay`` for
    every weight (each starts at 1)."""
    with_decay = noisy_weight_paths(optimizer, weight_decay=weight_decay, **noise)
    without = noisy_weight_paths(optimizer, weight_decay=0.0, **noise)
    return without[-1] - with_decay[-1]
