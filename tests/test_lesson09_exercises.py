"""Lesson 09 checkers: each accepts the reference and 3+ right answers, and rejects 3+ plausible slips."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from einops import rearrange

from tests.test_lesson09_learner import learner_forward
from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted, lesson09

# --- exercise 1: a special token's map ---------------------------------------------------------------------


def map_reference(weights, query, special_tokens, rows, cols):
    return weights[:, :, query, special_tokens:].reshape(weights.shape[0], weights.shape[1], rows, cols)


def map_einops(weights, query, special_tokens, rows, cols):
    return rearrange(weights[:, :, query, special_tokens:], "b h (r c) -> b h r c", r=rows, c=cols)


def map_numpy_float64(weights, query, special_tokens, rows, cols):
    array = weights.double().numpy()
    return array[:, :, query, special_tokens:].reshape(array.shape[0], array.shape[1], rows, cols)


def map_list(weights, query, special_tokens, rows, cols):
    return weights[:, :, query, special_tokens:].reshape(*weights.shape[:2], rows, cols).tolist()


def map_loops(weights, query, special_tokens, rows, cols):
    out = torch.zeros(weights.shape[0], weights.shape[1], rows, cols, dtype=weights.dtype)
    for r in range(rows):
        for c in range(cols):
            out[:, :, r, c] = weights[:, :, query, special_tokens + r * cols + c]
    return out


def map_narrow_view(weights, query, special_tokens, rows, cols):
    return weights.select(2, query).narrow(-1, special_tokens, rows * cols).unflatten(-1, (rows, cols))


def map_copy(weights, query, special_tokens, rows, cols):
    copy = weights.clone()  # keeps the weights' dtype
    copy[..., :special_tokens] = 0  # changes the copy only
    return copy[:, :, query, special_tokens:].reshape(*weights.shape[:2], rows, cols)


@pytest.mark.parametrize("answer", [map_reference, map_einops, map_copy, map_loops, map_narrow_view])
def test_token_map_accepts(answer, capsys):
    assert lesson09.check_token_map(answer) is None
    assert capsys.readouterr().out.startswith("Correct!")


def map_in_place(weights, query, special_tokens, rows, cols):
    weights[..., :special_tokens] = 0  # the caller's weights, changed
    return weights[:, :, query, special_tokens:].reshape(*weights.shape[:2], rows, cols)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (map_numpy_float64, "returned a numpy.ndarray, not a torch tensor.*torch.as_tensor"),
        (map_list, "returned a builtins.list, not a torch tensor.*torch.as_tensor"),  # review r28c: not from_numpy
        (map_in_place, "changed the weights it was given, in place"),
    ],
)
def test_token_map_names_numpy_and_in_place(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_token_map(answer)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            lambda w, q, s, r, c: w[:, :, q, 1 : 1 + r * c].reshape(*w.shape[:2], r, c),
            "argument special_tokens decides where the patches start",
        ),
        # the lesson's central slip: the Q&A's slice copied as is, for a ViT and a DeiT alike
        (
            lambda w, q, s, r, c: w[:, :, q, 2:].reshape(*w.shape[:2], r, c),
            "keeps 5 columns, not the 6 patches.*special_tokens",
        ),
        (
            lambda w, q, s, r, c: w[:, :, q, 1:].reshape(*w.shape[:2], r, c),
            "keeps 7 columns, not the 6 patches.*special_tokens",
        ),
        (
            lambda w, q, s, r, c: w[:, :, q, -r * c - 1 : -1].reshape(*w.shape[:2], r, c),
            "argument special_tokens decides where the patches start",
        ),
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
        (lambda w, q, s, r, c: w[:, :, 0, s:].reshape(*w.shape[:2], r, c), "use the `query` argument"),
        (
            lambda w, q, s, r, c: w[:, :, 1 - q if s == 2 else q, s:].reshape(*w.shape[:2], r, c),
            "other special token's row",
        ),
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


def loss_float64_one_hot(class_logits, distillation_logits, labels, teacher_logits):
    """float64, one-hot targets and a sum over classes: a tensor that keeps the gradient."""
    classes = class_logits.shape[1]
    targets = (F.one_hot(labels, classes).double(), F.one_hot(teacher_logits.argmax(1), classes).double())
    logits = (class_logits.double(), distillation_logits.double())
    return sum(-(t * z.log_softmax(1)).sum(1).mean() for t, z in zip(targets, logits, strict=True)) / 2


def loss_nll_sum_over_batch(class_logits, distillation_logits, labels, teacher_logits):
    batch = len(labels)
    teacher_labels = torch.stack([row.argmax() for row in teacher_logits])
    total = F.nll_loss(F.log_softmax(class_logits, -1), labels, reduction="sum")
    total = total + F.nll_loss(F.log_softmax(distillation_logits, -1), teacher_labels, reduction="sum")
    return total / (2 * batch)


def loss_as_python_float(class_logits, distillation_logits, labels, teacher_logits):
    return loss_reference(class_logits, distillation_logits, labels, teacher_logits).item()


def loss_detached(class_logits, distillation_logits, labels, teacher_logits):
    return loss_reference(class_logits, distillation_logits, labels, teacher_logits).detach()


def loss_smoothed(smoothing, on_class=True, on_distillation=True):
    def loss(class_logits, distillation_logits, labels, teacher_logits):
        first = F.cross_entropy(class_logits, labels, label_smoothing=smoothing if on_class else 0.0)
        top = teacher_logits.argmax(-1)
        second = F.cross_entropy(distillation_logits, top, label_smoothing=smoothing * on_distillation)
        return 0.5 * first + 0.5 * second

    return loss


def deit_soft_loss(tau, batchmean=False):
    """DeiT's soft distillation (facebookresearch/deit losses.py): KL on log-probabilities at temperature tau,
    times tau squared, divided by numel (the repository's choice) or by the batch."""

    def loss(class_logits, distillation_logits, labels, teacher_logits):
        kl = F.kl_div(
            F.log_softmax(distillation_logits / tau, dim=1),
            F.log_softmax(teacher_logits / tau, dim=1),
            reduction="batchmean" if batchmean else "sum",
            log_target=True,
        )
        kl = kl * tau * tau if batchmean else kl * tau * tau / distillation_logits.numel()
        return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * kl

    return loss


@pytest.mark.parametrize("answer", [loss_reference, loss_by_log_softmax, loss_float64_one_hot, loss_nll_sum_over_batch])
def test_hard_distillation_accepts(answer, capsys):
    assert lesson09.check_hard_distillation(answer) is None
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda c, d, y, t: 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, y), "true labels"),
        (lambda c, d, y, t: 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.softmax(-1)), "soft distillation"),
        (deit_soft_loss(tau=1.0), "soft distillation.*tau squared"),
        (deit_soft_loss(tau=3.0), "soft distillation.*tau squared"),
        (deit_soft_loss(tau=2.5), "soft distillation.*argmax stays the same"),
        (deit_soft_loss(tau=7.0, batchmean=True), "soft distillation.*argmax stays the same"),
        (loss_smoothed(0.1), r"label smoothing \(0.1\)"),
        (loss_smoothed(0.1, on_distillation=False), r"label smoothing \(0.1\)"),
        (loss_smoothed(0.2, on_class=False), r"label smoothing \(0.2\)"),
        (loss_as_python_float, "value is right, but your loss is a float"),
        (loss_numpy_float64, "raised RuntimeError.*a loss must stay a torch tensor"),
        (loss_detached, "value is right, but your loss is detached"),
        (deit_soft_loss(tau=2.0, batchmean=True), "soft distillation.*tau squared"),
        (lambda c, d, y, t: F.cross_entropy(c, y) + F.cross_entropy(d, t.argmax(-1)), "weight 1"),
        (lambda c, d, y, t: 0.5 * F.cross_entropy(c, t.argmax(-1)) + 0.5 * F.cross_entropy(d, y), "swapped"),
        (lambda c, d, y, t: F.cross_entropy(c, y), "teacher is missing"),
        (
            lambda c, d, y, t: (
                0.5 * F.cross_entropy(c, y, reduction="none") + 0.5 * F.cross_entropy(d, t.argmax(-1), reduction="none")
            ),
            "one number",
        ),
        (
            lambda c, d, y, t: 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.argmin(-1)),
            "not the teacher.s choice",
        ),
    ],
)
def test_hard_distillation_rejects(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_hard_distillation(answer)


def test_hard_distillation_refuses_the_package():
    from vit_explained.distill import hard_distillation_loss

    with pytest.raises(ExerciseFailed, match="yourself"):
        lesson09.check_hard_distillation(hard_distillation_loss)


# --- exercise 3: my_forward that survives attn_mask and is_causal ------------------------------------------


def make_reference(attn_obj):
    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        B, N, C = x.shape
        qkv = attn_obj.qkv(x).reshape(B, N, 3, attn_obj.num_heads, C // attn_obj.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q @ k.transpose(-2, -1)) * attn_obj.scale
        if is_causal:  # as SDPA: each query reads itself and the tokens before it
            attn_mask = torch.ones(N, N, dtype=torch.bool, device=x.device).tril()
        if attn_mask is not None and attn_mask.dtype == torch.bool:  # True = may attend
            attn = attn.masked_fill(~attn_mask, float("-inf"))
        elif attn_mask is not None:
            attn = attn + attn_mask
        attn = attn.softmax(dim=-1)
        attn = attn_obj.attn_drop(attn)
        attn_obj.attn_map = attn.detach()
        attn_obj.cls_attn_map = attn_obj.attn_map[:, :, 0, 2:]
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return attn_obj.proj_drop(attn_obj.proj(x))

    return my_forward


def make_kwargs_einops(attn_obj):
    """Only **kwargs; refuses is_causal=True with a clear error; a boolean mask via torch.where."""

    def my_forward(x, **kwargs):
        if kwargs.get("is_causal"):
            raise NotImplementedError("my_forward does not implement is_causal=True")
        mask = kwargs.get("attn_mask")
        q, k, v = rearrange(attn_obj.qkv(x), "b n (three h d) -> three b h n d", three=3, h=attn_obj.num_heads)
        scores = torch.einsum("bhid,bhjd->bhij", q, k).mul(attn_obj.scale)
        if mask is not None and mask.dtype == torch.bool:
            mask = torch.where(mask, 0.0, float("-inf"))
        attn = F.dropout(
            (scores if mask is None else scores + mask).softmax(-1), attn_obj.attn_drop.p, attn_obj.training
        )
        attn_obj.attn_map = attn.detach().clone()
        attn_obj.cls_attn_map = attn_obj.attn_map[..., 0, 2:].numpy()
        return attn_obj.proj_drop(attn_obj.proj(rearrange(attn @ v, "b h n d -> b n (h d)")))

    return my_forward


def make_with_hook_inside(attn_obj):
    """Turn the fused path off and let a hook on attn_drop store the weights; the class forward does the rest."""
    original = type(attn_obj).forward

    def my_forward(x, attn_mask=None, **kwargs):
        seen = []
        handle = attn_obj.attn_drop.register_forward_hook(lambda m, i, out: seen.append(out))
        attn_obj.fused_attn = False
        try:
            out = original(attn_obj, x, attn_mask=attn_mask, **kwargs)
        finally:
            handle.remove()
            attn_obj.fused_attn = True
        attn_obj.attn_map = seen[0].detach()
        attn_obj.cls_attn_map = seen[0].detach()[:, :, 0, 2:].double()
        return out

    return my_forward


def make_float64_loops(attn_obj):
    """float64 weights, heads one by one, a boolean mask by masked_fill; is_causal refused with ValueError."""

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if is_causal:
            raise ValueError("is_causal=True is not supported here")
        C = x.shape[-1]
        heads = attn_obj.num_heads
        d = C // heads
        q, k, v = attn_obj.qkv(x).double().split(C, dim=-1)
        maps = []
        for h in range(heads):
            qh, kh = (t[..., h * d : (h + 1) * d] for t in (q, k))
            scores = qh @ kh.transpose(-2, -1) * float(attn_obj.scale)
            if attn_mask is not None:
                mask = attn_mask[:, 0] if attn_mask.dim() == 4 else attn_mask
                if mask.dtype == torch.bool:
                    scores = scores.masked_fill(~mask, float("-inf"))
                else:
                    scores = scores + mask.double()
            maps.append(scores.softmax(-1))
        weights = attn_obj.attn_drop(torch.stack(maps, dim=1).float()).double()  # one draw over all heads, as timm
        outs = [weights[:, h] @ v[..., h * d : (h + 1) * d] for h in range(heads)]
        with torch.no_grad():  # stored without the graph
            attn_obj.attn_map = weights.clone()
            attn_obj.cls_attn_map = attn_obj.attn_map[:, :, 0, 2:]
        return attn_obj.proj_drop(attn_obj.proj(torch.cat(outs, dim=-1).float()))

    return my_forward


@pytest.mark.parametrize("answer", [make_reference, make_kwargs_einops, make_with_hook_inside, make_float64_loops])
def test_my_forward_accepts(answer, capsys):
    assert lesson09.check_my_forward(answer) is None
    assert capsys.readouterr().out.startswith("Correct!")


def with_signature(signature):
    """The reference's computation behind another signature (the Q&A's, or ones without **kwargs)."""

    def make(attn_obj):
        inner = make_reference(attn_obj)
        if signature == "x":

            def my_forward(x):  # the Q&A's signature
                return inner(x)

        elif signature == "strict":

            def my_forward(x, attn_mask=None, is_causal=False):  # both keywords, TypeError on any other
                return inner(x, attn_mask=attn_mask, is_causal=is_causal)

        else:

            def my_forward(x, attn_mask=None):  # works on timm 1.0.16-1.0.25 only
                return inner(x, attn_mask=attn_mask)

        return my_forward

    return make


def test_my_forward_accepts_both_keywords_without_kwargs(capsys):
    """(x, attn_mask=None, is_causal=False) takes everything timm 1.0.26's Block passes: the stricter answer."""
    assert lesson09.check_my_forward(with_signature("strict")) is None
    assert capsys.readouterr().out.startswith("Correct!")


def slip(transform=None, **options):
    """A my_forward with one step done wrong (the checker's own variants), storing the weights it used."""

    def make(attn_obj):
        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            if options.get("mask") == "ignored":
                attn_mask = None
            B, N, C = x.shape
            q, k, v = attn_obj.qkv(x).reshape(B, N, 3, attn_obj.num_heads, -1).permute(2, 0, 3, 1, 4)
            widths = {"width": C**-0.5, "fixed": 64**-0.5}  # review r27d minor 8: ViT-B's head width hard-coded
            scale = widths.get(options.get("scale"), attn_obj.scale)
            scores = q @ k.transpose(-2, -1) * scale
            if attn_mask is not None:
                if options.get("mask") == "added":
                    scores = scores + attn_mask
                elif attn_mask.dtype == torch.bool:
                    keep = ~attn_mask if options.get("mask") == "inverted" else attn_mask
                    scores = scores.masked_fill(~keep, float("-inf"))
                else:
                    scores = scores + attn_mask
            attn = scores.softmax(-1)
            attn_obj.attn_map = attn
            attn_obj.cls_attn_map = attn[:, :, 0, 2:]
            out = attn @ v
            out = out.reshape(B, N, C) if options.get("merge") is False else out.transpose(1, 2).reshape(B, N, C)
            return out if options.get("proj") is False else attn_obj.proj(out)

        if transform is None:
            return my_forward
        return transform(attn_obj, my_forward)

    return make


def ignores_is_causal(attn_obj, inner):
    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        return inner(x, attn_mask=attn_mask)  # is_causal swallowed by **kwargs

    return my_forward


def stores(select):
    """A right forward that keeps ``select(attn_map)`` as ``cls_attn_map``: one slip per wrong slice."""

    def keep(attn_obj, inner):
        def my_forward(x, attn_mask=None, **kwargs):
            out = inner(x, attn_mask=attn_mask, **kwargs)
            attn_obj.cls_attn_map = select(attn_obj.attn_map)
            return out

        return my_forward

    return slip(keep)


def stores_nothing(attn_obj, inner):
    def my_forward(x, attn_mask=None, **kwargs):
        out = inner(x, attn_mask=attn_mask, **kwargs)
        del attn_obj.attn_map
        return out

    return my_forward


def stores_scores(attn_obj):
    def my_forward(x, attn_mask=None, **kwargs):
        B, N, C = x.shape
        q, k, v = attn_obj.qkv(x).reshape(B, N, 3, attn_obj.num_heads, -1).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) * attn_obj.scale
        if attn_mask is not None:
            scores = (
                scores.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool else scores + attn_mask
            )
        attn_obj.attn_map = scores  # before the softmax
        attn_obj.cls_attn_map = scores[:, :, 0, 2:]
        return attn_obj.proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(B, N, C))

    return my_forward


def raises_type_error(attn_obj):
    def my_forward(x, attn_mask=None, **kwargs):
        return attn_obj.proj(x, attn_mask)  # nn.Linear takes one input

    return my_forward


def float_mask_as(kind):
    """The reference, except that a float attn_mask is read as a boolean one (or only its -inf entries kept)."""

    def make(attn_obj):
        inner = make_reference(attn_obj)

        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            if attn_mask is not None and attn_mask.dtype != torch.bool:
                attn_mask = attn_mask.bool() if kind == "bool" else attn_mask != float("-inf")
            return inner(x, attn_mask=attn_mask, is_causal=is_causal)

        return my_forward

    return make


def causal_path_raises(error):
    """The reference, except that is_causal=True raises ``error``."""

    def make(attn_obj):
        inner = make_reference(attn_obj)

        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            if is_causal:
                raise error
            return inner(x, attn_mask=attn_mask)

        return my_forward

    return make


def causal_path_name_error(attn_obj):
    inner = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if is_causal:
            attn_mask = torch.ones(N, N, dtype=torch.bool).tril()  # noqa: F821 (N never defined: the slip)
        return inner(x, attn_mask=attn_mask)

    return my_forward


def returns_weights_too(attn_obj):
    inner = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, **kwargs):
        out = inner(x, attn_mask=attn_mask, **kwargs)
        return out, attn_obj.attn_map

    return my_forward


def my_forward_itself(x, attn_mask=None, is_causal=False, **kwargs):  # passed instead of make_my_forward
    raise AssertionError("never called")


def my_forward_qa_itself(x):  # the Q&A's one-argument closure, passed instead of the factory
    raise AssertionError("never called")


@pytest.mark.parametrize(
    "error",
    [
        NotImplementedError("is_causal=True is not supported"),
        ValueError("causal attention is not implemented"),
        TypeError("is_causal must be False here"),
        AssertionError("no causal masks"),
    ],
)
def test_my_forward_accepts_a_clear_refusal_of_is_causal(error, capsys):
    lesson09.check_my_forward(causal_path_raises(error))
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (with_signature("x"), "1.0.16 on.*takes only x raises TypeError"),  # round 18a: no fixed signature
        (float_mask_as("bool"), "turns the float attn_mask into a boolean one"),
        (float_mask_as("inf"), "keeps only the -inf entries"),
        (causal_path_name_error, "is_causal=True your my_forward raised NameError.*bug on the is_causal path"),
        (causal_path_raises(ZeroDivisionError("division by zero")), "raised ZeroDivisionError.*not a refusal"),
        (causal_path_raises(ValueError("shapes do not match")), "raised ValueError.*say what it refuses"),
        (returns_weights_too, "returns a tuple of 2.*return only the output tensor"),
        (my_forward_itself, r"pass make_full_forward.*not my_forward itself.*check_my_forward\(make_full_forward\)"),
        (my_forward_qa_itself, "pass make_full_forward.*not my_forward itself"),
        (with_signature("attn_mask"), "not is_causal.*1.0.26.*raises TypeError there"),
        (slip(mask="ignored"), "additive float attn_mask: your my_forward ignores the mask"),
        (slip(mask="added"), "boolean attn_mask is not a number to add"),
        (slip(mask="inverted"), "boolean mask is inverted"),
        (slip(merge=False), "heads are not merged back.*transpose\\(1, 2\\)"),
        (slip(scale="width"), "C \\*\\* -0.5, the token width"),
        (slip(scale="fixed"), "use attn_obj.scale, not a fixed head width"),
        (slip(proj=False), "skips attn_obj.proj"),
        (slip(ignores_is_causal), "is_causal=True.*silently attends to every token"),
        (stores(lambda attn: attn[:, :, 0, 1:]), "distillation token's column"),
        (stores(lambda attn: attn[:, :, 1, 2:]), "row 1"),
        (slip(stores_nothing), "attn_obj.attn_map"),
        (stores_scores, "softmax weights"),
        (raises_type_error, "your function raised TypeError"),
        (lambda attn_obj: None, "return the function"),
    ],
)
def test_my_forward_rejects(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_my_forward(answer)


def test_my_forward_tries_other_sizes_when_asked():
    """The graded copy's hidden part calls the checker with other (dim, heads, patches)."""
    hard_coded_scale = slip(lambda attn_obj, inner: inner)  # the reference computation ...

    def scale_for_head_width_4(attn_obj):
        attn_obj.scale = 0.5  # ... with head_dim 4's scale hard-coded
        return hard_coded_scale(attn_obj)

    with pytest.raises(ExerciseFailed):
        lesson09.check_my_forward(scale_for_head_width_4, sizes=((20, 5, 12),))
    lesson09.check_my_forward(make_reference, sizes=((20, 5, 12), (36, 6, 4), (8, 1, 5)))


def test_my_forward_leaves_no_patch_behind():
    from vit_explained.exercises.lesson09 import _TinyTimmModel

    lesson09.check_my_forward(make_reference)
    model = _TinyTimmModel()
    assert "forward" not in vars(model.blocks[-1].attn)


def make_not_detached(attn_obj):
    """The Q&A's habit: stores attn itself, which keeps the autograd graph alive outside torch.no_grad()."""
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        out = reference(x, attn_mask=attn_mask, is_causal=is_causal, **kwargs)
        B, N, C = x.shape
        qkv = attn_obj.qkv(x).reshape(B, N, 3, attn_obj.num_heads, C // attn_obj.num_heads).permute(2, 0, 3, 1, 4)
        q, k, _ = qkv.unbind(0)
        scores = (q @ k.transpose(-2, -1)) * attn_obj.scale
        if not torch.is_grad_enabled() or attn_mask is not None or is_causal:
            return out  # right maps (stored by the reference) whenever the checker runs without autograd
        attn_obj.attn_map = scores.softmax(-1)  # not detached
        attn_obj.cls_attn_map = attn_obj.attn_map[:, :, 0, 2:]
        return out

    return my_forward


def test_my_forward_names_a_map_that_keeps_the_graph():
    with pytest.raises(ExerciseFailed, match=r"attn_obj.attn_map keeps the autograd graph.*attn.detach\(\)"):
        lesson09.check_my_forward(make_not_detached)


# --- review round: refusals, named slips -------------------------------------------------------------------


def _raises(message):
    def answer(*args, **kwargs):
        raise NotImplementedError(message)

    return answer


@pytest.mark.parametrize("message", ["your code here", ""])
def test_the_stub_is_not_yet_attempted(message):
    for check in (lesson09.check_token_map, lesson09.check_hard_distillation):
        with pytest.raises(ExerciseNotAttempted, match="not done yet"):
            check(_raises(message))


def test_a_deliberate_not_implemented_error_is_a_refusal():
    with pytest.raises(ExerciseFailed, match=r"raised NotImplementedError: only DeiTs.*refusal"):
        lesson09.check_token_map(_raises("only DeiTs"))
    with pytest.raises(ExerciseFailed, match=r"raised NotImplementedError: no soft labels.*refusal"):
        lesson09.check_hard_distillation(_raises("no soft labels"))


def make_lesson_fix(attn_obj):
    """The lesson's cell-41 fix: additive float masks only, boolean masks and is_causal=True refused."""
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if is_causal or (attn_mask is not None and attn_mask.dtype == torch.bool):
            raise NotImplementedError(
                "this my_forward takes additive float masks only: no is_causal=True, no boolean mask"
            )
        return reference(x, attn_mask=attn_mask, is_causal=is_causal)

    return my_forward


def test_my_forward_names_a_refused_boolean_mask():
    message = r"boolean attn_mask.*refuses boolean masks; exercise 3b applies boolean masks"
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_my_forward(make_lesson_fix)


def test_my_forward_stub_is_not_yet_attempted():
    with pytest.raises(ExerciseNotAttempted, match="not done yet"):
        lesson09.check_my_forward(lambda attn_obj: _raises("your code here"))


def make_nonzero_hidden(attn_obj):
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if attn_mask is not None and attn_mask.dtype != torch.bool:
            attn_mask = attn_mask == 0  # a float mask read as "hide where nonzero"
        return reference(x, attn_mask=attn_mask, is_causal=is_causal)

    return my_forward


def test_my_forward_names_a_float_mask_read_as_hide_where_nonzero():
    with pytest.raises(ExerciseFailed, match="hides every key where the float attn_mask is nonzero"):
        lesson09.check_my_forward(make_nonzero_hidden)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            lambda w, q, s, r, c: w[:, :, q, s:].reshape(*w.shape[:2], r, c).mean(1),
            "averaged the heads",
        ),
        (
            lambda w, q, s, r, c: (lambda m: m / m.sum((-2, -1), keepdim=True))(
                w[:, :, q, s:].reshape(*w.shape[:2], r, c)
            ),
            "re-normalised over the patches",
        ),
    ],
)
def test_token_map_names_review_slips(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_token_map(answer)


def _softmax_first(c, d, y, t):
    return 0.5 * F.cross_entropy(c.softmax(-1), y) + 0.5 * F.cross_entropy(d.softmax(-1), t.argmax(-1))


def _nll_on_logits(c, d, y, t):
    return 0.5 * F.nll_loss(c, y) + 0.5 * F.nll_loss(d, t.argmax(-1))


def _mse_to_teacher(c, d, y, t):
    return 0.5 * F.cross_entropy(c, y) + 0.5 * F.mse_loss(d, t)


def _shape_bug(c, d, y, t):
    return 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t)[None].expand(3, 2).matmul(torch.ones(4))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (_softmax_first, "softmax before F.cross_entropy"),
        (_nll_on_logits, "nll_loss expects log-probabilities"),
        (_mse_to_teacher, "mean squared error to the teacher's logits"),
        (loss_smoothed(0.1), "asks for the plain form.*DeiT's own code smooths and mixes the true-label term"),
    ],
)
def test_hard_distillation_names_review_slips(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_hard_distillation(answer)


def test_hard_distillation_shape_error_has_no_gradient_hint():
    with pytest.raises(ExerciseFailed) as failure:
        lesson09.check_hard_distillation(_shape_bug)
    assert "raised RuntimeError" in str(failure.value) and "gradient" not in str(failure.value)


# --- fix round 3: the slips the third review named ----------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda w, q, s, r, c: w[:, :, :, q].reshape(*w.shape[:2], r, c), r"whole column w\[:, :, :, 0\]"),
        (lambda w, q, s, r, c: w[..., q].reshape(*w.shape[:2], r, c), r"whole column w\[:, :, :, 0\]"),
        (lambda w, q, s, r, c: w[:, :, :, q], "whole column"),
        (lambda w, q, s, r, c: w[:, :, q, :].reshape(*w.shape[:2], r, c), "whole row.*special_tokens"),
        (lambda w, q, s, r, c: w[:, :, q], "whole row"),
    ],
)
def test_token_map_names_a_whole_row_or_column(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_token_map(answer)


def _averaged_heads(c, d, y, t):
    return F.cross_entropy((c + d) / 2, y)


def _averaged_heads_both_targets(c, d, y, t):
    return 0.5 * F.cross_entropy((c + d) / 2, y) + 0.5 * F.cross_entropy((c + d) / 2, t.argmax(-1))


def _weighted(weight):
    return lambda c, d, y, t: weight * F.cross_entropy(c, y) + (1 - weight) * F.cross_entropy(d, t.argmax(-1))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (_averaged_heads, "both heads averaged before the loss: the teacher is never read"),
        (_averaged_heads_both_targets, "averaged the two heads' logits before the loss"),
        (
            lambda c, d, y, t: 0.5 * F.cross_entropy(c, t.argmax(-1)) + 0.5 * F.cross_entropy(d, t.argmax(-1)),
            "both heads learned the teacher's argmax",
        ),
        (_weighted(0.1), r"weighted 0.1 \(class head\) and 0.9"),
        (_weighted(0.9), r"weighted 0.9 \(class head\) and 0.1"),
        (_weighted(0.25), r"weighted 0.25 \(class head\) and 0.75"),
        (lambda c, d, y, t: F.cross_entropy(d, t.argmax(-1)), "true labels are missing"),
        (
            lambda c, d, y, t: 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, d.argmax(-1)),
            "never reads the teacher",
        ),
    ],
)
def test_hard_distillation_names_round3_slips(answer, message):
    with pytest.raises(ExerciseFailed, match=message) as failure:
        lesson09.check_hard_distillation(answer)
    assert "soft distillation" not in str(failure.value)


def test_soft_distillation_is_named_only_when_the_loss_reads_the_teacher_beyond_its_argmax():
    """A chance match with one of the soft losses is not enough: the rescaling probe must agree."""
    with pytest.raises(ExerciseFailed, match="teacher is never read"):
        lesson09.check_hard_distillation(_averaged_heads)
    with pytest.raises(ExerciseFailed, match=r"soft distillation.*argmax stays the same"):
        lesson09.check_hard_distillation(
            lambda c, d, y, t: 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, (t / 1.7).softmax(-1))
        )


def test_my_forward_names_scores_stored_before_the_softmax():
    with pytest.raises(ExerciseFailed, match="scores before the softmax"):
        lesson09.check_my_forward(stores_scores)


# --- fix round 4 --------------------------------------------------------------------------------------------


def _mse_on_probabilities(weight, reduction="mean"):
    def loss(c, d, y, t):
        return weight * F.cross_entropy(c, y) + weight * F.mse_loss(d.softmax(-1), t.softmax(-1), reduction=reduction)

    return loss


@pytest.mark.parametrize(
    "answer", [_mse_on_probabilities(0.5), _mse_on_probabilities(1.0), _mse_on_probabilities(0.5, "sum")]
)
def test_an_mse_on_probabilities_is_not_called_deits_soft_distillation(answer):
    """One of these came within 3e-5 of a soft variant on one batch: DeiT's name needs a match on every case."""
    with pytest.raises(ExerciseFailed, match="reads the teacher's probabilities, as soft distillation does") as failure:
        lesson09.check_hard_distillation(answer)
    assert "that is DeiT's soft distillation" not in str(failure.value)


@pytest.mark.parametrize("tau", [1.0, 3.0, 10.0])
def test_deits_soft_distillation_is_named_on_every_case(tau):
    with pytest.raises(ExerciseFailed, match="that is DeiT's soft distillation"):
        lesson09.check_hard_distillation(deit_soft_loss(tau=tau))


@pytest.mark.parametrize(
    "answer",
    [
        lambda c, d, y, t: 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.argmax(0)),
        lambda c, d, y, t: 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.argmax(dim=0)),
        lambda c, d, y, t: 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, t.max(0).indices),
    ],
)
def test_hard_distillation_names_the_argmax_axis(answer):
    with pytest.raises(ExerciseFailed, match=r"argmax over dim 0, the batch axis.*over the classes, the last axis"):
        lesson09.check_hard_distillation(answer)


@pytest.mark.parametrize(
    "answer",
    [
        lambda w, q, s, r, c: w[:, :, q, s - 1 : -1].reshape(*w.shape[:2], r, c),
        lambda w, q, s, r, c: w[..., q, s - 1 : s - 1 + r * c].reshape(w.shape[0], w.shape[1], r, c),
        lambda w, q, s, r, c: torch.stack([w[:, :, q, s - 1 + i * c : s - 1 + (i + 1) * c] for i in range(r)], dim=2),
    ],
)
def test_token_map_names_a_slice_one_column_too_early(answer):
    with pytest.raises(ExerciseFailed, match="starts one column too early") as failure:
        lesson09.check_token_map(answer)
    assert "hard-coded" not in str(failure.value)


@pytest.mark.parametrize(
    "answer",
    [
        lambda w, q, s, r, c: w[:, :, q, s:-1].reshape(*w.shape[:2], r, c),
        lambda w, q, s, r, c: w[:, :, q, s:-2].reshape(*w.shape[:2], r, c),
    ],
)
def test_token_map_names_a_slice_that_stops_early(answer):
    # review r32b minor 1: the start is right and the end cut, so the message says so (not where the patches start)
    with pytest.raises(ExerciseFailed, match=r"starts at the first patch \(column 1\) but stops early") as failure:
        lesson09.check_token_map(answer)
    assert "decides where the patches start" not in str(failure.value)
    # review r34e minor 1: it names the slip without the answer's line
    assert "special_tokens:]" not in str(failure.value) and "on to the end of the row" in str(failure.value)


# --- fix round 5: three more named slips ----------------------------------------------------------------


def map_square_from_sqrt(weights, query, special_tokens, rows, cols):
    side = int((weights.shape[-1] - special_tokens) ** 0.5)  # assumes a square grid
    return weights[:, :, query, special_tokens:].reshape(weights.shape[0], weights.shape[1], side, side)


def map_side_from_sqrt_rest_inferred(weights, query, special_tokens, rows, cols):
    side = round((weights.shape[-1] - special_tokens) ** 0.5)
    return weights[:, :, query, special_tokens:].reshape(weights.shape[0], weights.shape[1], side, -1)


@pytest.mark.parametrize("answer", [map_square_from_sqrt, map_side_from_sqrt_rest_inferred])
def test_token_map_names_a_grid_from_sqrt(answer):
    with pytest.raises(ExerciseFailed, match=r"right 6 patches.*Use rows, cols, not sqrt"):
        lesson09.check_token_map(answer)


def map_rows_cols_swapped(weights, query, special_tokens, rows, cols):
    return weights[:, :, query, special_tokens:].reshape(weights.shape[0], weights.shape[1], cols, rows)


def test_token_map_names_rows_and_cols_swapped():  # review r28a minor 7: the transpose is named as such
    with pytest.raises(ExerciseFailed, match=r"right 6 patches.*rows and cols swapped"):
        lesson09.check_token_map(map_rows_cols_swapped)


def loss_max_values(class_logits, distillation_logits, labels, teacher_logits):
    return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
        distillation_logits, teacher_logits.max(-1)[0]
    )


def loss_max_values_long(class_logits, distillation_logits, labels, teacher_logits):
    return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
        distillation_logits, teacher_logits.max(-1).values.long()
    )


@pytest.mark.parametrize("answer", [loss_max_values, loss_max_values_long])
def test_hard_distillation_names_max_values_not_indices(answer):
    with pytest.raises(ExerciseFailed, match=r"max\(-1\)\[0\].*the indices, not the values"):
        lesson09.check_hard_distillation(answer)


def make_reversed_causal(attn_obj):
    """The reference, with the causal mask the wrong way round (triu kept: each query reads the tokens after it)."""
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if is_causal:
            tokens = x.shape[1]
            attn_mask = torch.ones(tokens, tokens, dtype=torch.bool).triu()
        return reference(x, attn_mask=attn_mask, **kwargs)

    return my_forward


def test_my_forward_names_a_causal_mask_the_wrong_way_round():
    with pytest.raises(ExerciseFailed, match=r"wrong way.*triu.*tril"):
        lesson09.check_my_forward(make_reversed_causal)


def test_hard_distillation_names_a_loss_of_shape_one():
    def loss_shape_one(class_logits, distillation_logits, labels, teacher_logits):
        both = 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
            distillation_logits, teacher_logits.argmax(-1)
        )
        return both.unsqueeze(0)

    with pytest.raises(ExerciseFailed, match=r"a 0-dim tensor \(shape \(\)\).*got shape \(1,\)"):
        lesson09.check_hard_distillation(loss_shape_one)


# --- fix round 8 ---------------------------------------------------------------------------------------------


def test_hard_distillation_names_argmax_with_keepdim():
    def keepdim(class_logits, distillation_logits, labels, teacher_logits):
        top = teacher_logits.argmax(-1, keepdim=True)
        return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(distillation_logits, top)

    with pytest.raises(ExerciseFailed, match=r"\(B, 1\).*keepdim=True.*drop the keepdim"):
        lesson09.check_hard_distillation(keepdim)


@pytest.mark.parametrize(("on_class", "on_distillation", "which"), [(1.0, 0.5, "distillation"), (0.5, 1.0, "class")])
def test_hard_distillation_names_only_one_term_halved(on_class, on_distillation, which):
    def loss(class_logits, distillation_logits, labels, teacher_logits):
        return on_class * F.cross_entropy(class_logits, labels) + on_distillation * F.cross_entropy(
            distillation_logits, teacher_logits.argmax(-1)
        )

    with pytest.raises(ExerciseFailed, match=rf"only the {which} term is halved"):
        lesson09.check_hard_distillation(loss)


def make_mask_after_softmax(attn_obj):
    """The reference with the mask applied to the weights after the softmax."""

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        B, N, C = x.shape
        qkv = attn_obj.qkv(x).reshape(B, N, 3, attn_obj.num_heads, C // attn_obj.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = ((q @ k.transpose(-2, -1)) * attn_obj.scale).softmax(dim=-1)
        if attn_mask is not None and attn_mask.dtype == torch.bool:
            attn = attn.masked_fill(~attn_mask, 0.0)
        elif attn_mask is not None:
            attn = attn + attn_mask
        attn_obj.attn_map = attn.detach()
        attn_obj.cls_attn_map = attn_obj.attn_map[:, :, 0, 2:]
        return attn_obj.proj_drop(attn_obj.proj((attn @ v).transpose(1, 2).reshape(B, N, C)))

    return my_forward


def test_my_forward_names_a_mask_applied_after_the_softmax():
    with pytest.raises(ExerciseFailed, match=r"after the softmax.*before the softmax"):
        lesson09.check_my_forward(make_mask_after_softmax)


def make_causal_only_without_mask(attn_obj):
    """The reference, but is_causal applied only when no attn_mask is given."""
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        return reference(x, attn_mask=attn_mask, is_causal=is_causal and attn_mask is None, **kwargs)

    return my_forward


def make_causal_wins(attn_obj):
    """timm 1.0.26's unfused rule: is_causal wins over attn_mask."""
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        return reference(x, attn_mask=None if is_causal else attn_mask, is_causal=is_causal, **kwargs)

    return my_forward


def make_causal_and_mask(attn_obj):
    """SDPA's reading: the mask and the causal mask both applied."""
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if is_causal:
            tokens = x.shape[1]
            causal = torch.zeros(tokens, tokens).masked_fill(
                ~torch.ones(tokens, tokens, dtype=torch.bool).tril(), -torch.inf
            )
            if attn_mask is None:
                attn_mask = causal
            elif attn_mask.dtype == torch.bool:
                attn_mask = torch.zeros(attn_mask.shape).masked_fill(~attn_mask, -torch.inf) + causal
            else:
                attn_mask = attn_mask + causal
        return reference(x, attn_mask=attn_mask, **kwargs)

    return my_forward


def test_my_forward_names_is_causal_dropped_when_a_mask_is_given():
    # round 18d (review 18c): the spec says never ignore is_causal, so dropping it beside a mask fails
    with pytest.raises(ExerciseFailed, match="applies only the mask and silently drops is_causal") as caught:
        lesson09.check_my_forward(make_causal_only_without_mask)
    assert str(caught.value).startswith("Not yet: with an attn_mask and is_causal=True together")


@pytest.mark.parametrize("answer", [make_causal_wins, make_causal_and_mask])
def test_my_forward_accepts_timms_and_sdpas_reading_of_mask_with_is_causal(answer, capsys):
    assert lesson09.check_my_forward(answer) is None
    assert capsys.readouterr().out.startswith("Correct!")


def make_section5_first_step(attn_obj):
    """Section 5's `make_fixed_forward` as the lesson shows it: the keywords taken, a float mask only."""

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        B, N, C = x.shape
        qkv = attn_obj.qkv(x).reshape(B, N, 3, attn_obj.num_heads, C // attn_obj.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        q, k = attn_obj.q_norm(q), attn_obj.k_norm(k)
        attn = (q @ k.transpose(-2, -1)) * attn_obj.scale
        if attn_mask is not None:
            attn = attn + attn_mask
        attn = attn_obj.attn_drop(attn.softmax(dim=-1))
        attn_obj.attn_map = attn.detach()
        attn_obj.cls_attn_map = attn_obj.attn_map[:, :, 0, 2:]
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return attn_obj.proj_drop(attn_obj.proj(attn_obj.norm(x)))

    return my_forward


def test_my_forward_refuses_section_5s_first_step_pasted_unchanged():
    with pytest.raises(ExerciseFailed, match="boolean attn_mask is not a number to add"):
        lesson09.check_my_forward(make_section5_first_step)


# --- exercise 2: a right value whose gradient never reaches one head ---------------------------------------


def loss_distillation_term_detached(class_logits, distillation_logits, labels, teacher_logits):
    """The value is right, but the distillation term is detached: the distillation head never trains."""
    class_term = 0.5 * F.cross_entropy(class_logits, labels)
    return class_term + (0.5 * F.cross_entropy(distillation_logits, teacher_logits.argmax(-1))).detach()


def loss_distillation_logits_detached(class_logits, distillation_logits, labels, teacher_logits):
    """The distillation head's logits detached before the cross-entropy."""
    teacher_choice = teacher_logits.argmax(-1)
    return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
        distillation_logits.detach(), teacher_choice
    )


def loss_class_term_detached(class_logits, distillation_logits, labels, teacher_logits):
    """The class term computed from a detached copy: the class head never trains."""
    teacher_choice = teacher_logits.argmax(-1)
    return 0.5 * F.cross_entropy(class_logits.detach(), labels) + 0.5 * F.cross_entropy(
        distillation_logits, teacher_choice
    )


@pytest.mark.parametrize(
    ("answer", "head"),
    [
        (loss_distillation_term_detached, "distillation head"),
        (loss_distillation_logits_detached, "distillation head"),
        (loss_class_term_detached, "class head"),
    ],
)
def test_hard_distillation_names_the_head_without_gradient(answer, head):
    with pytest.raises(ExerciseFailed, match=f"no gradient reaches the {head}'s logits"):
        lesson09.check_hard_distillation(answer)


def make_under_no_grad(attn_obj):
    """The whole body under torch.no_grad(): right values, but no gradient flows through the block."""
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        with torch.no_grad():
            return reference(x, attn_mask=attn_mask, is_causal=is_causal, **kwargs)

    return my_forward


def make_detached_values(attn_obj):
    """v detached on the way to the output: a gradient flows, but not the right one."""
    return learner_forward(attn_obj, detach_values=True)


def make_skips(module_name):
    """Skips attn_drop or proj_drop: invisible with p = 0, wrong in training with dropout on."""

    def factory(attn_obj):
        inner = make_reference(attn_obj)

        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            saved = getattr(attn_obj, module_name)
            setattr(attn_obj, module_name, torch.nn.Identity())
            try:
                return inner(x, attn_mask=attn_mask, is_causal=is_causal, **kwargs)
            finally:
                setattr(attn_obj, module_name, saved)

        return my_forward

    return factory


def make_delegating_with_no_grad_maps(attn_obj):
    """Right: the maps computed aside under torch.no_grad(), the output from the class's own forward."""
    cls_forward = type(attn_obj).forward
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        with torch.no_grad():
            saved = attn_obj.attn_drop, attn_obj.proj_drop
            attn_obj.attn_drop = attn_obj.proj_drop = torch.nn.Identity()  # the maps drawing no random numbers
            try:
                reference(x, attn_mask=attn_mask, is_causal=is_causal)
            finally:
                attn_obj.attn_drop, attn_obj.proj_drop = saved
        return cls_forward(attn_obj, x, attn_mask=attn_mask, is_causal=is_causal)

    return my_forward


def test_my_forward_accepts_maps_computed_under_no_grad(capsys):
    lesson09.check_my_forward(make_delegating_with_no_grad_maps)
    assert "changes nothing" in capsys.readouterr().out


@pytest.mark.parametrize(
    "answer, message",
    [
        (make_under_no_grad, r"no gradient flows through your my_forward: torch.no_grad\(\)"),
        (make_detached_values, r"gradient through your my_forward differs"),
        (make_skips("attn_drop"), r"dropout on.*apply attn_obj.attn_drop to the softmax weights"),
        (make_skips("proj_drop"), r"dropout on.*apply attn_obj.proj_drop after attn_obj.proj"),
    ],
)
def test_my_forward_names_gradient_and_dropout_slips(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_my_forward(answer)


# --- fix round 14 --------------------------------------------------------------------------------------------


def test_hard_distillation_names_the_max_tuple():
    def max_tuple(class_logits, distillation_logits, labels, teacher_logits):
        return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
            distillation_logits, teacher_logits.max(-1)
        )

    with pytest.raises(ExerciseFailed, match=r"max\(-1\) returns \(values, indices\).*the indices, not the pair"):
        lesson09.check_hard_distillation(max_tuple)


def test_hard_distillation_accepts_max_indices(capsys):
    def max_indices(class_logits, distillation_logits, labels, teacher_logits):
        return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
            distillation_logits, teacher_logits.max(dim=-1).indices
        )

    assert lesson09.check_hard_distillation(max_indices) is None
    assert capsys.readouterr().out.startswith("Correct!")


def make_causal_without_diagonal(attn_obj, *, additive=False):
    """The reference, with a causal mask that leaves out the diagonal (tril(-1), or -inf from triu(0))."""
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if is_causal:
            tokens = x.shape[1]
            if additive:
                attn_mask = torch.full((tokens, tokens), float("-inf")).triu(0)
            else:
                attn_mask = torch.ones(tokens, tokens, dtype=torch.bool).tril(-1)
        return reference(x, attn_mask=attn_mask, **kwargs)

    return my_forward


@pytest.mark.parametrize("additive", [False, True])
def test_my_forward_names_a_causal_mask_without_its_diagonal(additive):
    with pytest.raises(ExerciseFailed, match=r"NaN.*leaves out the diagonal.*tril\(-1\)"):
        lesson09.check_my_forward(lambda attn_obj: make_causal_without_diagonal(attn_obj, additive=additive))


def make_upper_triangle_without_diagonal(attn_obj):
    """Review r28b minor 1: the triangle inverted and the diagonal masked; the last query reads nothing (NaN)."""
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if is_causal:
            tokens = x.shape[1]
            attn_mask = torch.zeros(tokens, tokens).masked_fill(
                torch.ones(tokens, tokens, dtype=torch.bool).tril(), -torch.inf
            )
        return reference(x, attn_mask=attn_mask, **kwargs)

    return my_forward


def test_my_forward_names_the_inverted_triangle_that_leaves_the_last_query_nothing():
    with pytest.raises(ExerciseFailed, match=r"NaN at the last query.*keeps the upper triangle and masks the diagonal"):
        lesson09.check_my_forward(make_upper_triangle_without_diagonal)


def test_hard_distillation_names_the_class_head_read_twice():
    def class_head_twice(class_logits, distillation_logits, labels, teacher_logits):
        top = teacher_logits.argmax(-1)
        return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(class_logits, top)

    with pytest.raises(ExerciseFailed, match=r"distillation term reads the class head's logits"):
        lesson09.check_hard_distillation(class_head_twice)


# --- fix round s5 --------------------------------------------------------------------------------------------


def loss_flat_argmax(class_logits, distillation_logits, labels, teacher_logits):
    """argmax() with no dim: one index into the flattened (B x classes) logits."""
    return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
        distillation_logits, teacher_logits.argmax()
    )


def loss_flat_argmax_expanded(class_logits, distillation_logits, labels, teacher_logits):
    """argmax() with no dim, made to fit: the same (flattened) index, as a class, for every image."""
    top = teacher_logits.argmax().expand(len(labels)) % class_logits.shape[1]
    return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(distillation_logits, top)


def loss_flat_argmax_out_of_range(class_logits, distillation_logits, labels, teacher_logits):
    top = teacher_logits.argmax().expand(len(labels))  # an index past the classes on most batches
    return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(distillation_logits, top)


@pytest.mark.parametrize("answer", [loss_flat_argmax, loss_flat_argmax_expanded, loss_flat_argmax_out_of_range])
def test_hard_distillation_names_argmax_without_dim(answer):
    with pytest.raises(ExerciseFailed, match=r"argmax\(\) without dim flattens the batch.*class axis"):
        lesson09.check_hard_distillation(answer)


def make_in_place_on_x(attn_obj):
    """The reference, then x changed in place: the values are right, the backward pass fails."""
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        out = reference(x, attn_mask=attn_mask, is_causal=is_causal, **kwargs)
        x.mul_(1.0)
        return out

    return my_forward


def test_my_forward_names_an_in_place_change_of_x():
    with pytest.raises(ExerciseFailed, match=r"changes a tensor in place.*modified by an inplace operation"):
        lesson09.check_my_forward(make_in_place_on_x)


def loss_float_indices(class_logits, distillation_logits, labels, teacher_logits):
    return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
        distillation_logits, teacher_logits.argmax(-1).float()
    )


def test_hard_distillation_names_float_class_indices():
    with pytest.raises(
        ExerciseFailed,
        match=r"a float \(B,\) tensor.*class indices must be long.*true labels and the teacher's labels alike"
        r".*keep argmax's integers",
    ):
        lesson09.check_hard_distillation(loss_float_indices)


# --- review r27c minor 6: the three slips that got a generic or raw message ------------------------------------


def soft_tau_not_squared(class_logits, distillation_logits, labels, teacher_logits, tau, lam):
    log_s, log_t = F.log_softmax(distillation_logits / tau, -1), F.log_softmax(teacher_logits / tau, -1)
    kl = F.kl_div(log_s, log_t, reduction="batchmean", log_target=True)
    return (1 - lam) * F.cross_entropy(class_logits, labels) + lam * tau * kl


def soft_hard_target(class_logits, distillation_logits, labels, teacher_logits, tau, lam):
    hard = F.cross_entropy(distillation_logits, teacher_logits.argmax(-1))
    return (1 - lam) * F.cross_entropy(class_logits, labels) + lam * hard


def soft_hard_target_tau2(class_logits, distillation_logits, labels, teacher_logits, tau, lam):
    hard = F.cross_entropy(distillation_logits, teacher_logits.argmax(-1))
    return (1 - lam) * F.cross_entropy(class_logits, labels) + lam * tau**2 * hard


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (soft_tau_not_squared, "the factor is tau ** 2, not tau"),
        (soft_hard_target, "the cross-entropy with the teacher's argmax, the hard target"),
        (soft_hard_target_tau2, "the cross-entropy with the teacher's argmax, the hard target"),
    ],
)
def test_soft_distillation_names_tau_for_tau_squared_and_the_hard_target(answer, message):
    with pytest.raises(ExerciseFailed, match=re.escape(message)) as failure:
        lesson09.check_soft_distillation(answer)
    assert "check each term" not in str(failure.value)


@pytest.mark.parametrize(
    "answer",
    [
        lambda w, q, s, r, c: w[:, :, q, s:].reshape(*w.shape[:2], 7, 7),
        lambda w, q, s, r, c: w[:, :, q, s:].view(w.shape[0], w.shape[1], 7, 7),
    ],
)
def test_token_map_names_a_fixed_7x7_grid(answer):
    with pytest.raises(ExerciseFailed, match="a fixed 7 x 7 grid") as failure:
        lesson09.check_token_map(answer)
    assert "sqrt" not in str(failure.value)


def _fixed_head_width(heads_axis):
    def make(attn_obj):
        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            if is_causal or (attn_mask is not None and attn_mask.dtype == torch.bool):
                raise NotImplementedError("is_causal and boolean masks are not handled")
            B, N, C = x.shape
            heads = -1 if heads_axis is None else heads_axis(C)
            q, k, v = attn_obj.qkv(x).reshape(B, N, 3, heads, 64).permute(2, 0, 3, 1, 4).unbind(0)
            attn = ((q @ k.transpose(-2, -1)) * attn_obj.scale + (0 if attn_mask is None else attn_mask)).softmax(-1)
            attn_obj.attn_map = attn.detach()
            attn_obj.cls_attn_map = attn_obj.attn_map[:, :, 0, 2:]
            return attn_obj.proj_drop(attn_obj.proj((attn_obj.attn_drop(attn) @ v).transpose(1, 2).reshape(B, N, C)))

        return my_forward

    return make


@pytest.mark.parametrize("heads_axis", [None, lambda C: C // 64])
@pytest.mark.parametrize("check", [lesson09.check_my_forward_core, lesson09.check_my_forward])
def test_my_forward_names_a_head_width_fixed_at_64(heads_axis, check):
    with pytest.raises(ExerciseFailed, match=r"C // attn_obj.num_heads \(attn_obj.head_dim in timm\), not 64"):
        check(_fixed_head_width(heads_axis))


# --- review r27f minor 9: both weights dropped gets a message naming them, not "check each term" ---------------


def soft_no_weights(class_logits, distillation_logits, labels, teacher_logits, tau, lam):
    log_s, log_t = F.log_softmax(distillation_logits / tau, -1), F.log_softmax(teacher_logits / tau, -1)
    return F.cross_entropy(class_logits, labels) + tau**2 * F.kl_div(
        log_s, log_t, reduction="batchmean", log_target=True
    )


def soft_no_weights_no_tau2(class_logits, distillation_logits, labels, teacher_logits, tau, lam):
    log_s, log_t = F.log_softmax(distillation_logits / tau, -1), F.log_softmax(teacher_logits / tau, -1)
    return F.cross_entropy(class_logits, labels) + F.kl_div(log_s, log_t, reduction="batchmean", log_target=True)


@pytest.mark.parametrize("answer", [soft_no_weights, soft_no_weights_no_tau2])
def test_soft_distillation_names_both_weights_dropped(answer):
    with pytest.raises(ExerciseFailed, match=re.escape("drops both weights, 1 - lam on the class head's")) as failure:
        lesson09.check_soft_distillation(answer)
    assert "check each term" not in str(failure.value)


# --- fix09x (review r31c minor 6): tau ** 2 on both terms gets a named message, not "check each term" -----------


def soft_tau2_on_both(class_logits, distillation_logits, labels, teacher_logits, tau, lam):
    log_s, log_t = F.log_softmax(distillation_logits / tau, -1), F.log_softmax(teacher_logits / tau, -1)
    kl = F.kl_div(log_s, log_t, reduction="batchmean", log_target=True)
    return tau**2 * ((1 - lam) * F.cross_entropy(class_logits, labels) + lam * kl)


def test_soft_distillation_names_tau2_on_both_terms():
    with pytest.raises(ExerciseFailed, match=re.escape("tau ** 2 multiplies only the KL term")) as failure:
        lesson09.check_soft_distillation(soft_tau2_on_both)
    assert "check each term" not in str(failure.value)


# --- fix round m (review r28d minor 6) ------------------------------------------------------------------------


def make_bare_assert_refusal(attn_obj):
    """Exercise 3's refusal written as bare asserts: no message to read (raised by hand: pytest rewrites `assert`
    in this file and would add one)."""
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if is_causal or (attn_mask is not None and attn_mask.dtype == torch.bool):
            raise AssertionError  # what a bare `assert not is_causal` raises outside pytest
        return reference(x, attn_mask=attn_mask, is_causal=is_causal)

    return my_forward


@pytest.mark.parametrize("checker", [lesson09.check_my_forward_core, lesson09.check_my_forward])
def test_a_bare_assert_refusal_is_named_in_both_checkers(checker):
    # exercise 3b used to answer "your function raised AssertionError: " (an empty message)
    with pytest.raises(ExerciseFailed, match=r"raised AssertionError: \(no message\)\. If that is your refusal, say"):
        checker(make_bare_assert_refusal)


@pytest.mark.parametrize(
    "answer",
    [
        lambda w, q, s, r, c: w[:, :, q, s:].view(*w.shape[:2], r, c + 1),
        lambda w, q, s, r, c: w[:, :, q, s:].reshape(w.shape[0], w.shape[1], r + 1, c),
    ],
)
def test_token_map_names_the_exception_and_the_shape_of_a_rows_cols_reshape_that_fails(answer):
    """Review r32a minor 11: a reshape built from rows and cols that fails is named (RuntimeError, the shape asked
    for), not blamed on sqrt."""
    with pytest.raises(ExerciseFailed, match=r"raised RuntimeError.*asked for shape \[") as failure:
        lesson09.check_token_map(answer)
    assert "sqrt" not in str(failure.value) and "rows x cols = 2 x 3" in str(failure.value)


def test_a_float_slip_in_exercise_2b_gets_the_message_and_no_torch_warning():
    # review r33b minor 9: torch's "Converting a tensor with requires_grad=True to a scalar" leaked beside the message
    import warnings

    def soft_as_float(class_logits, distillation_logits, labels, teacher_logits, tau, lam):
        log_s, log_t = F.log_softmax(distillation_logits / tau, -1), F.log_softmax(teacher_logits / tau, -1)
        kl = F.kl_div(log_s, log_t, reduction="batchmean", log_target=True)
        return float((1 - lam) * F.cross_entropy(class_logits, labels) + lam * tau**2 * kl)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ExerciseFailed, match="float"):
            lesson09.check_soft_distillation(soft_as_float)
    assert not [w for w in caught if "requires_grad" in str(w.message)]


# --- review r33c minor 10: a head count fixed at 4 (the lesson's DeiT) gets a message naming it --------------------


def _fixed_head_count(scale_from_width):
    """make_reference with num_heads hard-coded as 4; the scale attn_obj.scale or the 4 heads' width."""

    def make(attn_obj):
        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            B, N, C = x.shape
            heads = 4
            qkv = attn_obj.qkv(x).reshape(B, N, 3, heads, C // heads).permute(2, 0, 3, 1, 4)
            q, k, v = qkv.unbind(0)
            scale = (C // heads) ** -0.5 if scale_from_width else attn_obj.scale
            attn = (q @ k.transpose(-2, -1)) * scale
            if is_causal:
                attn_mask = torch.ones(N, N, dtype=torch.bool, device=x.device).tril()
            if attn_mask is not None and attn_mask.dtype == torch.bool:
                attn = attn.masked_fill(~attn_mask, float("-inf"))
            elif attn_mask is not None:
                attn = attn + attn_mask
            attn = attn_obj.attn_drop(attn.softmax(dim=-1))
            attn_obj.attn_map = attn.detach()
            attn_obj.cls_attn_map = attn_obj.attn_map[:, :, 0, 2:]
            x = (attn @ v).transpose(1, 2).reshape(B, N, C)
            return attn_obj.proj_drop(attn_obj.proj(x))

        return my_forward

    return make


@pytest.mark.parametrize("scale_from_width", [False, True])
@pytest.mark.parametrize("check", [lesson09.check_my_forward_core, lesson09.check_my_forward])
def test_my_forward_names_a_head_count_fixed_at_4(scale_from_width, check):
    with pytest.raises(ExerciseFailed, match=r"4 heads fixed in your code\? The check's module has 3 heads"):
        check(_fixed_head_count(scale_from_width))
    check(make_reference)  # the right answer still passes (and so do the other right answers' tests)


# --- review r34a minors 1, 2 and 9: a bare refusal after a run, exercise 3's refusal rule, a class count fixed at 10 --


def _refusing(refuse_float, exc):
    """A complete my_forward that raises ``exc`` on is_causal=True and on a boolean mask (and on a float mask if
    ``refuse_float``)."""

    def make(attn_obj):
        reference = make_reference(attn_obj)

        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            if is_causal or (attn_mask is not None and (attn_mask.dtype == torch.bool or refuse_float)):
                raise exc
            return reference(x, attn_mask=attn_mask, is_causal=is_causal)

        return my_forward

    return make


@pytest.mark.parametrize("exc", [NotImplementedError(), NotImplementedError("your code here")])
def test_a_stub_like_refusal_after_a_run_is_a_refusal_not_the_stub(exc):
    # the function ran on the no-mask case: its bare raise is a refusal with no name, not "not done yet"
    with pytest.raises(ExerciseFailed, match=r"boolean attn_mask your my_forward raised NotImplementedError.*say what"):
        lesson09.check_my_forward_core(_refusing(False, exc))
    with pytest.raises(ExerciseFailed, match=r"float attn_mask, your my_forward raised NotImplementedError"):
        lesson09.check_my_forward_core(_refusing(True, exc))
    with pytest.raises(ExerciseFailed, match=r"refuses boolean masks; exercise 3b applies"):
        lesson09.check_my_forward(_refusing(False, exc))


@pytest.mark.parametrize("checker", [lesson09.check_my_forward_core, lesson09.check_my_forward])
def test_a_refused_float_mask_gets_each_exercises_rule(checker):
    rule = "in exercise 3 only a boolean mask and is_causal=True may be refused; in 3b only is_causal=True"
    with pytest.raises(ExerciseFailed, match="refuses additive float masks") as failure:
        checker(_refusing(True, NotImplementedError("masks are not supported")))
    assert rule in str(failure.value) and "(only is_causal=True may be refused)" not in str(failure.value)


def test_the_right_answers_still_pass_exercise_3_after_the_refusal_change():
    lesson09.check_my_forward_core(make_lesson_fix)
    lesson09.check_my_forward(make_reference)


def _hard_one_hot(classes):
    def answer(c, d, y, t):
        ce = -(F.one_hot(y, classes or c.shape[-1]) * c.log_softmax(-1)).sum(-1).mean()
        return 0.5 * ce + 0.5 * F.cross_entropy(d, t.argmax(-1))

    return answer


def _soft_one_hot(classes):
    def answer(c, d, y, t, tau, lam):
        ce = -(F.one_hot(y, classes or c.shape[-1]) * c.log_softmax(-1)).sum(-1).mean()
        kl = F.kl_div(F.log_softmax(d / tau, -1), F.log_softmax(t / tau, -1), reduction="batchmean", log_target=True)
        return (1 - lam) * ce + lam * tau**2 * kl

    return answer


@pytest.mark.parametrize(
    ("checker", "make"),
    [(lesson09.check_hard_distillation, _hard_one_hot), (lesson09.check_soft_distillation, _soft_one_hot)],
)
def test_a_class_count_fixed_at_10_is_named(checker, make):
    checker(make(None))  # the count read from the logits passes
    with pytest.raises(ExerciseFailed, match=r"10 classes fixed in your code\? This case has 3"):
        checker(make(10))


@pytest.mark.parametrize("answer", [my_forward_itself, my_forward_qa_itself])
def test_the_core_check_names_itself_for_the_factory_slip(answer):
    """Review r34d minor 3: exercise 3's check names check_my_forward_core, not exercise 3b's checker."""
    with pytest.raises(
        ExerciseFailed, match=r"pass make_my_forward.*lesson09\.check_my_forward_core\(make_my_forward\)"
    ):
        lesson09.check_my_forward_core(answer)


def _hard_fixed_width(target):
    def answer(c, d, y, t):
        return 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, target(t.argmax(-1)))

    return answer


@pytest.mark.parametrize(
    "target",
    [lambda top: F.one_hot(top, 10).float(), lambda top: torch.eye(10)[top]],
    ids=["one_hot 10", "eye 10"],
)
def test_a_2d_target_with_10_columns_is_a_fixed_class_count_not_a_keepdim(target):
    """Review r34d minor 2: torch's 'multi-target not supported' with a (B, 10) target on a 3-class case names the
    fixed class count; the (B, 1) keepdim message stays for a (B, 1) target."""
    with pytest.raises(ExerciseFailed, match=r"10 columns, but this case has 3 classes: 10 classes fixed") as caught:
        lesson09.check_hard_distillation(_hard_fixed_width(target))
    assert "keepdim" not in str(caught.value)


def test_soft_one_hot_labels_with_10_columns_are_named():
    """Review r34d minor 2: exercise 2b's F.one_hot(labels, 10) as the class head's target gets the named hint."""

    def answer(c, d, y, t, tau, lam):
        kl = F.kl_div(F.log_softmax(d / tau, -1), F.log_softmax(t / tau, -1), reduction="batchmean", log_target=True)
        return (1 - lam) * F.cross_entropy(c, F.one_hot(y, 10).float()) + lam * tau**2 * kl

    with pytest.raises(ExerciseFailed, match=r"10 columns, but this case has 3 classes: 10 classes fixed"):
        lesson09.check_soft_distillation(answer)


@pytest.mark.parametrize("exercise", ["2", "2b"])
def test_a_long_one_hot_target_is_named(exercise):
    """Review r34d minor 2: F.one_hot without .float() gives torch's bare 'Expected floating point type' error."""

    def hard(c, d, y, t):
        return 0.5 * F.cross_entropy(c, y) + 0.5 * F.cross_entropy(d, F.one_hot(t.argmax(-1), d.shape[-1]))

    def soft(c, d, y, t, tau, lam):
        kl = F.kl_div(F.log_softmax(d / tau, -1), F.log_softmax(t / tau, -1), reduction="batchmean", log_target=True)
        return (1 - lam) * F.cross_entropy(c, F.one_hot(y, c.shape[-1])) + lam * tau**2 * kl

    checker, answer = (
        (lesson09.check_hard_distillation, hard) if exercise == "2" else (lesson09.check_soft_distillation, soft)
    )
    with pytest.raises(ExerciseFailed, match=r"one-hot tensor of integers.*add \.float\(\)"):
        checker(answer)


@pytest.mark.parametrize("scale_fixed", [True, False], ids=["tau**2 fixed too", "tau**2 from the argument"])
def test_a_fixed_tau_is_named(scale_fixed):
    """Reviews r34c minor 7, r34d minor 4: tau hard-coded as 3 (the first case's) is named, not 'check each term'."""

    def answer(c, d, y, t, tau, lam):
        kl = F.kl_div(F.log_softmax(d / 3, -1), F.log_softmax(t / 3, -1), reduction="batchmean", log_target=True)
        return (1 - lam) * F.cross_entropy(c, y) + lam * (9 if scale_fixed else tau**2) * kl

    with pytest.raises(ExerciseFailed, match=r"at tau = 1, .*your loss ignores tau: it matches tau = 3 here"):
        lesson09.check_soft_distillation(answer)


# --- review r35a M1: torch's own error on the boolean or causal path is a bug, not a refusal ----------------------


def _bool_mask_as(style, refuse_causal=True):
    """The reference, except that a boolean mask goes through ``style`` (BERT's ``(1 - attn_mask) * -1e9``, or
    ``-attn_mask``: torch raises on a bool tensor) and is_causal=True is refused (or applied)."""

    def make(attn_obj):
        reference = make_reference(attn_obj)

        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            if is_causal and refuse_causal:
                raise NotImplementedError("is_causal=True is not supported")
            if attn_mask is not None and attn_mask.dtype == torch.bool:
                attn_mask = (1 - attn_mask) * -1e9 if style == "1 - mask" else (-attn_mask).float()
            return reference(x, attn_mask=attn_mask, is_causal=is_causal)

        return my_forward

    return make


@pytest.mark.parametrize("style", ["1 - mask", "-mask"])
@pytest.mark.parametrize("checker", [lesson09.check_my_forward_core, lesson09.check_my_forward])
def test_torchs_error_on_a_boolean_mask_is_a_bug_not_a_refusal(style, checker, capsys):
    message = r"boolean attn_mask your my_forward raised RuntimeError: .*bool tensor.*a bug on that path, not a refusal"
    with pytest.raises(ExerciseFailed, match=message):
        checker(_bool_mask_as(style))
    assert "Correct!" not in capsys.readouterr().out


# Written as a notebook cell is: compiled from text, so pytest does not rewrite its `assert`.
_OWN_REFUSALS = """
def make_raise(attn_obj):
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if is_causal or (attn_mask is not None and attn_mask.dtype == torch.bool):
            raise NotImplementedError("boolean masks and is_causal=True are not supported")
        return reference(x, attn_mask=attn_mask)

    return my_forward


def make_assert(attn_obj):
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        assert not is_causal, "is_causal=True is not supported"
        assert attn_mask is None or attn_mask.dtype != torch.bool, "boolean masks are not supported"
        return reference(x, attn_mask=attn_mask)

    return my_forward
"""


@pytest.mark.parametrize("name", ["make_raise", "make_assert"])
def test_the_learners_own_raise_or_assert_is_still_a_refusal(name, capsys):
    cell = {"torch": torch, "make_reference": make_reference}
    exec(compile(_OWN_REFUSALS, "<cell>", "exec"), cell)
    lesson09.check_my_forward_core(cell[name])
    assert capsys.readouterr().out.startswith("Correct!")
    with pytest.raises(ExerciseFailed, match="refuses boolean masks; exercise 3b applies"):
        lesson09.check_my_forward(cell[name])


def causal_masked_fill_with_floats(attn_obj):
    """is_causal=True through masked_fill with a float triangle: torch raises (it takes only boolean masks)."""
    inner = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if is_causal:
            N = x.shape[1]
            return inner(x, attn_mask=torch.zeros(N, N).masked_fill(torch.ones(N, N).triu(1), float("-inf")))
        return inner(x, attn_mask=attn_mask)

    return my_forward


@pytest.mark.parametrize("checker", [lesson09.check_my_forward_core, lesson09.check_my_forward])
def test_torchs_error_on_the_causal_path_is_a_bug_not_a_refusal(checker):
    with pytest.raises(ExerciseFailed, match=r"is_causal=True your my_forward raised RuntimeError: .*not a refusal"):
        checker(causal_masked_fill_with_floats)


def test_the_right_answers_still_pass_exercise_3_after_review_r35a():
    lesson09.check_my_forward_core(make_lesson_fix)
    lesson09.check_my_forward_core(make_reference)
    lesson09.check_my_forward(make_reference)


def _head_width_fixed_at(width):
    """The reference with the head width hard-coded as ``width`` (the heads from attn_obj.num_heads)."""

    def make(attn_obj):
        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            if is_causal:
                raise NotImplementedError("is_causal=True is not supported")
            B, N, C = x.shape
            q, k, v = attn_obj.qkv(x).reshape(B, N, 3, attn_obj.num_heads, width).permute(2, 0, 3, 1, 4).unbind(0)
            attn = (q @ k.transpose(-2, -1)) * attn_obj.scale
            if attn_mask is not None and attn_mask.dtype == torch.bool:
                attn = attn.masked_fill(~attn_mask, float("-inf"))
            elif attn_mask is not None:
                attn = attn + attn_mask
            attn = attn_obj.attn_drop(attn.softmax(dim=-1))
            attn_obj.attn_map = attn.detach()
            attn_obj.cls_attn_map = attn_obj.attn_map[:, :, 0, 2:]
            return attn_obj.proj_drop(attn_obj.proj((attn @ v).transpose(1, 2).reshape(B, N, C)))

        return my_forward

    return make


@pytest.mark.parametrize("width", [16, 8, 4])
@pytest.mark.parametrize("check", [lesson09.check_my_forward_core, lesson09.check_my_forward])
def test_my_forward_names_any_fixed_head_width(width, check):
    """Review r35a minor 2: the lesson's own head width 16 (D = 64, 4 heads), hard-coded, is named too; so is 4,
    the first case's width, when the second case (8 wide) fails."""
    with pytest.raises(ExerciseFailed, match=rf"head width fixed at {width}\?.*C // attn_obj.num_heads.*not {width}$"):
        check(_head_width_fixed_at(width))


# --- review a35b: an installed package's error is not a refusal; 3b names every boolean-path error as a bug --------


def causal_mask_by_a_wrong_einops_pattern(attn_obj):
    """is_causal=True with a causal mask built by an einops pattern that does not fit: einops raises, not the
    learner (review a35b 1)."""
    inner = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if is_causal:
            N = x.shape[1]
            return inner(x, attn_mask=rearrange(torch.ones(N, N, dtype=torch.bool).tril(), "i j -> 1 i j k"))
        return inner(x, attn_mask=attn_mask)

    return my_forward


@pytest.mark.parametrize("checker", [lesson09.check_my_forward_core, lesson09.check_my_forward])
def test_an_einops_error_on_the_causal_path_is_a_bug_not_a_refusal(checker, capsys):
    message = r"with is_causal=True your my_forward raised EinopsError: .*a bug on the is_causal path, not a refusal"
    with pytest.raises(ExerciseFailed, match=message):
        checker(causal_mask_by_a_wrong_einops_pattern)
    assert "If that is your refusal" not in capsys.readouterr().out


# Written as a notebook cell is (compiled from text): a typo on the boolean path only.
_BOOLEAN_TYPO = """
def make_typo(attn_obj):
    reference = make_reference(attn_obj)

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        if is_causal:
            raise NotImplementedError("is_causal=True is not supported")
        if attn_mask is not None and attn_mask.dtype == torch.bool:
            B, N, C = x.shape
            q, k, v = attn_obj.qkv(x).reshape(B, N, 3, attn_obj.num_heads, -1).permute(2, 0, 3, 1, 4).unbind(0)
            attn = (q @ k.transpose(-2, -1)) * attn_obj.scale
            attn = TYPO
            return reference(x, attn_mask=torch.zeros(attn_mask.shape).masked_fill(~attn_mask, float("-inf")))
        return reference(x, attn_mask=attn_mask)

    return my_forward
"""


@pytest.mark.parametrize(
    ("typo", "error"),
    [
        ('attn.masked_fil(~attn_mask, float("-inf"))', "AttributeError"),
        ('attn.masked_fill(~atn_mask, float("-inf"))', "NameError"),
        ('attn.masked_fill(~attn_mask, "-inf")', "TypeError"),
    ],
    ids=["masked_fil", "atn_mask", "'-inf'"],
)
@pytest.mark.parametrize("checker", [lesson09.check_my_forward_core, lesson09.check_my_forward])
def test_a_typo_on_the_boolean_path_is_a_bug_in_both_exercises(typo, error, checker, capsys):
    """Review a35b 2: exercise 3b names a typo on the boolean path as exercise 3 does, not with the generic text."""
    cell = {"torch": torch, "make_reference": make_reference}
    exec(compile(_BOOLEAN_TYPO.replace("TYPO", typo), "<cell>", "exec"), cell)
    message = rf"^Not yet: with a boolean attn_mask your my_forward raised {error}: .*a bug on that path, not a refusal"
    with pytest.raises(ExerciseFailed, match=message):
        checker(cell["make_typo"])
    assert "Correct!" not in capsys.readouterr().out


def test_the_right_answers_still_pass_after_review_a35b(capsys):
    for answer in (make_lesson_fix, make_reference, make_kwargs_einops, make_float64_loops):
        lesson09.check_my_forward_core(answer)
    for answer in (make_reference, make_kwargs_einops, make_float64_loops):
        lesson09.check_my_forward(answer)
    assert capsys.readouterr().out.count("Correct!") == 7
