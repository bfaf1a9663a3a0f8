"""Checkpoints, and the small ViT shipped with the package (trained by ``python -m vit_explained.train``).

``vit_explained/checkpoints/mnist_vit.safetensors`` holds the weights (stored in float16, loaded
as float32); its safetensors metadata
holds the architecture (the :class:`~vit_explained.ViT` arguments) and how it was trained, so
the file alone rebuilds the model. The model takes images exactly as
:func:`vit_explained.data.load_mnist` returns them: ``(B, 1, 28, 28)`` float32 in ``[0, 1]``
(no normalisation).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import torch

from .vit import ViT

__all__ = [
    "CHECKPOINT_DIR",
    "MNIST_VIT",
    "checkpoint_info",
    "load_checkpoint",
    "load_mnist_vit",
    "round_trip",
    "save_checkpoint",
]

CHECKPOINT_DIR = Path(__file__).resolve().parent / "checkpoints"
MNIST_VIT = CHECKPOINT_DIR / "mnist_vit.safetensors"


def save_checkpoint(
    model: ViT,
    path: str | Path,
    config: dict[str, Any],
    info: dict[str, Any] | None = None,
    dtype: torch.dtype = torch.float16,
) -> Path:
    """Save ``model``'s weights to a safetensors file, with ``config`` (the ``ViT(...)`` keyword
    arguments that rebuild it) and ``info`` (anything else: recipe, accuracy) as JSON metadata.

    Floating-point weights are stored as ``dtype`` (half precision by default: half the size,
    and :func:`load_checkpoint` turns them back into float32). Evaluate the *reloaded* model to
    state its accuracy."""
    from safetensors.torch import save_file

    if not isinstance(model, ViT):
        raise TypeError(f"model must be a vit_explained.ViT, got {type(model).__name__}")
    path = Path(path)
    if path.suffix != ".safetensors":
        raise ValueError(f"checkpoint path must end in .safetensors, got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = _stored(model, dtype)
    metadata = {"config": json.dumps(config, sort_keys=True), "info": json.dumps(info or {}, sort_keys=True)}
    save_file(tensors, str(path), metadata=metadata)
    return path


def _stored(model: torch.nn.Module, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """The state dict as a checkpoint stores it: floating-point tensors as ``dtype``, on the CPU."""
    return {
        name: (tensor.to(dtype) if tensor.is_floating_point() else tensor).detach().cpu().contiguous()
        for name, tensor in model.state_dict().items()
    }


def round_trip(model: ViT, dtype: torch.dtype = torch.float16) -> ViT:
    """A copy of ``model`` (eval mode, CPU) with its weights rounded as :func:`save_checkpoint`
    stores them: the model :func:`load_checkpoint` will give back, to evaluate before saving."""
    copied = copy.deepcopy(model).cpu()
    copied.load_state_dict({name: tensor.float() for name, tensor in _stored(model, dtype).items()})
    return copied.eval()


def checkpoint_info(path: str | Path = MNIST_VIT) -> dict[str, Any]:
    """The metadata of a checkpoint: ``{"config": {...ViT arguments...}, "info": {...recipe, accuracy...}}``."""
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no checkpoint at {str(path)!r}; train one with `python -m vit_explained.train --out {path}`"
        )
    with safe_open(str(path), framework="pt") as handle:
        metadata = handle.metadata() or {}
    if "config" not in metadata:
        raise ValueError(f"{str(path)!r} has no 'config' metadata: it was not written by save_checkpoint")
    return {key: json.loads(value) for key, value in metadata.items()}


def load_checkpoint(path: str | Path) -> ViT:
    """Rebuild the :class:`~vit_explained.ViT` saved at ``path`` and load its weights (eval mode, CPU)."""
    from safetensors.torch import load_file

    model = ViT(**checkpoint_info(path)["config"])
    model.load_state_dict({name: tensor.float() for name, tensor in load_file(str(path)).items()})
    return model.eval()


def load_mnist_vit() -> ViT:
    """The shipped MNIST ViT, in eval mode on the CPU.

    Input: ``(B, 1, 28, 28)`` float32 in ``[0, 1]``, as :func:`~vit_explained.data.load_mnist`
    returns them; output: ``(B, 10)`` logits. ``pool="cls"``: the head reads the class token.
    Its attention modules are ``model.encoder.blocks[i].attn``. ``checkpoint_info()`` gives its
    architecture, training recipe and test accuracy.
    """
    return load_checkpoint(MNIST_VIT)
