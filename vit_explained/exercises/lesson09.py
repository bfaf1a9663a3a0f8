"""Checkers for lesson 09 (DeiT's distillation token and the Q&A's ``[:, :, 0, 2:]``).

- :func:`check_token_map`: one special token's attention to the patches, on the patch grid, with
  one special token in front of the patches (a ViT) or two (a distilled DeiT).
- :func:`check_hard_distillation`: DeiT's hard-distillation loss.
- :func:`check_my_forward`: the Q&A's monkey-patch, written so that it survives timm's call
  ``self.attn(x, attn_mask=...)`` and stores the class token's map.

Each checker compares with the package (:func:`vit_explained.attention_maps.token_attention`,
:func:`vit_explained.distill.hard_distillation_loss`, the timm-shaped modules of
:mod:`vit_explained.deit`) and names the likely slip without giving the answer.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..attention_maps import class_token_attention, token_attention
from ..deit import TimmStyleAttention, TimmStyleBlock
from ..distill import hard_distillation_loss
from . import as_tensor, attempt, close, fail, forbid, passed

__all__ = ["check_hard_distillation", "check_my_forward", "check_token_map"]

_NO_TOKEN_HELPERS = forbid(token_attention, class_token_attention, reason="the slice")
_NO_LOSS_HELPER = forbid(hard_distillation_loss, reason="the hard-distillation loss")

#: (batch, heads, rows, cols, special_tokens, query): a ViT's class token, a DeiT's two tokens, non-square grids.
TOKEN_CASES = [
    (2, 3, 2, 3, 1, 0),
    (2, 3, 3, 2, 2, 0),
    (1, 2, 3, 4, 2, 1),
    (3, 4, 4, 3, 2, 1),
    (2, 1, 5, 2, 1, 0),
]


def _weights(batch: int, heads: int, tokens: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.softmax(2 * torch.randn(batch, heads, tokens, tokens, generator=generator), dim=-1)


def check_token_map(answer: Callable[..., Any]) -> None:
    """Check ``answer(weights, query, special_tokens, rows, cols) -> (B, heads, rows, cols)``:
    row ``query`` of ``(B, heads, N, N)`` weights, the ``rows * cols`` patch columns after the
    ``special_tokens`` special ones, laid out row by row on the grid."""
    for seed, (batch, heads, rows, cols, special, query) in enumerate(TOKEN_CASES):
        weights = _weights(batch, heads, special + rows * cols, seed)
        where = f"with {special} special token(s), query {query}, a {rows}x{cols} grid"
        mine = as_tensor(_NO_TOKEN_HELPERS(answer, weights.clone(), query, special, rows, cols), "your map")
        expected = token_attention(weights, (rows, cols), query=query, special_tokens=special)
        if close(mine, expected):
            continue
        if tuple(mine.shape) != tuple(expected.shape):
            fail(f"{where}: expected shape (B, heads, rows, cols) = {tuple(expected.shape)}, got {tuple(mine.shape)}")
        other_row = 1 - query if special == 2 else None
        slips = [
            (weights[..., query, 1 : 1 + rows * cols], "you kept a special token's column: skip every special token"),
            (
                weights[..., query, -rows * cols - 1 : -1],
                "you dropped the last patch and kept a special token's column",
            ),
            (weights[..., special:, query], "you took a column (what the patches read from the token), not its row"),
        ]
        if other_row is not None:
            slips.append((weights[..., other_row, special:], "you took the other special token's row"))
        for values, message in slips:
            if close(mine, values.reshape(*values.shape[:-1], rows, cols)):
                fail(f"{where}: {message}")
        columnwise = expected.transpose(-1, -2).reshape(expected.shape)  # filled column by column
        flat = weights[..., query, special:].reshape(*weights.shape[:2], cols, rows).transpose(-1, -2)
        if close(mine, columnwise) or close(mine, flat):
            fail(f"{where}: the patches are laid out column by column; they were numbered row by row")
        fail(f"{where}: the values differ from the token's attention to the patches")
    passed("you can slice any special token's map out of a ViT's or a DeiT's attention.")


def _logit_cases() -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(9)
    cases = []
    for batch, classes in ((8, 10), (5, 3), (16, 4)):
        class_logits = torch.randn(batch, classes, generator=generator)
        distillation_logits = torch.randn(batch, classes, generator=generator)
        labels = torch.randint(0, classes, (batch,), generator=generator)
        teacher = torch.randn(batch, classes, generator=generator) * 3
        teacher[: batch // 2, :] = -5.0  # for half the batch the teacher agrees with the label ...
        teacher[torch.arange(batch // 2), labels[: batch // 2]] = 5.0  # ... for the rest, it is its own
        cases.append((class_logits, distillation_logits, labels, teacher))
    return cases


def check_hard_distillation(answer: Callable[..., Any]) -> None:
    """Check ``answer(class_logits, distillation_logits, labels, teacher_logits) -> loss`` (a number):
    half the class head's cross-entropy with the labels, half the distillation head's with the
    teacher's argmax."""
    for class_logits, distillation_logits, labels, teacher in _logit_cases():
        inputs = (class_logits.clone(), distillation_logits.clone(), labels.clone(), teacher.clone())
        mine = as_tensor(_NO_LOSS_HELPER(answer, *inputs), "your loss")
        if mine.numel() != 1:
            fail(f"return one number (the batch's mean loss), got a tensor of shape {tuple(mine.shape)}")
        mine = mine.reshape(())
        expected = hard_distillation_loss(class_logits, distillation_logits, labels, teacher)
        if close(mine, expected):
            continue
        ce = F.cross_entropy
        top = teacher.argmax(-1)
        soft = -(teacher.softmax(-1) * distillation_logits.log_softmax(-1)).sum(-1).mean()
        slips = [
            (
                0.5 * ce(class_logits, labels) + 0.5 * ce(distillation_logits, labels),
                "the distillation head learned the true labels; it learns the teacher's choice",
            ),
            (
                0.5 * ce(class_logits, labels) + 0.5 * soft,
                "that is soft distillation (the teacher's probabilities); "
                "hard distillation uses the teacher's argmax as a label",
            ),
            (
                ce(class_logits, labels) + ce(distillation_logits, top),
                "the two terms are added with weight 1 each; DeiT takes half of each",
            ),
            (
                0.5 * ce(class_logits, top) + 0.5 * ce(distillation_logits, labels),
                "the heads are swapped: the class head learns the labels, the distillation head the teacher",
            ),
            (ce(class_logits, labels), "the teacher is missing from your loss"),
            (
                0.5 * ce(class_logits, labels, reduction="sum") + 0.5 * ce(distillation_logits, top, reduction="sum"),
                "you summed over the batch; take the mean",
            ),
        ]
        for value, message in slips:
            if close(mine, value):
                fail(message)
        fail(f"your loss is {mine.item():.4f}, the expected value is different; check each term")
    passed("the class head learns the labels and the distillation head learns the teacher's argmax, half and half.")


class _TinyTimmModel(nn.Module):
    """Two timm-shaped blocks over ``[class, distillation, patches]`` tokens (no embedding needed)."""

    def __init__(self, dim: int = 16, heads: int = 4, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.blocks = nn.ModuleList(
            TimmStyleBlock(
                nn.LayerNorm(dim),
                TimmStyleAttention(dim, heads),
                nn.LayerNorm(dim),
                nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim)),
            )
            for _ in range(2)
        )

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            tokens = block(tokens)  # TimmStyleBlock calls self.attn(norm1(x), attn_mask=None)
        return tokens


def _reference_run(model: _TinyTimmModel, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The model's output on ``tokens`` and its last block's softmax weights ``(B, heads, N, N)``
    (read by a hook on ``attn_drop`` with timm's unfused path)."""
    attn_obj = model.blocks[-1].attn
    with torch.no_grad():
        expected_output = model(tokens)
        attn_obj.fused_attn = False
        weights = []
        handle = attn_obj.attn_drop.register_forward_hook(lambda _m, _i, out: weights.append(out.detach()))
        model(tokens)
        handle.remove()
        attn_obj.fused_attn = True
    return expected_output, weights[0]


def _check_cls_map(cls_map: Any, expected_map: torch.Tensor) -> None:
    """Fail unless ``cls_map`` is the class token's row on the patches, ``expected_map[:, :, 0, 2:]``."""
    if cls_map is None:
        fail("store the class token's map as attn_obj.cls_attn_map")
    expected_cls = expected_map[:, :, 0, 2:]
    if close(cls_map, expected_cls):
        return
    if close(cls_map, expected_map[:, :, 0, 1:]):
        fail("cls_attn_map keeps the distillation token's column: this model has two special tokens")
    if close(cls_map, expected_map[:, :, 1, 2:]):
        fail("cls_attn_map is row 1, the distillation token's; the class token is row 0")
    if close(cls_map, expected_map[:, :, 2:, 0]):
        fail("cls_attn_map is a column (what the patches read from the class token), not the class token's row")
    fail(
        f"cls_attn_map should be (B, heads, patches) = {tuple(expected_cls.shape)}: "
        "the class token's weights on the patches"
    )


def check_my_forward(answer: Callable[[nn.Module], Callable[..., Any]]) -> None:
    """Check ``answer(attn_obj) -> my_forward``, installed as ``attn_obj.forward = my_forward`` on the
    last block of a timm-shaped model with two special tokens: the model's output must not change,
    the block's call ``self.attn(x, attn_mask=None)`` must work, and the function must store
    ``attn_obj.attn_map`` ``(B, heads, N, N)`` and ``attn_obj.cls_attn_map`` (the class token's
    attention to the patches, ``(B, heads, N - 2)``)."""
    model = _TinyTimmModel().eval()
    tokens = torch.randn(3, 2 + 9, 16, generator=torch.Generator().manual_seed(1))
    attn_obj = model.blocks[-1].attn
    expected_output, expected_map = _reference_run(model, tokens)
    my_forward = attempt(answer, attn_obj)
    if not callable(my_forward):
        fail(f"return the function my_forward itself (got a {type(my_forward).__name__})")
    parameters = inspect.signature(my_forward).parameters
    takes_mask = "attn_mask" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    if not takes_mask:
        fail(
            "timm's Block calls self.attn(x, attn_mask=attn_mask): my_forward must accept the keyword "
            "attn_mask (e.g. def my_forward(x, attn_mask=None)), or the call raises TypeError"
        )
    attn_obj.forward = my_forward
    try:
        with torch.no_grad():
            output = attempt(model, tokens)
    finally:
        del attn_obj.forward  # the class's forward again
    if not close(output, expected_output):
        fail(
            "with your my_forward installed the model's output changed: "
            "keep every step of the attention (proj included)"
        )
    stored = getattr(attn_obj, "attn_map", None)
    if stored is None:
        fail("store the weights as attn_obj.attn_map")
    if not close(stored, expected_map):
        shape = tuple(as_tensor(stored).shape)
        fail(
            f"attn_obj.attn_map should be the (B, heads, N, N) = {tuple(expected_map.shape)} "
            f"softmax weights, got shape {shape}"
        )
    _check_cls_map(getattr(attn_obj, "cls_attn_map", None), expected_map)
    for name in ("attn_map", "cls_attn_map"):
        if hasattr(attn_obj, name):
            delattr(attn_obj, name)
    passed("your my_forward survives attn_mask=..., changes nothing and stores both maps.")
