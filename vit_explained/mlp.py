"""GELU, written from its formulas, and the transformer's two-layer MLP."""

from __future__ import annotations

import math

import torch
from torch import nn

from . import _checks

_APPROXIMATIONS = ("none", "tanh")


def gelu(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """GELU(x) = x * Phi(x), Phi the standard normal CDF; any shape in, same shape out.

    ``approximate="none"``: ``0.5 x (1 + erf(x / sqrt 2))``, exact.
    ``approximate="tanh"``: ``0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))`` (GPT-2, the JAX ViT).
    Equal to ``torch.nn.functional.gelu(x, approximate=...)``.
    """
    _checks.one_of("approximate", approximate, _APPROXIMATIONS)
    if approximate == "tanh":
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


class GELU(nn.Module):
    """:func:`gelu` as a module."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = _checks.one_of("approximate", approximate, _APPROXIMATIONS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class MLP(nn.Module):
    """Position-wise feed-forward network: ``(B, N, dim) -> (B, N, out_dim)``.

    ``fc1`` widens each token to ``hidden_dim`` (4 x dim in ViT), GELU, ``fc2`` narrows it back
    to ``out_dim`` (default ``dim``). Every token goes through the same weights on its own.
    ``dropout`` (default 0: none, as in every model of this package) zeroes that fraction of the
    hidden and output features in training mode, after the GELU and after ``fc2``, where timm's
    ``Mlp`` and lucidrains' ``FeedForward`` put it; ``model.eval()`` turns it off.
    """

    def __init__(
        self, dim: int, hidden_dim: int, out_dim: int | None = None, approximate: str = "none", dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.dim = _checks.positive_int("dim", dim)
        hidden_dim = _checks.positive_int("hidden_dim", hidden_dim)
        out_dim = _checks.positive_int("out_dim", out_dim if out_dim is not None else dim)
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.act = GELU(approximate)
        self.fc2 = nn.Linear(hidden_dim, out_dim)
        dropout = _checks.fraction("dropout", dropout)  # a probability in [0, 1)
        self.drop = nn.Dropout(dropout) if dropout else nn.Identity()

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        _checks.token_batch(tokens, dim=self.dim)
        return self.drop(self.fc2(self.drop(self.act(self.fc1(tokens)))))
