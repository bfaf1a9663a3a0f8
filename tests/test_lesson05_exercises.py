"""Lesson 05's checkers accept the reference answers and reject the usual slips with a helpful message."""

import re

import pytest
import torch

from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises.lesson05 import (
    check_cut_block,
    check_frozen_attention_parts,
    check_softmax_backward,
    check_value_gradient,
    check_w_v_gradient,
)


def not_done(*args):
    raise NotImplementedError("your code here")


# --- exercise 1: the softmax backward -------------------------------------------------------------------


def softmax_backward(a, grad_a):
    return a * (grad_a - (grad_a * a).sum(dim=-1, keepdim=True))


def test_softmax_backward_reference_passes(capsys):
    check_softmax_backward(softmax_backward)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda a, g: a * g, "only the diagonal"),  # forgot the row-sum term
        (lambda a, g: a * (1 - a) * g, "sigmoid's derivative"),  # the sigmoid-style diagonal
        (lambda a, g: a * (g - (g * a).sum()), "every axis"),  # one sum over the whole tensor
        (lambda a, g: a * (g - (g * a).sum(dim=-2, keepdim=True)), "wrong axis"),  # a column sum: A^T's row
        (lambda a, g: a * (g - g.sum(dim=-1, keepdim=True)), "weight each grad_a entry"),
        (lambda a, g: g - (g * a).sum(dim=-1, keepdim=True), "multiplied by a"),
        (lambda a, g: -softmax_backward(a, g), "sign is flipped"),
        (lambda a, g: a * (g - (g * a).sum(dim=-1)), "keepdim=True"),  # broadcasting error or wrong shape
        (lambda a, g: a * (g - (g * a).sum(dim=1, keepdim=True)), "single matrix but not for a batch"),
        (lambda a, g: torch.zeros_like(a), "returns a constant .every entry 0"),
        (lambda a, g: softmax_backward(a, g).T, "result is transposed"),  # a final .T
        (lambda a, g: a.T * (g - (g * a).sum(dim=-1, keepdim=True)), "stray .T.*the a in front transposed"),
        (lambda a, g: a * (g.mT - (g * a).sum(dim=-1, keepdim=True)), "stray .T.*grad_a in the bracket transposed"),
        (lambda a, g: a * (g - (g * a.mT).sum(dim=-1, keepdim=True)), "stray .T.*the a in the row sum transposed"),
        (lambda a, g: a * (g - (g.T * a).sum(dim=-1, keepdim=True)), "stray .T.*grad_a in the row sum transposed"),
        (lambda a, g: a * (g - (g * a).sum(-1, keepdim=True)).T, "stray .T.*whole bracket transposed"),
        (lambda a, g: a * (g - (g * a).sum(-1, keepdim=True)).mT, "stray .T.*whole bracket transposed"),
    ],
)
def test_softmax_backward_rejects(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_softmax_backward(wrong)


def test_unattempted_exercise_says_so():
    with pytest.raises(ExerciseNotAttempted):
        check_softmax_backward(not_done)
    with pytest.raises(ExerciseNotAttempted):
        check_frozen_attention_parts(not_done)


# --- exercise 2: dV -------------------------------------------------------------------------------------


def value_gradient(a, grad_out):
    return a.transpose(-2, -1) @ grad_out


def test_value_gradient_reference_passes(capsys):
    check_value_gradient(value_gradient)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda a, g: a @ g, "A @ dOut"),  # A instead of A^T
        (lambda a, g: a.T @ g, r"\.T reverses every axis"),  # right for one matrix, wrong for a batch
        (lambda a, g: g.transpose(-2, -1) @ a, "shape of V"),
        (lambda a, g: 2 * value_gradient(a, g), "times a constant \\(2\\)"),
        # review r32a (checker probe, ex 2): two slips that got the generic message
        (lambda a, g: (a.mT @ g).reshape(-1, *g.shape[-2:]).sum(0), "summed dV over the batch axes"),
    ],
)
def test_value_gradient_rejects(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_value_gradient(wrong)


# --- exercise 3: dW_v ------------------------------------------------------------------------------------


def w_v_gradient(x, a, grad_out):
    d_v = a.transpose(-2, -1) @ grad_out  # (B, N, d)
    return torch.einsum("bnd,bne->de", d_v, x)  # (d, D), summed over images and tokens


def test_w_v_gradient_reference_passes(capsys):
    check_w_v_gradient(w_v_gradient)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda x, a, g: torch.einsum("bnd,bne->ed", a.mT @ g, x), "shape is transposed"),
        (lambda x, a, g: (a.mT @ g).mT @ x, "shared by all 4 images"),  # forgot to sum over the batch
        (  # the same slip, seen only on the batch of one
            lambda x, a, g: (a.mT @ g).mT @ x if x.shape[0] == 1 else w_v_gradient(x, a, g),
            "shared by the one image of the batch",
        ),
        (lambda x, a, g: torch.einsum("bnd,bne->de", a @ g, x), "wrong way round"),  # A instead of A^T
        (lambda x, a, g: w_v_gradient(x, a, g) / x.shape[0], "averaged"),
        (
            lambda x, a, g: (
                w_v_gradient(x, a, g).T.contiguous() if x.shape[-1] == g.shape[-1] else w_v_gradient(x, a, g)
            ),
            "transpose of dW_v",
        ),
    ],
)
def test_w_v_gradient_rejects(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_w_v_gradient(wrong)


# --- exercise 6: which parts learn with every block's attention and the head frozen ----------------------

RIGHT = {"embeddings", "norm1", "norm2", "mlp", "final norm"}


def test_frozen_attention_parts_reference_passes(capsys):
    check_frozen_attention_parts(lambda: set(RIGHT))
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (RIGHT - {"norm1"}, "norm1 does get a gradient"),  # thought the frozen attention blocks the gradient
        (RIGHT - {"final norm"}, "the final norm does get a gradient"),  # thought the frozen head blocks it
        (RIGHT - {"norm1", "final norm"}, "norm1 does get a gradient"),
        (RIGHT - {"embeddings"}, "embeddings do get a gradient"),  # nothing below frozen attention learns
        (RIGHT - {"mlp"}, "the MLPs do get a gradient"),
        (RIGHT - {"norm2"}, "norm2 does get a gradient"),
        (RIGHT | {"qkv"}, "qkv is frozen"),
        (RIGHT | {"proj"}, "proj is frozen"),
        (RIGHT | {"head"}, "head is frozen"),
        ({"norm2", "mlp"}, "norm1 does get a gradient"),  # only what sits after nothing frozen... and above
        (RIGHT | {"attention"}, "say for qkv and proj separately"),
        ({"embeddings", "norms", "mlp"}, "'norms' covers three LayerNorms"),
        ("mlp", "set of part names"),
    ],
)
def test_frozen_attention_parts_rejects(answer, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_frozen_attention_parts(lambda: answer)


# --- bank: correct answers written differently, and more wrong answers ---------------------------

import numpy as np  # noqa: E402

from vit_explained import attention_backward  # noqa: E402
from vit_explained.exercises.lesson05 import FROZEN, PARTS  # noqa: E402


def softmax_backward_jacobian(a, grad_a):  # the full Jacobian diag(a) - a a^T, applied to each row
    jacobian = torch.diag_embed(a) - a.unsqueeze(-1) * a.unsqueeze(-2)
    return (jacobian @ grad_a.unsqueeze(-1)).squeeze(-1)


def softmax_backward_numpy(a, grad_a):
    a, g = a.numpy(), grad_a.numpy()
    return a * g - a * np.einsum("...ij,...ij->...i", a, g)[..., None]


def softmax_backward_in_place_float32(a, grad_a):
    a, out = a.float(), grad_a.float().clone()
    out.sub_((out * a).sum(-1, keepdim=True)).mul_(a)
    return out


def softmax_backward_rows(a, grad_a):  # one row at a time
    flat_a, flat_g = a.reshape(-1, a.shape[-1]), grad_a.reshape(-1, a.shape[-1])
    rows = [ai * (gi - torch.dot(ai, gi)) for ai, gi in zip(flat_a, flat_g, strict=True)]
    return torch.stack(rows).reshape(a.shape)


@pytest.mark.parametrize(
    "answer",
    [softmax_backward_jacobian, softmax_backward_numpy, softmax_backward_in_place_float32, softmax_backward_rows],
)
def test_softmax_backward_accepts_answers_written_differently(answer, capsys):
    check_softmax_backward(answer)
    assert "Correct!" in capsys.readouterr().out


def softmax_backward_by_autograd(a, grad_a):
    s = a.log().requires_grad_()
    return torch.autograd.grad(torch.softmax(s, -1), s, grad_a)[0]


def softmax_backward_by_backward(a, grad_a):
    s = a.log().requires_grad_()
    torch.softmax(s, -1).backward(grad_a)
    return s.grad


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (
            softmax_backward_by_autograd,
            "by hand, from the formula .*yourself; your function called torch.autograd.grad",
        ),
        (softmax_backward_by_backward, "your function called .*backward"),
        (lambda a, g: torch._softmax_backward_data(g, a, -1, a.dtype), "by hand"),
        (lambda a, g: attention_backward.softmax_backward(a, g), "vit_explained.attention_backward.softmax_backward"),
        (lambda a, g: a * (g - (g * a).mean(-1, keepdim=True)), "mean .* instead of its sum"),  # mean, not sum
        (lambda a, g: g, "returned grad_a unchanged"),
        (lambda a, g: g.clone().numpy(), "returned grad_a unchanged"),
        (lambda a, g: a * (g - (g * a).sum()), "every axis"),  # summed over everything: now named
        (lambda a, g: a * g - a * a, "differs from autograd"),
        (lambda a, g: [softmax_backward(a, g)[..., 0]], "must have that shape too"),
        (lambda a, g: None, "return a torch.Tensor"),
        (lambda a, g: a @ g[..., :-1, :-1], r"raised RuntimeError.*That was on inputs of shapes \(6, 6\)"),
    ],
)
def test_softmax_backward_rejects_more(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_softmax_backward(wrong)


def value_gradient_loop(a, grad_out):  # dV_j = sum over queries i of A_ij dO_i
    return sum(a[..., i, :, None] * grad_out[..., i, None, :] for i in range(a.shape[-2]))


@pytest.mark.parametrize(
    "answer",
    [
        lambda a, g: torch.einsum("...ij,...id->...jd", a, g),
        lambda a, g: a.mT @ g,
        lambda a, g: np.swapaxes(a.numpy(), -1, -2) @ g.numpy(),
        lambda a, g: a.float().transpose(-1, -2) @ g.float(),  # float32
        value_gradient_loop,
    ],
)
def test_value_gradient_accepts_answers_written_differently(answer, capsys):
    check_value_gradient(answer)
    assert "Correct!" in capsys.readouterr().out


def value_gradient_by_autograd(a, grad_out):
    v = torch.zeros(grad_out.shape, dtype=grad_out.dtype, requires_grad=True)
    return torch.autograd.grad(a @ v, v, grad_out)[0]


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (value_gradient_by_autograd, "torch.autograd.grad"),
        (lambda a, g: g @ a, "raised RuntimeError"),  # the order of the product swapped
        (lambda a, g: a.transpose(0, 1) @ g, "raised RuntimeError.*transpose only the last two"),  # fixed axes
        (lambda a, g: a.sum(-2)[..., None] * g, "column sum of A"),  # column sums, not a product (r32a: named)
        (lambda a, g: (a.mT @ g).sum(0), "shape of V"),  # summed over the batch, as for a weight
        (lambda a, g: (a.mT @ g).flip(-1), "differs from autograd"),  # features in reverse order
        (lambda a, g: "dV", "return a torch.Tensor"),
    ],
)
def test_value_gradient_rejects_more(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_value_gradient(wrong)


def w_v_gradient_loop(x, a, grad_out):
    total = 0
    for image in range(x.shape[0]):
        total = total + (a[image].T @ grad_out[image]).T @ x[image]
    return total


@pytest.mark.parametrize(
    "answer",
    [
        w_v_gradient_loop,
        lambda x, a, g: (a.mT @ g).flatten(0, 1).T @ x.flatten(0, 1),
        lambda x, a, g: torch.einsum("bij,bid,bje->de", a, g, x),
        lambda x, a, g: np.tensordot((a.mT @ g).numpy(), x.numpy(), axes=([0, 1], [0, 1])),
    ],
)
def test_w_v_gradient_accepts_answers_written_differently(answer, capsys):
    check_w_v_gradient(answer)
    assert "Correct!" in capsys.readouterr().out


def w_v_gradient_by_backward(x, a, grad_out):
    w_v = torch.zeros(grad_out.shape[-1], x.shape[-1], dtype=x.dtype, requires_grad=True)
    (a @ (x @ w_v.T)).backward(grad_out)
    return w_v.grad


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (w_v_gradient_by_backward, "by hand"),
        (lambda x, a, g: x.flatten(0, 1).T @ (a.mT @ g).flatten(0, 1), "shape is transposed"),  # (D, d)
        (lambda x, a, g: torch.einsum("bnd,bne->de", g, x), "dOut as if it were dV"),  # A left out
        (lambda x, a, g: (a[0].T @ g[0]).T @ x[0], "only the first image"),  # the first image only
        (lambda x, a, g: torch.einsum("bnd,bne->de", a.mT @ g, x) / x.shape[1], "averaged over the tokens"),
        (lambda x, a, g: torch.einsum("bnd,bne->de", a.T @ g, x), "transpose only the last two"),  # .T on a batch
        (lambda x, a, g: (a.mT @ g, x), "returned a tuple of 2 items, not a tensor"),
        (lambda x, a, g: a.T @ g, "raised RuntimeError"),
        (lambda x, a, g: torch.zeros(g.shape[-1], x.shape[-1]), "returns a constant dW_v \\(every entry 0\\)"),
    ],
)
def test_w_v_gradient_rejects_more(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_w_v_gradient(wrong)


@pytest.mark.parametrize(
    "answer",
    [
        lambda: ["embeddings", "norm1", "norm2", "mlp", "final norm"],
        lambda: frozenset(PARTS) - set(FROZEN),
        lambda: (part for part in PARTS if part not in FROZEN),  # a generator
        lambda: dict.fromkeys(["mlp", "norm1", "norm2", "final norm", "embeddings"]).keys(),
        lambda: {part: part not in FROZEN for part in PARTS},  # a dict {part: bool}
        lambda: {"embeddings": True, "norm1": True, "norm2": True, "mlp": True, "final norm": True},  # True ones only
        lambda: {part: np.bool_(part not in FROZEN) for part in PARTS},  # numpy bools
        lambda: {part: int(part not in FROZEN) for part in PARTS},  # 1 / 0
        lambda: {part: torch.tensor(part not in FROZEN) for part in PARTS},  # bool tensors
        lambda: {"Embeddings", "NORM1", "norm_2", "MLP", "final_norm"},  # spelled differently
        lambda: {"embedding", "norm 1", "Norm2", "mlps", "Final-Norm"},
    ],
)
def test_frozen_attention_parts_accepts_answers_written_differently(answer, capsys):
    check_frozen_attention_parts(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda: {"mlp", "norm2"}, "norm1 does get a gradient"),  # thought the frozen layers stop everything below
        (lambda: RIGHT | {"norm3"}, r"unknown part name\(s\) \['norm3'\]"),
        (lambda: ["mlp", "mlp", "norm1"], "named once"),
        (lambda: ["norm1", "Norm1", "mlp"], "both name the part .norm1. .*: keep one of the two"),  # two spellings
        (lambda: None, "not NoneType"),
        (lambda: set().add("mlp"), "not NoneType"),  # set.add returns None
        (lambda: RIGHT - "mlp", "raised TypeError"),
        (lambda: {part: part not in (*FROZEN, "norm1") for part in PARTS}, "norm1 does get a gradient"),  # dict slip
        (lambda: {part: True for part in PARTS}, "is frozen"),  # dict: every part True
        (lambda: {part: "yes" for part in PARTS}, "True \\(gets a gradient\\) or False"),
        (lambda: {part: 2 for part in PARTS}, "True \\(gets a gradient\\) or False"),
        (lambda: {"mlp": True, "norms": True}, "'norms' covers three"),
        (lambda: {1, 2}, "with a string"),
    ],
)
def test_frozen_attention_parts_rejects_more(answer, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_frozen_attention_parts(answer)


# --- the checker hands the learner clones: an answer that writes into its inputs is still named -------


def softmax_backward_missing_term_in_place(a, grad_a):  # a * grad_a written into grad_a, no row-sum term
    return grad_a.mul_(a)


def softmax_backward_right_in_place(a, grad_a):  # right, but overwrites both inputs
    return a.mul_(grad_a.sub_((grad_a * a).sum(-1, keepdim=True)))


def test_in_place_slip_is_still_named(capsys):
    with pytest.raises(AssertionError, match="that term is missing"):
        check_softmax_backward(softmax_backward_missing_term_in_place)


def test_in_place_right_answer_is_named():  # right values, but the caller's a and grad_a are overwritten
    with pytest.raises(ExerciseFailed, match="changed its input a and grad_a in place"):
        check_softmax_backward(softmax_backward_right_in_place)


def test_in_place_change_of_grad_a_alone_is_named():
    def right_into_grad_a(a, grad_a):
        return grad_a.sub_((grad_a * a).sum(-1, keepdim=True)).mul_(a)

    with pytest.raises(ExerciseFailed, match="changed its input grad_a in place"):
        check_softmax_backward(right_into_grad_a)


def test_numpy_return_passes_with_a_note(capsys):
    check_softmax_backward(softmax_backward_numpy)
    out = capsys.readouterr().out
    assert "Correct!" in out and "you returned a NumPy array" in out


def test_list_return_passes_with_the_same_note(capsys):
    check_softmax_backward(lambda a, g: softmax_backward(a, g).tolist())
    out = capsys.readouterr().out
    assert "Correct!" in out and "you returned a Python list" in out and "torch.Tensor" in out


def test_tensor_return_has_no_numpy_note(capsys):
    check_softmax_backward(softmax_backward)
    assert "NumPy" not in capsys.readouterr().out


def test_in_place_value_gradient_slip_is_still_named():
    def a_at_grad_out_in_place(a, grad_out):  # a @ grad_out, after scaling a in place
        return a.mul_(2.0) @ grad_out.mul_(0.5)

    with pytest.raises(AssertionError, match="this is A @ dOut"):
        check_value_gradient(a_at_grad_out_in_place)


# --- exercise 7: the cut, by hand ------------------------------------------------------------------------


def block_with_cut(block, x):
    h = x.detach() + block.attn(block.norm1(x))
    return h.detach() + block.mlp(block.norm2(h))


def _written_out(block, x):
    h = torch.add(x.data.clone(), block.attn.forward(block.norm1(x)))  # .data: the same numbers without history
    return block.mlp(block.norm2(h)).add(h.data.clone())


def _with_a_clone(block, x):
    attention = block.attn(block.norm1(x))
    h = attention + x.detach().clone()
    return (block.mlp(block.norm2(h)) + h.detach()).to(torch.float64)


def test_cut_block_reference_passes(capsys):
    check_cut_block(block_with_cut)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize("answer", [_written_out, _with_a_clone])
def test_cut_block_accepts_answers_written_differently(answer, capsys):
    check_cut_block(answer)
    assert capsys.readouterr().out.startswith("Correct!")


def _hook_left(block, x):
    block.norm2.register_forward_pre_hook(lambda module, inputs: (inputs[0].detach(),))
    return block(x)


def _package_cut(block, x):
    from torch import nn

    from vit_explained.gradient_hooks import cut_mlp_route

    holder = nn.Module()
    holder.blocks = nn.ModuleList([block])
    with cut_mlp_route(holder):
        return block(x)


def _h(block, x):
    return x + block.attn(block.norm1(x))


def _freeze_restored(block, x):
    block.mlp.requires_grad_(False)
    out = block(x)
    block.mlp.requires_grad_(True)
    return out


def _freeze_left(block, x):
    block.mlp.requires_grad_(False)
    return block(x)


def _freeze_block_restored(block, x):  # review r27c minor 6: the whole block frozen, then unfrozen
    block.requires_grad_(False)
    out = block(x)
    block.requires_grad_(True)
    return out


def _freeze_block_left(block, x):
    block.requires_grad_(False)
    return block(x)


def _freeze_norm2_left(block, x):
    block.norm2.requires_grad_(False)
    return block(x)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda b, x: b(x), "nothing is cut"),
        (lambda b, x: _h(b, x) + b.mlp(b.norm2(_h(b, x).detach())), "section 5's cut"),
        (lambda b, x: _h(b, x).detach() + b.mlp(b.norm2(_h(b, x))), "the skip around attention still carries"),
        (lambda b, x: (h := x.detach() + b.attn(b.norm1(x))) + b.mlp(b.norm2(h)), "the skip around the MLP still"),
        (lambda b, x: (h := x + b.attn(b.norm1(x.detach()))) + b.mlp(b.norm2(h.detach())), "branches' inputs"),
        (lambda b, x: (h := x + b.attn(b.norm1(x)).detach()) + b.mlp(b.norm2(h)).detach(), "branches' outputs"),
        (lambda b, x: (h := _h(b, x).detach()) + b.mlp(b.norm2(h)), "detached all of h"),
        (lambda b, x: b(x).detach(), "no gradient at all"),
        (lambda b, x: b.mlp(b.norm2(_h(b, x))), "MLP branch alone"),
        (lambda b, x: _h(b, x), "h alone"),
        (lambda b, x: _h(b, x) + b.mlp(_h(b, x).detach()), "differs from block(x)"),
        (_hook_left, "left a hook"),
        (_package_cut, "cut_mlp_route"),
        (_freeze_restored, "you froze the MLP (requires_grad_(False)): freezing stops no route"),
        (
            _freeze_left,
            "you froze the MLP (requires_grad_(False)): freezing stops no route"
            ".*Those weights are still frozen now that your function has returned",
        ),
        (_freeze_norm2_left, "froze norm2.weight, norm2.bias"),
        (_freeze_block_restored, "you froze the whole block (requires_grad_(False)): a frozen block keeps no weight"),
        (_freeze_block_left, "you froze the whole block.*Those weights are still frozen"),
        (lambda b, x: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_cut_block_rejects(wrong, message):
    with pytest.raises(ExerciseFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_cut_block(wrong)


def test_cut_block_messages_give_no_formula():
    """The checker names the slip, never the answer: no detach() written into a message."""
    import inspect

    from vit_explained.exercises import lesson05

    for message in lesson05._cut_slips():
        assert "detach()" not in message and "mlp(" not in message
    assert "h.detach()" not in inspect.getsource(lesson05.check_cut_block)


def test_cut_block_not_done():
    with pytest.raises(ExerciseNotAttempted):
        check_cut_block(not_done)


# --- the new named slips of exercises 2-4 -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda a, g: g.clone(), "dOut itself as dV"),
        (lambda a, g: a.transpose(-2, -1) @ g / a.shape[-1], "divided by N"),
    ],
)
def test_value_gradient_names_more_slips(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_value_gradient(wrong)


def test_w_v_gradient_names_the_mean_over_both():
    def mean_over_both(x, a, g):
        return torch.einsum("bnd,bne->de", a.transpose(-2, -1) @ g, x) / (x.shape[0] * x.shape[1])

    with pytest.raises(ExerciseFailed, match="images and the tokens"):
        check_w_v_gradient(mean_over_both)


@pytest.mark.parametrize(
    "answer",
    [
        {
            "embeddings": 1.0,
            "norm1": 1.0,
            "qkv": 0.0,
            "proj": 0.0,
            "norm2": 1.0,
            "mlp": 1.0,
            "final norm": 1.0,
            "head": 0.0,
        },
        {"patch_embedding", "norm1", "norm2", "mlp", "final norm"},
    ],
)
def test_frozen_attention_parts_accepts_floats_and_patch_embedding(answer, capsys):
    check_frozen_attention_parts(lambda: answer)
    assert capsys.readouterr().out.startswith("Correct!")


# --- exercise 4: dW_q, through the scores -----------------------------------------------------------------

import math  # noqa: E402

from vit_explained.exercises.lesson05 import check_w_q_gradient  # noqa: E402


def w_q_gradient(x, k, grad_scores):
    d_q = grad_scores @ k / k.shape[-1] ** 0.5  # (B, N, d)
    return torch.einsum("bnd,bne->de", d_q, x)  # (d, D), summed over images and tokens


def w_q_gradient_loop(x, k, grad_scores):
    total = torch.zeros(k.shape[-1], x.shape[-1], dtype=torch.float64)
    for image in range(x.shape[0]):
        total += (grad_scores[image] @ k[image]).T @ x[image] / math.sqrt(k.shape[-1])  # in place
    return total


@pytest.mark.parametrize(
    "answer",
    [
        w_q_gradient,
        w_q_gradient_loop,
        lambda x, k, g: (g @ k).flatten(0, 1).T @ x.flatten(0, 1) * k.shape[-1] ** -0.5,
        lambda x, k, g: torch.einsum("bij,bjd,bie->de", g, k, x) / np.sqrt(k.shape[-1]),
        lambda x, k, g: np.tensordot((g @ k).numpy(), x.numpy(), axes=([0, 1], [0, 1])) / np.sqrt(k.shape[-1]),
        lambda x, k, g: (x.mT @ (g @ k)).sum(0).T.float() / k.shape[-1] ** 0.5,  # X^T dQ, then transposed; float32
    ],
)
def test_w_q_gradient_accepts_answers_written_differently(answer, capsys):
    check_w_q_gradient(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda x, k, g: (x.mT @ (g @ k)).sum(0) / k.shape[-1] ** 0.5, "shape is transposed"),  # X^T dQ as is
        (  # the transpose slip where d == D hides it in the shape
            lambda x, k, g: (
                w_q_gradient(x, k, g).T.contiguous() if x.shape[-1] == k.shape[-1] else w_q_gradient(x, k, g)
            ),
            "transpose of dW_q",
        ),
        (lambda x, k, g: torch.einsum("bnd,bne->de", g @ k, x), "scale is missing"),
        (lambda x, k, g: torch.einsum("bnd,bne->de", g @ k, x) / x.shape[-1] ** 0.5, "1/sqrt\\(D\\), the model width"),
        (
            lambda x, k, g: torch.einsum("bnd,bne->de", g @ k, x) / x.shape[1] ** 0.5,
            "1/sqrt\\(N\\), the number of tokens",
        ),
        (lambda x, k, g: w_q_gradient(x, k, g) * k.shape[-1], "multiplied by sqrt"),
        (lambda x, k, g: w_q_gradient(x, k, g) / k.shape[-1] ** 0.5, "applied twice"),
        (  # review r27d minor 7: a hard-coded head width
            lambda x, k, g: torch.einsum("bnd,bne->de", g @ k, x) / 8**0.5,
            "must use this case's d = k.shape\\[-1\\]",
        ),
        (lambda x, k, g: torch.einsum("bnd,bne->de", g.mT @ k, x) / k.shape[-1] ** 0.5, "a column of dS"),
        (lambda x, k, g: (g @ k).mT @ x / k.shape[-1] ** 0.5, "shared by every image"),
        (lambda x, k, g: g @ k / k.shape[-1] ** 0.5, "dQ's shape"),
        (lambda x, k, g: w_q_gradient(x, k, g) / x.shape[0], "averaged over the images"),
        (lambda x, k, g: w_q_gradient(x, k, g) / x.shape[1], "averaged over the tokens"),
        (lambda x, k, g: (g[0] @ k[0]).T @ x[0] / k.shape[-1] ** 0.5, "only the first image"),
        (  # review r27c minor 5: dQ (B, N, d) reshaped, not transposed, to (B, d, N) before @ x
            lambda x, k, g: ((g @ k / k.shape[-1] ** 0.5).reshape(x.shape[0], k.shape[-1], x.shape[1]) @ x).sum(0),
            "dQ is \\(B, N, d\\), and .reshape\\(B, d, N\\)",
        ),
        (lambda x, k, g: (g @ k).T @ x, "raised RuntimeError"),  # .T on a batch
        (lambda x, k, g: torch.zeros(k.shape[-1], x.shape[-1]), "returns a constant dW_q \\(every entry 0\\)"),
        (not_done, "NotImplementedError|not attempted|your code"),
    ],
)
def test_w_q_gradient_rejects(wrong, message):
    with pytest.raises((ExerciseFailed, ExerciseNotAttempted), match=message):
        check_w_q_gradient(wrong)


def test_w_q_gradient_refuses_autograd():
    def by_autograd(x, k, g):
        w_q = torch.zeros(k.shape[-1], x.shape[-1], dtype=x.dtype, requires_grad=True)
        ((x @ w_q.T) @ k.mT / k.shape[-1] ** 0.5).backward(g)
        return w_q.grad

    with pytest.raises(ExerciseFailed, match="by hand"):
        check_w_q_gradient(by_autograd)


# --- review round 10: two more named slips -----------------------------------------------------------------


@pytest.mark.parametrize(
    "wrong",
    [
        lambda a, g: a * g - a * (a @ g.mT),  # a a^T g as one matrix product across rows
        lambda a, g: a * g - (g @ a.mT) * a,
    ],
)
def test_softmax_backward_names_the_matrix_product_across_rows(wrong):
    with pytest.raises(ExerciseFailed, match="one number per row"):
        check_softmax_backward(wrong)


def _in_place_add(block, x):
    h = x.detach() + block.attn(block.norm1(x))
    out = h.detach()
    out += block.mlp(block.norm2(h))  # overwrites the h that norm2 saved (detach shares memory)
    return out


def test_cut_block_names_the_in_place_add():
    with pytest.raises(ExerciseFailed, match=r"an in-place add \(\+=\) overwrote a tensor that backward needs"):
        check_cut_block(_in_place_add)


# --- session 5: the common slips of every tensor exercise, each named ----------------------------------------


def _softmax_right(a, g):
    return a * (g - (g * a).sum(-1, keepdim=True))


def _w_q_right(x, k, gs):
    return ((gs @ k / math.sqrt(k.shape[-1])).mT @ x).sum(0)


@pytest.mark.parametrize(
    ("check", "tuple_answer"),
    [
        (check_softmax_backward, lambda a, g: (_softmax_right(a, g),)),
        (check_softmax_backward, lambda a, g: (_softmax_right(a, g), a)),
        (check_value_gradient, lambda a, g: (a.mT @ g,)),
        (check_w_v_gradient, lambda x, a, g: (((a.mT @ g).mT @ x).sum(0),)),
        (check_w_q_gradient, lambda x, k, gs: (_w_q_right(x, k, gs),)),
    ],
)
def test_a_returned_tuple_is_named(check, tuple_answer):
    with pytest.raises(ExerciseFailed, match=r"returned a tuple of .*not a tensor"):
        check(tuple_answer)


def test_transposed_answers_are_named():
    with pytest.raises(ExerciseFailed, match="your result is transposed"):
        check_softmax_backward(lambda a, g: _softmax_right(a, g).mT)
    with pytest.raises(ExerciseFailed, match="transposed: d and N swapped"):
        check_value_gradient(lambda a, g: (a.mT @ g).mT)
    with pytest.raises(ExerciseFailed, match="the shape is transposed"):
        check_w_v_gradient(lambda x, a, g: torch.einsum("bnd,bnD->Dd", a.mT @ g, x))
    with pytest.raises(ExerciseFailed, match="the shape is transposed"):
        check_w_q_gradient(lambda x, k, gs: _w_q_right(x, k, gs).mT)


def test_missing_jacobian_term_and_wrong_sum_axis_are_named():
    with pytest.raises(ExerciseFailed, match="only the diagonal of the softmax Jacobian"):
        check_softmax_backward(lambda a, g: a * g)
    with pytest.raises(ExerciseFailed, match="wrong axis"):
        check_softmax_backward(lambda a, g: a * (g - (g * a).sum(-2, keepdim=True)))
    with pytest.raises(ExerciseFailed, match="first index of A"):
        check_value_gradient(lambda a, g: (a.unsqueeze(-1) * g.unsqueeze(-3)).sum(-2))  # summed over the keys
    with pytest.raises(ExerciseFailed, match="only the first image"):
        check_w_q_gradient(lambda x, k, gs: ((gs @ k / math.sqrt(k.shape[-1])).mT @ x)[0])


def test_float64_answers_pass():
    check_softmax_backward(lambda a, g: _softmax_right(a.double(), g.double()))
    check_value_gradient(lambda a, g: a.double().mT @ g.double())
    check_w_v_gradient(lambda x, a, g: ((a.double().mT @ g.double()).mT @ x.double()).sum(0))
    check_w_q_gradient(lambda x, k, gs: _w_q_right(x.double(), k.double(), gs.double()))


@pytest.mark.parametrize("result", [1.0, 3, None, "dS"])
def test_matrix_answer_of_wrong_type_names_tensor_and_numpy_not_a_number(result):
    """Every lesson-05 answer is a matrix: the wrong-type message offers a tensor or a numpy array, never a number."""
    with pytest.raises(ExerciseFailed) as failed:
        check_softmax_backward(lambda a, grad_a: result)
    message = str(failed.value)
    assert "return a torch.Tensor (a numpy array also works)" in message and "a number also works" not in message


def test_an_in_place_write_into_a_alone_names_a():  # review r27b minor 11: the example names the input written into
    def right_but_scales_a(a, grad_a):
        a.mul_(1.0)
        return a * (grad_a - (grad_a * a).sum(-1, keepdim=True))

    with pytest.raises(ExerciseFailed, match=r"changed its input a in place \(e.g. a.mul_"):
        check_softmax_backward(right_but_scales_a)


def test_a_reshape_used_for_a_transpose_is_named():  # review r27b minor 10: exercises 4 and 5
    from vit_explained.exercises.lesson05 import check_w_k_gradient

    def w_q_reshaped(x, k, grad_scores):
        d_q = grad_scores @ k / k.shape[-1] ** 0.5
        return (x.mT @ d_q).sum(0).reshape(k.shape[-1], x.shape[-1])

    def w_k_reshaped(x, q, grad_scores):
        d_k = grad_scores.mT @ q / q.shape[-1] ** 0.5
        return (x.mT @ d_k).sum(0).reshape(q.shape[-1], x.shape[-1])

    for check, answer in ((check_w_q_gradient, w_q_reshaped), (check_w_k_gradient, w_k_reshaped)):
        with pytest.raises(ExerciseFailed, match=r"reshape reorders the entries.*Transpose instead"):
            check(answer)


# review r29a M1: an answer right on the square cases and wrong only on the non-square (4, 7) is named, never a
# traceback from the checker's own code (the row-sum-without-keepdim candidate could not broadcast there)


def _softmax_loop_assumes_square(a, grad_a):  # N = a.shape[-2] used for both loops
    out = torch.zeros_like(a)
    n = a.shape[-2]
    for i in range(n):
        row_sum = sum(a[..., i, k] * grad_a[..., i, k] for k in range(n))
        for j in range(n):
            out[..., i, j] = a[..., i, j] * (grad_a[..., i, j] - row_sum)
    return out


def _softmax_loop_right(a, grad_a):
    out = torch.empty_like(a)
    for i in range(a.shape[-2]):
        row_sum = (a[..., i, :] * grad_a[..., i, :]).sum(-1, keepdim=True)
        out[..., i, :] = a[..., i, :] * (grad_a[..., i, :] - row_sum)
    return out


def _softmax_square_result(a, grad_a):  # builds an (N, N) result with N = a.shape[-2]
    return softmax_backward(a, grad_a)[..., : a.shape[-2]]


def test_a_loop_over_rows_passes(capsys):
    check_softmax_backward(_softmax_loop_right)
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    ("wrong", "tail"),
    [(_softmax_loop_assumes_square, "rows$"), (_softmax_square_result, r"your result has shape \(4, 4\)\)$")],
)
def test_an_answer_that_assumes_square_attention_is_named(wrong, tail):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: right on the square inputs .*assumes a square \(N, N\)") as e:
        check_softmax_backward(wrong)
    assert re.search(tail, str(e.value))


def test_slip_candidates_that_cannot_broadcast_are_not_this_slip():
    from vit_explained.exercises.lesson05 import _slip_searches, _softmax_jacobian_slips

    a = torch.softmax(torch.randn(4, 7, dtype=torch.float64), dim=-1)
    grad_a = torch.randn(4, 7, dtype=torch.float64)
    _softmax_jacobian_slips(torch.full((4, 7), 0.3, dtype=torch.float64), a, grad_a)  # names nothing, raises nothing
    _slip_searches((torch.add, torch.zeros(4, 7), torch.zeros(4)))  # a broadcast error inside a search: not this slip
    with pytest.raises(ExerciseFailed, match="grad_a unchanged"):  # a named slip still fails
        _slip_searches((torch.add, torch.zeros(4, 7), torch.zeros(4)), (_softmax_jacobian_slips, grad_a, a, grad_a))


def test_the_empty_set_and_a_fixed_axis_transpose_get_their_own_messages():  # review r29a minors 8 and 9
    with pytest.raises(ExerciseFailed, match=r"you named no part, but 5 parts still get a gradient"):
        check_frozen_attention_parts(lambda: set())
    with pytest.raises(ExerciseFailed, match=r"not fixed axes such as \.transpose\(0, 1\)"):
        check_value_gradient(lambda a, g: a.transpose(0, 1) @ g)


def test_a_summed_jacobian_is_named_not_a_scale_factor():  # review r31b M3: rows of diag(a) - a a^T sum to 0
    def summed(a, grad_a):
        return (torch.diag_embed(a) - a[..., :, None] * a[..., None, :]).sum(-1) * grad_a

    def cancelled(a, grad_a):  # another expression that cancels to rounding noise
        return a * grad_a - a * grad_a.clone() + (a - a.clone()) * 1e-3 + 1e-20 * grad_a

    for answer in (summed, cancelled):
        with pytest.raises(ExerciseFailed, match=r"zero to rounding everywhere.*summing the Jacobian gives nothing"):
            check_softmax_backward(answer)
    with pytest.raises(ExerciseFailed) as raised:
        check_softmax_backward(summed)
    assert "a factor such as the scale s" not in str(raised.value)


def test_a_reshape_used_for_a_transpose_is_named_in_exercise_3():  # review r31b minor 1, as exercises 4 and 5
    def w_v_reshaped(x, a, grad_out):
        return (x.mT @ (a.mT @ grad_out)).sum(0).reshape(grad_out.shape[-1], x.shape[-1])

    with pytest.raises(ExerciseFailed, match=r"reshape reorders the entries: X\^T dV is \(D, d\).*dW_v = dV\^T X"):
        check_w_v_gradient(w_v_reshaped)


# --- review r34a: exercise 7's non-tensor and float32 results, exercise 1's aten alias and 16-bit or complex
# results, exercise 5's fixed head width ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wrong", "kind"),
    [
        (lambda b, x: block_with_cut(b, x).detach().numpy(), "numpy.ndarray"),  # r34a MAJOR 1: was an AttributeError
        (lambda b, x: block_with_cut(b, x).tolist(), "list"),
        (lambda b, x: (block_with_cut(b, x),), "tuple"),
    ],
)
def test_cut_block_names_a_result_that_is_not_a_tensor(wrong, kind):
    with pytest.raises(ExerciseFailed) as raised:
        check_cut_block(wrong)
    message = str(raised.value)
    assert f"result is a {kind}: return the block's output as a torch.Tensor: backward needs its history" in message
    assert "numpy array" not in message.replace("NumPy array or list has none", "")  # no "a numpy array also works"


def test_cut_block_accepts_a_right_cut_in_float32(capsys):  # r34a minor 8: checked at float32's tolerance
    check_cut_block(lambda b, x: block_with_cut(b, x).float())
    assert capsys.readouterr().out.startswith("Correct!")


def test_cut_block_names_the_dtype_when_gradients_differ():
    with pytest.raises(ExerciseFailed, match=r"differ from those with both skip routes cut \(your output is bfloat16"):
        check_cut_block(lambda b, x: block_with_cut(b, x).bfloat16())
    with pytest.raises(ExerciseFailed, match="section 5's cut"):  # a slip in float32 is still named
        check_cut_block(lambda b, x: (_h(b, x) + b.mlp(b.norm2(_h(b, x).detach()))).float())


def test_cut_block_blames_the_dtype_only_when_it_explains_the_miss():  # a34a audit 3
    def doubled(b, x):  # h's gradient doubled: wrong in structure, not in precision
        h = _h(b, x)
        h = h.detach() + 2 * (h - h.detach())
        return h + b.mlp(b.norm2(h))

    for answer in (lambda b, x: doubled(b, x).float(), doubled):
        with pytest.raises(ExerciseFailed) as raised:
            check_cut_block(answer)
        assert "differ from those with both skip routes cut" in str(raised.value)
        assert "dtype" not in str(raised.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda a, g: torch.ops.aten._softmax_backward_data.default(g, a, -1, a.dtype),  # r34a minor 5
        lambda a, g: torch.ops.aten._softmax_backward_data(g, a, -1, a.dtype),
    ],
)
def test_softmax_backward_refuses_the_aten_op(call):
    with pytest.raises(ExerciseFailed, match=r"by hand.*your function called torch\._softmax_backward_data$"):
        check_softmax_backward(call)


def test_softmax_backward_in_bfloat16_names_the_precision_not_a_factor():  # r34a minor 6
    with pytest.raises(ExerciseFailed) as raised:
        check_softmax_backward(lambda a, g: softmax_backward(a.bfloat16(), g.bfloat16()))
    assert "computed in bfloat16; it is outside the 16-bit tolerance" in str(raised.value)  # a34a audit 5; r35c
    assert "times a constant" not in str(raised.value)
    with pytest.raises(ExerciseFailed) as raised:  # a real slip in bfloat16 is not called a precision problem
        check_softmax_backward(lambda a, g: 2 * softmax_backward(a.bfloat16(), g.bfloat16()))
    assert "too coarse" not in str(raised.value)


def test_softmax_backward_in_float16_passes(capsys):
    check_softmax_backward(lambda a, g: softmax_backward(a.half(), g.half()))
    out = capsys.readouterr().out
    assert "Correct!" in out and "right to float16's precision" in out  # a34a audit 5: noted like float32


def test_softmax_backward_16_bit_pass_and_slip_name_one_rule(capsys):
    """r35c (Ex. 1): the float16 pass note and the 16-bit slip message state the same tolerance, close()'s own for a
    16-bit answer; an answer computed in 16 bits and cast back to float64 is judged as if returned in 16 bits."""
    from vit_explained.exercises import _tolerance
    from vit_explained.exercises.lesson05 import SIXTEEN_BIT_TOLERANCE

    rtol, atol = _tolerance(torch.float16)
    assert f"the 16-bit tolerance, {rtol:g} relative and {atol:g} absolute" == SIXTEEN_BIT_TOLERANCE
    for returned in (lambda t: t, lambda t: t.double()):  # returned in float16, or cast back: the same verdict
        check_softmax_backward(lambda a, g, r=returned: r(softmax_backward(a.half(), g.half())))
        out = capsys.readouterr().out
        assert "Correct!" in out and "right to float16's precision" in out and SIXTEEN_BIT_TOLERANCE in out
        with pytest.raises(ExerciseFailed) as raised:
            check_softmax_backward(lambda a, g, r=returned: r(softmax_backward(a.bfloat16(), g.bfloat16())))
        assert f"computed in bfloat16; it is outside {SIXTEEN_BIT_TOLERANCE}" in str(raised.value)
        assert "(float64 here; float32 and float16 also pass)" in str(raised.value)  # a36a audit 6: both pass above


def test_a_complex_result_is_named_without_a_warning():  # r34a minor 13
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the cast's UserWarning would fail here
        with pytest.raises(ExerciseFailed, match=r"result is complex \(complex128\): return a real tensor"):
            check_softmax_backward(lambda a, g: softmax_backward(a, g).to(torch.complex128))


@pytest.mark.parametrize("fixed", [8, 64])
def test_w_k_gradient_names_a_fixed_head_width(fixed):  # r34a minor 7, as exercise 4
    from vit_explained.exercises.lesson05 import check_w_k_gradient

    def w_k_fixed(x, q, grad_scores):
        return torch.einsum("bnd,bne->de", grad_scores.mT @ q / fixed**0.5, x)

    with pytest.raises(ExerciseFailed) as raised:
        check_w_k_gradient(w_k_fixed)
    assert f"d = q.shape[-1] (d = 3 here); your answer scales by 1/sqrt({fixed}): a fixed head width" in str(
        raised.value
    )
    assert "times a constant" not in str(raised.value)


def test_cut_block_names_a_block_whose_dtype_was_changed_in_place():  # r35a minor 9: was a raw RuntimeError
    def converts_the_block(b, x):
        b.float()
        return block_with_cut(b, x.float())

    with pytest.raises(ExerciseFailed, match=r"changed the block's dtype to float32 \(e.g. block.float\(\)\)"):
        check_cut_block(converts_the_block)


def test_value_gradient_in_place_example_names_grad_out_when_grad_out_was_written():  # r35a minor 10
    with pytest.raises(ExerciseFailed, match=r"changed its input grad_out in place \(e.g. grad_out.copy_") as raised:
        check_value_gradient(lambda a, g: g.copy_(a.mT @ g))
    assert "a.transpose_" not in str(raised.value)
    with pytest.raises(ExerciseFailed, match=r"changed its input a in place \(e.g. a.transpose_"):
        check_value_gradient(lambda a, g: a.transpose_(-2, -1) @ g)
