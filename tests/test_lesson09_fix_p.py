"""Lesson 09, fix round p: exercise 3's checker names a my_forward that changes the caller's attn_mask in place
(timm passes one mask to every block), and still accepts a strict signature without **kwargs."""

import pytest
import torch

from tests.test_lesson09_review_m import _forward
from vit_explained.exercises import ExerciseFailed, lesson09


def _causal(scores):
    n = scores.shape[-1]
    return scores.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float("-inf"))


def test_an_in_place_clamp_of_the_mask_is_named():
    right = _forward(causal=_causal)

    def make(attn_obj):
        inner = right(attn_obj)

        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            if attn_mask is not None and attn_mask.is_floating_point():
                attn_mask.clamp_(min=-1e4)  # -inf -> -1e4: the same weights, the caller's mask changed
            return inner(x, attn_mask=attn_mask, is_causal=is_causal, **kwargs)

        return my_forward

    with pytest.raises(ExerciseFailed, match=r"changed the caller's attn_mask in place \(an additive float"):
        lesson09.check_my_forward(make)


def test_the_strict_signature_without_kwargs_passes():
    right = _forward(causal=_causal)

    def make(attn_obj):
        inner = right(attn_obj)

        def my_forward(x, attn_mask=None, is_causal=False):
            return inner(x, attn_mask=attn_mask, is_causal=is_causal)

        return my_forward

    lesson09.check_my_forward(make)


def test_source_of_prints_the_code_without_docstrings_or_initialisation():
    from vit_explained.deit import DeiT, add_special_tokens, source_of

    text = source_of(add_special_tokens, DeiT._make_tokens)
    assert text.startswith("def add_special_tokens(") and "    def _make_tokens(self, dim: int) -> None:" in text
    assert '"""' not in text and "trunc_normal_" not in text and "\n\n    def _make_tokens" in text
