"""Input checks shared by every building block.

Each check raises a ``ValueError`` or ``TypeError`` that names the offending value and says
what would work, so a learner never meets a bare ``assert`` or a shape error from deep inside
torch.
"""

from __future__ import annotations

import numbers

import torch

Pair = tuple[int, int]
#: A size as a learner may give it: one int for a square, or ``(height, width)``.
Size = int | tuple[int, int]


def positive_int(name: str, value: object) -> int:
    """Return ``value`` as an int, or raise if it is not a positive integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a positive int, got {value!r} ({type(value).__name__})")
    if value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return value


def non_negative_int(name: str, value: object) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int >= 0, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"{name} must be an int >= 0, got {value}")
    return value


def _real(name: str, value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}, got {value!r} ({type(value).__name__})")
    return float(value)


def positive_number(name: str, value: object, example: str | None = None) -> float:
    """Return ``value`` as a float, or raise if it is not a number > 0 (``example``: a value that works)."""
    number = _real(name, value, "a positive number")
    if not number > 0:  # also refuses nan
        hint = f" (e.g. {example})" if example else ""
        raise ValueError(f"{name} must be positive{hint}, got {value!r}")
    return number


def non_negative_number(name: str, value: object) -> float:
    """Return ``value`` as a float, or raise if it is not a number >= 0."""
    number = _real(name, value, "a number >= 0")
    if not number >= 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return number


def fraction(name: str, value: object, *, one_allowed: bool = False) -> float:
    """Return ``value`` as a float, or raise if it is not in ``[0, 1)`` (``[0, 1]`` with ``one_allowed``)."""
    interval = "[0, 1]" if one_allowed else "[0, 1)"
    number = _real(name, value, f"a number in {interval}")
    if not (0.0 <= number <= 1.0 if one_allowed else 0.0 <= number < 1.0):
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return number


def to_pair(name: str, value: object, *, allow_zero: bool = False) -> Pair:
    """Turn an int or a 2-sequence of ints into a ``(height, width)`` pair of checked ints.

    ``allow_zero`` admits 0 (for padding); otherwise both entries must be positive.
    """
    check = non_negative_int if allow_zero else positive_int
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a (height, width) pair, got {len(value)} values: {value!r}")
        return check(f"{name}[0] (height)", value[0]), check(f"{name}[1] (width)", value[1])
    number = check(name, value)
    return number, number


def divisible_by_heads(dim: int, heads: int) -> int:
    """Return the per-head width ``dim // heads``, or raise if ``heads`` does not divide ``dim``."""
    positive_int("dim", dim)
    positive_int("heads", heads)
    if dim % heads:
        divisors = [h for h in range(1, min(dim, 16) + 1) if dim % h == 0]
        raise ValueError(
            f"dim {dim} is not divisible by heads {heads}: each head gets dim // heads "
            f"features. Heads that divide {dim}: {divisors}"
        )
    return dim // heads


def image_batch(images: object, *, channels: int | None = None, size: Pair | None = None) -> torch.Tensor:
    """Check a batch of images ``(B, C, H, W)``; optionally its channel count and ``(H, W)``."""
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a torch.Tensor of shape (B, C, H, W), got {type(images).__name__}")
    if images.dim() != 4:
        hint = " (add a batch axis with images.unsqueeze(0))" if images.dim() == 3 else ""
        raise ValueError(f"images must be 4-D (B, C, H, W), got {images.dim()}-D shape {tuple(images.shape)}{hint}")
    if channels is not None and images.shape[1] != channels:
        raise ValueError(
            f"expected {channels} channel(s) in images of shape (B, C, H, W), got C = {images.shape[1]} "
            f"(shape {tuple(images.shape)})"
        )
    if size is not None and tuple(images.shape[-2:]) != tuple(size):
        raise ValueError(
            f"expected images of height x width {size[0]}x{size[1]}, got "
            f"{images.shape[-2]}x{images.shape[-1]} (shape {tuple(images.shape)}); "
            "resize the images or build the model with this image_size"
        )
    return images


def token_batch(tokens: object, *, dim: int | None = None, name: str = "tokens") -> torch.Tensor:
    """Check a batch of token sequences ``(B, N, D)``; optionally its width ``D``."""
    if not isinstance(tokens, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (B, N, D), got {type(tokens).__name__}")
    if tokens.dim() != 3:
        raise ValueError(f"{name} must be 3-D (B, N, D), got {tokens.dim()}-D shape {tuple(tokens.shape)}")
    if dim is not None and tokens.shape[-1] != dim:
        raise ValueError(
            f"{name} must have width D = {dim} in (B, N, D), got D = {tokens.shape[-1]} (shape {tuple(tokens.shape)})"
        )
    return tokens


def one_of(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise raise, listing the choices."""
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(repr(c) for c in choices)}")
    return value  # type: ignore[return-value]
