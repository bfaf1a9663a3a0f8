"""Original code, vendored, to check the course's modules against it (see ``t2t_vit/__init__.py``).

:func:`load_original_t2t` imports yitu-opensource/T2T-ViT's ``models/t2t_vit.py`` (commit 0f63dc9) with a
temporary stand-in for the four ``timm`` names it imports; :func:`copy_into_original` copies a
:class:`~vit_explained.t2t.T2TViT`'s weights into the original ``T2T_ViT`` by a key mapping.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import sys
import types

import torch
from torch import nn

#: The commit the files in ``t2t_vit/`` were copied from.
T2T_VIT_COMMIT = "0f63dc9558f4d192de926504dbddfa1b3f5db6ca"


def _no_pretrained(*args, **kwargs):
    raise NotImplementedError("the vendored T2T-ViT code loads no pretrained weights here")


def _stub_modules() -> dict[str, types.ModuleType]:
    """Stand-ins: ``timm.models.layers`` (DropPath, trunc_normal_), ``.registry`` (register_model),
    ``.helpers`` (load_pretrained)."""
    layers = types.ModuleType("timm.models.layers")
    layers.DropPath = nn.Identity  # only built when drop_path > 0, never here
    layers.trunc_normal_ = nn.init.trunc_normal_
    registry = types.ModuleType("timm.models.registry")
    registry.register_model = lambda function: function
    helpers = types.ModuleType("timm.models.helpers")
    helpers.load_pretrained = _no_pretrained
    models = types.ModuleType("timm.models")
    models.layers, models.registry, models.helpers = layers, registry, helpers
    timm = types.ModuleType("timm")
    timm.models = models
    return {"timm": timm, "timm.models": models, "timm.models.layers": layers,
            "timm.models.registry": registry, "timm.models.helpers": helpers}  # fmt: skip


@contextlib.contextmanager
def _timm_stub():
    """Put the stand-in ``timm`` in ``sys.modules`` for the import only, then restore what was there."""
    stubs = _stub_modules()
    saved = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update(stubs)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def load_original_t2t(file: str = "t2t_vit") -> types.ModuleType:
    """One original file as a module: ``"t2t_vit"`` (``T2T_ViT``, ``T2T_module``, ``t2t_vit_t_14``, ...),
    ``"token_transformer"`` (the token ``Attention``, ``Token_transformer``) or ``"transformer_block"``."""
    if file not in ("t2t_vit", "token_transformer", "transformer_block", "token_performer"):
        raise ValueError(f"no vendored file {file!r}")
    name = f"{__name__}.t2t_vit.{file}"
    if name in sys.modules:
        return sys.modules[name]
    with _timm_stub():
        return importlib.import_module(name)


def original_t2t_vit(
    image_size: int,
    *,
    in_channels: int = 3,
    num_classes: int,
    embed_dim: int,
    depth: int,
    heads: int,
    mlp_ratio: float,
    token_dim: int = 64,
    qk_scale: float | None = None,
) -> nn.Module:
    """The original ``T2T_ViT`` with ``tokens_type='transformer'`` (as its ``t2t_vit_t_14``), built from
    :class:`~vit_explained.t2t.T2TViT`'s arguments (square images only: it folds tokens into a sqrt(N) square)."""
    with contextlib.redirect_stdout(io.StringIO()):  # its T2T_module prints 'adopt transformer encoder ...'
        return load_original_t2t().T2T_ViT(
            img_size=image_size, tokens_type="transformer", in_chans=in_channels, num_classes=num_classes,
            embed_dim=embed_dim, depth=depth, num_heads=heads, mlp_ratio=mlp_ratio, qk_scale=qk_scale,
            token_dim=token_dim,
        )  # fmt: skip


def original_key(key: str) -> str:
    """The original ``T2T_ViT``'s name of one of :class:`~vit_explained.t2t.T2TViT`'s state-dict keys."""
    key = re.sub(
        r"^tokens_to_token\.token_transformers\.(\d)\.", lambda m: f"tokens_to_token.attention{int(m[1]) + 1}.", key
    )
    key = re.sub(r"^encoder\.blocks\.", "blocks.", key)
    key = re.sub(r"^encoder\.norm\.", "norm.", key)
    return {"class_token": "cls_token", "pos_embedding": "pos_embed"}.get(key, key)


def copy_into_original(model: nn.Module, original: nn.Module) -> None:
    """Copy ``model``'s (a T2TViT) weights into ``original`` (a ``T2T_ViT``); every key of both must match."""
    mapped = {original_key(key): value for key, value in model.state_dict().items()}
    missing = set(original.state_dict()) ^ set(mapped)
    if missing:
        raise KeyError(f"keys that do not map: {sorted(missing)}")
    with torch.no_grad():
        original.load_state_dict(mapped)
