"""Where to compute: a GPU when one is present, the CPU otherwise."""

from __future__ import annotations

import torch


def default_device() -> torch.device:
    """``cuda`` if a GPU is available, else ``cpu``. The lessons never require a GPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
