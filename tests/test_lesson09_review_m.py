"""Lesson 09, review m: exercise 3's checker names a softmax over the queries and a causal mask that hides the
diagonal; the explorer at slice start 1 shows the start-2 map beside it; the prose's numbers are printed."""

import contextlib
import io

import pytest
import torch

from vit_explained.exercises import ExerciseFailed, lesson09


def _forward(softmax_dim=-1, causal=None):
    def make(attn_obj):
        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            B, N, C = x.shape
            heads = attn_obj.num_heads
            q, k, v = attn_obj.qkv(x).reshape(B, N, 3, heads, C // heads).permute(2, 0, 3, 1, 4).unbind(0)
            scores = (q @ k.transpose(-2, -1)) * attn_obj.scale
            if attn_mask is not None and attn_mask.dtype == torch.bool:
                scores = scores.masked_fill(~attn_mask, float("-inf"))
            elif attn_mask is not None:
                scores = scores + attn_mask
            if is_causal:
                if causal is None:
                    raise NotImplementedError("is_causal=True is not supported")
                scores = causal(scores)
            attn = attn_obj.attn_drop(scores.softmax(dim=softmax_dim))
            attn_obj.attn_map = attn.detach()
            attn_obj.cls_attn_map = attn_obj.attn_map[:, :, 0, 2:]
            return attn_obj.proj_drop(attn_obj.proj((attn @ v).transpose(1, 2).reshape(B, N, C)))

        return my_forward

    return make


def _upper(scores, diagonal):
    n = scores.shape[-1]
    return torch.ones(n, n, dtype=torch.bool).triu(diagonal)


def test_ex3_softmax_over_the_queries_is_named():
    with pytest.raises(ExerciseFailed, match="softmax over keys, dim=-1"):
        lesson09.check_my_forward(_forward(softmax_dim=-2))


def test_ex3_minus_1e9_on_the_diagonal_is_named():
    def hides_diagonal(scores):
        return scores.masked_fill(_upper(scores, 0), -1e9)

    with pytest.raises(ExerciseFailed, match="the diagonal: a query reads itself"):
        lesson09.check_my_forward(_forward(causal=hides_diagonal))


def test_ex3_the_right_causal_mask_still_passes():
    def causal(scores):
        return scores.masked_fill(_upper(scores, 1), float("-inf"))

    with contextlib.redirect_stdout(io.StringIO()) as said:
        lesson09.check_my_forward(_forward(causal=causal))
    assert "Correct" in said.getvalue()


def test_the_explorer_at_start_1_draws_the_start_2_map_beside_it_and_keeps_the_warning():
    from vit_explained.data import load_mnist
    from vit_explained.distill import load_mnist_deit
    from vit_explained.widgets.lesson09 import VIEWS, deit_attention_explorer

    data = load_mnist()
    images, labels = data.test_images[:4], data.test_labels[:4]
    w = deit_attention_explorer(load_mnist_deit(), images, labels, view=VIEWS[1], start=1)
    line, fig = w.compute(**w.values)
    title = fig._suptitle.get_text()
    assert line.startswith(title.split("\n")[0]) and "every patch one place late" in title and title.count("\n") <= 2
    panel_titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert sum("1:50] (wrong)" in t for t in panel_titles) == 2 and sum("2:] (right)" in t for t in panel_titles) == 2
    right = deit_attention_explorer(load_mnist_deit(), images, labels, view=VIEWS[1], start=2)
    _, fig2 = right.compute(**right.values)
    assert not any("wrong" in ax.get_title() for ax in fig2.axes)
