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
    "read_metadata",
    "round_trip",
    "save_checkpoint",
    "write_safetensors",
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
    if not isinstance(model, ViT) or model.num_special_tokens != 1:
        raise TypeError(
            f"model must be a vit_explained.ViT, got {type(model).__name__} "
            "(save a DeiT with vit_explained.distill.save_model)"
        )
    return write_safetensors(model, path, {"config": config, "info": info or {}}, dtype)


def write_safetensors(
    model: torch.nn.Module, path: str | Path, metadata: dict[str, Any], dtype: torch.dtype | None = None
) -> Path:
    """Write ``model``'s state dict to ``path`` (a ``.safetensors`` file; its folder is made), with
    ``metadata``: strings as they are, anything else as JSON. ``dtype``: store floating-point
    tensors in it (``None``: as they are). What :func:`save_checkpoint` and the DeiT checkpoints use."""
    from safetensors.torch import save_file

    path = Path(path)
    if path.suffix != ".safetensors":
        raise ValueError(f"checkpoint path must end in .safetensors, got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = {
        key: value if isinstance(value, str) else json.dumps(value, sort_keys=True) for key, value in metadata.items()
    }
    save_file(_stored(model, dtype), str(path), metadata=text)
    return path


def read_metadata(path: str | Path, *, how_to_make: str) -> dict[str, str]:
    """The metadata strings of the safetensors file at ``path``; if there is no file, a
    ``FileNotFoundError`` that ends with ``how_to_make`` (e.g. the command that writes one)."""
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {str(path)!r}; {how_to_make}")
    with safe_open(str(path), framework="pt") as handle:
        return handle.metadata() or {}


def _stored(model: torch.nn.Module, dtype: torch.dtype | None) -> dict[str, torch.Tensor]:
    """The state dict as a checkpoint stores it: floating-point tensors as ``dtype``, on the CPU."""
    stored = {}
    for name, tensor in model.state_dict().items():
        cast = tensor.to(dtype) if dtype is not None and tensor.is_floating_point() else tensor
        stored[name] = cast.detach().cpu().contiguous()
    return stored


def round_trip(model: ViT, dtype: torch.dtype = torch.float16) -> ViT:
    """A copy of ``model`` (eval mode, CPU) with its weights rounded as :func:`save_checkpoint`
    stores them: the model :func:`load_checkpoint` will give back, to evaluate before saving."""
    copied = copy.deepcopy(model).cpu()
    copied.load_state_dict({name: tensor.float() for name, tensor in _stored(model, dtype).items()})
    return copied.eval()


def checkpoint_info(path: str | Path = MNIST_VIT) -> dict[str, Any]:
    """The metadata of a checkpoint: ``{"config": {...ViT arguments...}, "info": {...recipe, accuracy...}}``."""
    metadata = read_metadata(path, how_to_make=f"train one with `python -m vit_explained.train --out {path}`")
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
