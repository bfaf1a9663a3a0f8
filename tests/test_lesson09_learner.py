"""Lesson 09's tests: one learner's ``my_forward`` for exercise 3, with the slips the checker must name.

Several test files build the same explicit-attention ``my_forward`` and change one line; they import it from here
(round 18b: one copy instead of four). This module holds no tests of its own.
"""

from __future__ import annotations

import torch


def learner_forward(
    attn_obj,
    *,
    mask_sign: float = 1.0,
    in_place_not: bool = False,
    store_before_dropout: bool = False,
    detach_values: bool = False,
):
    """A ``my_forward`` closure as a learner writes it; each keyword plants one slip (the defaults: none).

    ``mask_sign=-1`` subtracts a float mask; ``in_place_not`` inverts a boolean mask in place (the caller's
    mask changes); ``store_before_dropout`` stores the weights before ``attn_drop`` (accepted);
    ``detach_values`` detaches ``v`` on the way to the output (no gradient into qkv's values)."""

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        B, N, C = x.shape
        qkv = attn_obj.qkv(x).reshape(B, N, 3, attn_obj.num_heads, C // attn_obj.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q @ k.transpose(-2, -1)) * attn_obj.scale
        if is_causal:
            attn_mask = torch.ones(N, N, dtype=torch.bool).tril()
        if attn_mask is not None and attn_mask.dtype == torch.bool:
            hidden = attn_mask.logical_not_() if in_place_not else ~attn_mask
            attn = attn.masked_fill(hidden, float("-inf"))
        elif attn_mask is not None:
            attn = attn + mask_sign * attn_mask
        attn = attn.softmax(dim=-1)
        before = attn.detach()
        attn = attn_obj.attn_drop(attn)
        attn_obj.attn_map = before if store_before_dropout else attn.detach()
        attn_obj.cls_attn_map = attn_obj.attn_map[:, :, 0, 2:]
        x = (attn @ (v.detach() if detach_values else v)).transpose(1, 2).reshape(B, N, C)
        return attn_obj.proj_drop(attn_obj.proj(x))

    return my_forward
