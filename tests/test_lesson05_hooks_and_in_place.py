"""Lesson 05, fix round i: exercise 8 (the two routes, recorded with hooks), the in-place check of exercises
2-4, and exercise 1's shape messages."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson05 import (
    check_route_ratio,
    check_softmax_backward,
    check_value_gradient,
    check_w_q_gradient,
    check_w_v_gradient,
)
from vit_explained.gradient_hooks import record_residual_routes
from vit_explained.vit import add_class_token, pool_tokens

# --- exercise 8: ||skip|| / ||MLP branch|| with two hooks ---------------------------------------------------


def ratio_written_out(model, images, labels, block):  # the lesson's forward pass, block by block
    grads = {}
    tokens = add_class_token(model.patch_embedding(images), model.class_token, model.pos_embedding)
    for i, b in enumerate(model.blocks):
        h = tokens + b.attn(b.norm1(tokens))
        out = h + b.mlp(b.norm2(h))
        if i == block:
            h.register_hook(lambda g: grads.update(total=g))
            out.register_hook(lambda g: grads.update(skip=g))
        tokens = out
    logits = model.head(model.fc_norm(pool_tokens(model.encoder.norm(tokens), model.pool)))
    F.cross_entropy(logits, labels).backward()
    return grads["skip"].norm() / (grads["total"] - grads["skip"]).norm()


def ratio_module_hooks(model, images, labels, block, remove=True, activations=False, on_input=False):
    kept = {}
    b = model.blocks[block]

    def before(module, inputs):  # norm2's input is h (the block's input is x)
        if activations:
            kept["total"] = inputs[0].detach()
        else:
            inputs[0].register_hook(lambda g: kept.update(total=g))

    def after(module, inputs, output):
        if activations:
            kept["skip"] = output.detach()
        else:
            output.register_hook(lambda g: kept.update(skip=g))

    handles = [(b if on_input else b.norm2).register_forward_pre_hook(before), b.register_forward_hook(after)]
    F.cross_entropy(model(images), labels).backward()
    if remove:
        for handle in handles:
            handle.remove()
    if activations:  # ||h|| / ||out - h||
        return float(kept["total"].norm() / (kept["skip"] - kept["total"]).norm())
    return float(kept["skip"].norm() / (kept["total"] - kept["skip"]).norm())


def ratio_autograd_grad(model, images, labels, block):  # no hooks on tensors: autograd.grad at h and out
    kept = {}
    b = model.blocks[block]
    handles = [
        b.norm2.register_forward_pre_hook(lambda m, i: kept.update(h=i[0])),
        b.register_forward_hook(lambda m, i, o: kept.update(out=o)),
    ]
    loss = F.cross_entropy(model(images), labels)
    for handle in handles:
        handle.remove()
    total, skip = torch.autograd.grad(loss, [kept["h"], kept["out"]])
    return np.float32((skip.norm() / (total - skip).norm()).item())


@pytest.mark.parametrize("answer", [ratio_written_out, ratio_module_hooks, ratio_autograd_grad])
def test_route_ratio_accepts_answers_written_differently(answer, capsys):
    check_route_ratio(answer)
    assert capsys.readouterr().out.startswith("Correct!")


def ratio_by_the_package(model, images, labels, block):
    with record_residual_routes(model) as routes:
        F.cross_entropy(model(images), labels).backward()
    skip = routes[block]["skip"]
    return skip.norm() / (routes[block]["total"] - skip).norm()


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda *a: ratio_module_hooks(*a, remove=False), "left a hook on the model"),
        (lambda *a: 1 / ratio_module_hooks(*a), "other way up"),
        (lambda *a: ratio_module_hooks(*a, activations=True), "norms of activations"),
        (lambda *a: ratio_module_hooks(*a, on_input=True), "the block's input x"),
        (lambda m, i, lab, b: ratio_module_hooks(m, i, lab, (b + 1) % 4), "routes, not block"),
        (lambda *a: 1.0, "differs from record_residual_routes"),
        (ratio_by_the_package, "not the package's record_residual_routes"),
    ],
)
def test_route_ratio_names_the_slip(wrong, message):
    with pytest.raises(ExerciseFailed, match=message) as error:
        check_route_ratio(wrong)
    assert str(error.value).startswith("Not yet: ")


def test_route_ratio_names_the_total_instead_of_the_mlp_branch():
    def skip_over_total(model, images, labels, block):
        r = ratio_module_hooks(model, images, labels, block)  # skip / mlp; skip / total from the same hooks:
        kept = {}
        b = model.blocks[block]
        handles = [
            b.norm2.register_forward_pre_hook(lambda m, i: i[0].register_hook(lambda g: kept.update(total=g)) and None),
            b.register_forward_hook(lambda m, i, o: o.register_hook(lambda g: kept.update(skip=g)) and None),
        ]
        model.zero_grad()
        F.cross_entropy(model(images), labels).backward()
        for handle in handles:
            handle.remove()
        assert r > 0
        return kept["skip"].norm() / kept["total"].norm()

    with pytest.raises(ExerciseFailed, match="you divided by"):
        check_route_ratio(skip_over_total)


# --- exercises 2-4 refuse an in-place edit of their inputs, as exercise 1 does ---------------------------


def value_gradient_in_place(a, g):
    return a.transpose_(-2, -1) @ g


def w_v_gradient_in_place(x, a, g):
    g.mul_(1.0)
    return torch.einsum("bnd,bne->de", a.mT @ g, x)


def w_q_gradient_in_place(x, k, gs):
    gs.mul_(1 / k.shape[-1] ** 0.5)
    return torch.einsum("bnd,bne->de", gs @ k, x)


@pytest.mark.parametrize(
    ("checker", "answer", "name"),
    [
        (check_value_gradient, value_gradient_in_place, "input a in place"),
        (check_w_v_gradient, w_v_gradient_in_place, "input grad_out in place"),
        (check_w_q_gradient, w_q_gradient_in_place, "input grad_scores in place"),
    ],
)
def test_in_place_edits_of_the_inputs_are_refused(checker, answer, name):
    with pytest.raises(ExerciseFailed, match=name):
        checker(answer)


# --- exercise 1: the keepdim hint only where it fits -------------------------------------------------------


def test_a_constant_result_is_called_a_constant_not_a_keepdim_slip():
    with pytest.raises(ExerciseFailed, match="returns a constant") as error:
        check_softmax_backward(lambda a, g: torch.zeros(3, 3))
    assert "keepdim" not in str(error.value)


def test_the_keepdim_hint_comes_when_the_leading_axes_match():
    with pytest.raises(ExerciseFailed, match="keepdim=True") as error:
        check_softmax_backward(lambda a, g: (g * a).sum(dim=-1))  # the row sums alone: (..., N)
    assert "constant" not in str(error.value)


def test_the_in_place_message_names_the_argument_written_to():
    """Review r27f (ex 3 nit): an in-place write into x gets an example about x, not about grad_out."""

    def x_in_place(x, a, g):
        x.mul_(1.0)
        return torch.einsum("bnd,bne->de", a.mT @ g, x)

    with pytest.raises(ExerciseFailed, match=r"input x in place \(e\.g\. x\.mul_\(1\.0\)\)") as error:
        check_w_v_gradient(x_in_place)
    assert "grad_out.mul_" not in str(error.value)
    with pytest.raises(ExerciseFailed, match=r"\(e\.g\. grad_out\.mul_\(1\.0\)\)"):
        check_w_v_gradient(w_v_gradient_in_place)
