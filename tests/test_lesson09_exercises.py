"""Lesson 09 checkers: each accepts the reference and 3+ right answers, and rejects 3+ plausible slips."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from einops import rearrange

from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted, lesson09

# --- exercise 1: a special token's map ---------------------------------------------------------------------


def map_reference(weights, query, special_tokens, rows, cols):
    return weights[:, :, query, special_tokens:].reshape(weights.shape[0], weights.shape[1], rows, cols)


def map_einops(weights, query, special_tokens, rows, cols):
    return rearrange(weights[:, :, query, special_tokens:], "b h (r c) -> b h r c", r=rows, c=cols)


def map_numpy_float64(weights, query, special_tokens, rows, cols):
    array = weights.double().numpy()
    return array[:, :, query, special_tokens:].reshape(array.shape[0], array.shape[1], rows, cols)


def map_loops(weights, query, special_tokens, rows, cols):
    out = torch.zeros(weights.shape[0], weights.shape[1], rows, cols)
    for r in range(rows):
        for c in range(cols):
            out[:, :, r, c] = weights[:, :, query, special_tokens + r * cols + c]
    return out


def map_narrow_view(weights, query, special_tokens, rows, cols):
    return weights.select(2, query).narrow(-1, special_tokens, rows * cols).unflatten(-1, (rows, cols))


@pytest.mark.parametrize("answer", [map_reference, map_einops, map_numpy_float64, map_loops, map_narrow_view])
def test_token_map_accepts(answer, capsys):
    assert lesson09.check_token_map(answer) is None
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda w, q, s, r, c: w[:, :, q, 1 : 1 + r * c].reshape(*w.shape[:2], r, c), "special token's column"),
        (
            lambda w, q, s, r, c: (
                w[:, :, q, 2:].reshape(*w.shape[:2], r, c)
                if s == 2
                else w[:, :, q, 1:].reshape(*w.shape[:2], r, c).flip(-1)
            ),
            "differ",
        ),
        (lambda w, q, s, r, c: w[:, :, s:, q].reshape(*w.shape[:2], r, c), "column"),
        (lambda w, q, s, r, c: w[:, :, q, s:].reshape(*w.shape[:2], c, r).transpose(-1, -2), "column by column"),
        (lambda w, q, s, r, c: w[:, :, 0, s:].reshape(*w.shape[:2], r, c), "other special token's row"),
        (lambda w, q, s, r, c: w[:, :, q, s:], "shape"),
    ],
)
def test_token_map_rejects(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_token_map(answer)


def test_token_map_refuses_the_package_and_stub():
    from vit_explained.attention_maps import token_attention

    with pytest.raises(ExerciseFailed, match="yourself"):
        lesson09.check_token_map(lambda w, q, s, r, c: token_attention(w, (r, c), query=q, special_tokens=s))

    def stub(weights, query, special_tokens, rows, cols):
        raise NotImplementedError("your code here")

    with pytest.raises(ExerciseNotAttempted):
        lesson09.check_token_map(stub)


# --- exercise 2: the hard-distillation loss ----------------------------------------------------------------


def loss_reference(class_logits, distillation_logits, labels, teacher_logits):
    return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
        distillation_logits, teacher_logits.argmax(dim=-1)
    )


def loss_by_log_softmax(class_logits, distillation_logits, labels, teacher_logits):
    rows = torch.arange(len(labels))
    top = teacher_logits.max(dim=1).indices
    return (
        -(class_logits.log_softmax(1)[rows, labels].mean() + distillation_logits.log_softmax(1)[rows, top].mean()) / 2
    )


def loss_numpy_float64(class_logits, distillation_logits, labels, teacher_logits):
    def ce(logits, targets):
        logits = logits.double().numpy()
        shifted = logits - logits.max(1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
        return -log_probs[np.arange(len(targets)), targets.numpy()].mean()

    return np.float64(0.5 * ce(class_logits, labels) + 0.5 * ce(distillation_logits, teacher_logits.argmax(-1)))


def loss_nll_sum_over_batch(class_logits, distillation_logits, labels, teacher_logits):
    batch = len(labels)
    teacher_labels = torch.stack([row.argmax() for row in teacher_logits])
    total = F.nll_loss(F.log_softmax(class_logits, -1), labels, reduction="sum")
    total = total + F.nll_loss(F.log_softmax(distillation_logits, -1), teacher_labels, reduction="sum")
    return (total / (2 * batch)).item()  # a Python float


@pytest.mark.parametrize("answer", [loss_reference, loss_by_log_softmax, loss_numpy_float64, loss_nll_sum_over_batch])
def test_hard_distillation_accepts(answer, capsys):
    assert lesson09.check_hard_distillation(answer) is None
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda c, d, y, t: 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, y), "true labels"),
        (lambda c, d, y, t: 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.softmax(-1)), "soft distillation"),
        (lambda c, d, y, t: F.cross_entropy(c, y) + F.cross_entropy(d, t.argmax(-1)), "weight 1"),
        (lambda c, d, y, t: 0.5 * F.cross_entropy(c, t.argmax(-1)) + 0.5 * F.cross_entropy(d, y), "swapped"),
        (lambda c, d, y, t: F.cross_entropy(c, y), "teacher is missing"),
        (
            lambda c, d, y, t: (
                0.5 * F.cross_entropy(c, y, reduction="none") + 0.5 * F.cross_entropy(d, t.argmax(-1), reduction="none")
            ),
            "one number",
        ),
        (lambda c, d, y, t: 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.argmin(-1)), "expected value"),
    ],
)
def test_hard_distillation_rejects(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_hard_distillation(answer)


def test_hard_distillation_refuses_the_package():
    from vit_explained.distill import hard_distillation_loss

    with pytest.raises(ExerciseFailed, match="yourself"):
        lesson09.check_hard_distillation(hard_distillation_loss)


# --- exercise 3: my_forward that survives attn_mask ----------------------------------------------------------


def make_reference(attn_obj):
    def my_forward(x, attn_mask=None):
        B, N, C = x.shape
        qkv = attn_obj.qkv(x).reshape(B, N, 3, attn_obj.num_heads, C // attn_obj.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q @ k.transpose(-2, -1)) * attn_obj.scale
        if attn_mask is not None:
            attn = attn + attn_mask
        attn = attn.softmax(dim=-1)
        attn = attn_obj.attn_drop(attn)
        attn_obj.attn_map = attn
        attn_obj.cls_attn_map = attn[:, :, 0, 2:]
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return attn_obj.proj_drop(attn_obj.proj(x))

    return my_forward


def make_kwargs_einops(attn_obj):
    def my_forward(x, **kwargs):
        q, k, v = rearrange(attn_obj.qkv(x), "b n (three h d) -> three b h n d", three=3, h=attn_obj.num_heads)
        attn = torch.einsum("bhid,bhjd->bhij", q, k).mul(attn_obj.scale).softmax(-1)
        attn_obj.attn_map = attn.detach().clone()
        attn_obj.cls_attn_map = attn_obj.attn_map[..., 0, 2:].numpy()
        return attn_obj.proj(rearrange(attn @ v, "b h n d -> b n (h d)"))

    return my_forward


def make_with_hook_inside(attn_obj):
    """Turn the fused path off and let a hook on attn_drop store the weights; the class forward does the rest."""
    original = type(attn_obj).forward

    def my_forward(x, attn_mask=None):
        seen = []
        handle = attn_obj.attn_drop.register_forward_hook(lambda m, i, out: seen.append(out))
        attn_obj.fused_attn = False
        try:
            out = original(attn_obj, x, attn_mask=attn_mask)
        finally:
            handle.remove()
            attn_obj.fused_attn = True
        attn_obj.attn_map = seen[0]
        attn_obj.cls_attn_map = seen[0][:, :, 0, 2:].double()
        return out

    return my_forward


@pytest.mark.parametrize("answer", [make_reference, make_kwargs_einops, make_with_hook_inside])
def test_my_forward_accepts(answer, capsys):
    assert lesson09.check_my_forward(answer) is None
    assert capsys.readouterr().out.startswith("Correct!")


def one_argument(attn_obj):
    inner = make_reference(attn_obj)

    def my_forward(x):  # the Q&A's signature
        return inner(x)

    return my_forward


def stores(select):
    """A right forward that keeps ``select(attn_map)`` as ``cls_attn_map``: one slip per wrong slice."""

    def make(attn_obj):
        inner = make_reference(attn_obj)

        def my_forward(x, attn_mask=None):
            out = inner(x)
            attn_obj.cls_attn_map = select(attn_obj.attn_map)
            return out

        return my_forward

    return make


keeps_distillation_column = stores(lambda attn: attn[:, :, 0, 1:])
distillation_row = stores(lambda attn: attn[:, :, 1, 2:])


def forgets_proj(attn_obj):
    inner = make_reference(attn_obj)

    def my_forward(x, attn_mask=None):
        inner(x)
        B, N, C = x.shape
        return (
            (attn_obj.attn_map @ attn_obj.qkv(x)[..., 2 * C :].reshape(B, N, attn_obj.num_heads, -1).transpose(1, 2))
            .transpose(1, 2)
            .reshape(B, N, C)
        )

    return my_forward


def stores_nothing(attn_obj):
    inner = make_reference(attn_obj)

    def my_forward(x, attn_mask=None):
        out = inner(x)
        del attn_obj.attn_map
        return out

    return my_forward


def stores_scores(attn_obj):
    def my_forward(x, attn_mask=None):
        B, N, C = x.shape
        q, k, v = attn_obj.qkv(x).reshape(B, N, 3, attn_obj.num_heads, -1).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) * attn_obj.scale
        attn_obj.attn_map = scores  # before the softmax
        attn_obj.cls_attn_map = scores[:, :, 0, 2:]
        return attn_obj.proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(B, N, C))

    return my_forward


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (one_argument, "attn_mask"),
        (keeps_distillation_column, "distillation token's column"),
        (distillation_row, "row 1"),
        (forgets_proj, "output changed"),
        (stores_nothing, "attn_map"),
        (stores_scores, "softmax weights"),
        (lambda attn_obj: None, "return the function"),
    ],
)
def test_my_forward_rejects(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_my_forward(answer)


def test_my_forward_leaves_no_patch_behind():
    from vit_explained.exercises.lesson09 import _TinyTimmModel

    lesson09.check_my_forward(make_reference)
    model = _TinyTimmModel()
    assert "forward" not in vars(model.blocks[-1].attn)
