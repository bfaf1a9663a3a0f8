"""Lesson 05, fix round s: the checkers name a slip without handing over the answer; a constant result, a
1/sqrt(d) on the values' route and an x left without gradient get their own message; appendix B's LaTeX is clean."""

from pathlib import Path

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson05 import (
    check_cut_block,
    check_softmax_backward,
    check_w_q_gradient,
    check_w_v_gradient,
)

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_where_gradients_flow.ipynb"


def test_exercise_1_names_the_sigmoid_slip_without_the_row_sum_formula():
    with pytest.raises(ExerciseFailed, match="sigmoid's derivative") as error:
        check_softmax_backward(lambda a, g: a * (1 - a) * g)
    assert "keepdim" not in str(error.value) and "(grad_a * a)" not in str(error.value)


@pytest.mark.parametrize(
    "constant",
    [
        lambda a, g: torch.zeros_like(a),
        lambda a, g: torch.ones(a.shape, dtype=a.dtype),
        lambda a, g: torch.arange(a.numel(), dtype=a.dtype).reshape(a.shape),  # not one value, still a constant
    ],
)
def test_exercise_1_names_a_result_that_ignores_its_inputs_a_constant(constant):
    with pytest.raises(ExerciseFailed, match="returns a constant"):
        check_softmax_backward(constant)


def test_exercise_3_names_a_stray_score_scale():
    def w_v(x, a, g):
        return torch.einsum("bnd,bne->de", a.mT @ g, x)

    check_w_v_gradient(w_v)
    for wrong in (lambda x, a, g: w_v(x, a, g) / g.shape[-1] ** 0.5, lambda x, a, g: w_v(x, a, g) * g.shape[-1] ** 0.5):
        with pytest.raises(ExerciseFailed, match=r"sqrt\(d\).*no scale"):
            check_w_v_gradient(wrong)


def test_exercise_8_names_the_dk_pattern_without_the_answer():
    with pytest.raises(ExerciseFailed, match=r"you used dS\^T \(the keys' pattern, a column of dS\)") as error:
        check_w_q_gradient(lambda x, k, g: torch.einsum("bnd,bne->de", g.mT @ k, x) / k.shape[-1] ** 0.5)
    assert "dQ =" not in str(error.value) and "without the transpose" not in str(error.value)


def test_exercise_6_names_an_attention_branch_detached_from_x():
    def detached_branch(block, x):
        h = x.detach() + block.attn(block.norm1(x).detach())
        return h.detach() + block.mlp(block.norm2(h))

    with pytest.raises(ExerciseFailed, match="x gets no gradient: the attention branch must stay attached"):
        check_cut_block(detached_branch)


def test_appendix_b_conclusion_has_its_latex():
    cells = ["".join(c["source"]) for c in (nb.cells(NOTEBOOK) + nb.cells(APPENDIX))]
    (text,) = [s for s in cells if "So at timm's init the small $K$" in s]  # fix y: no "two small factors"
    assert r"$V - \bar V$" in text and "averaging factor and the 4x from the sums" not in text
    # round 18a: the factors named with block 0's values (appendix I prints them)
    assert "shrinks $M$ 2.8 times" in text and r"\lVert dV\rVert / \lVert dQ\rVert = 78" in text and "add 4.0x" in text


def test_catch_x_and_d_out_gives_the_attention_input_and_the_heads_output_gradient():
    from vit_explained.gradient_experiments import small_digit_vit
    from vit_explained.gradient_hooks import catch_x_and_d_out

    model = small_digit_vit()
    images, labels = torch.randn(3, 1, 8, 8, generator=torch.Generator().manual_seed(0)), torch.tensor([1, 2, 3])
    attention = model.blocks[1].attn
    x, d_o = catch_x_and_d_out(model, attention, images, labels)
    assert not any(m._forward_pre_hooks for m in model.modules())  # the hooks are gone
    assert all(p.grad is None for p in model.parameters())  # no .grad touched
    batch, tokens, width = x.shape
    assert not x.requires_grad and d_o.dtype == torch.float64
    assert d_o.shape == (batch, attention.heads, tokens, width // attention.heads)
    caught = {}
    keep = [
        attention.register_forward_pre_hook(lambda module, args: caught.update(x=args[0])),
        attention.proj.register_forward_pre_hook(lambda module, args: caught.update(o=args[0])),
    ]
    (reference,) = torch.autograd.grad(torch.nn.functional.cross_entropy(model(images), labels), [caught["o"]])
    for handle in keep:
        handle.remove()
    torch.testing.assert_close(x, caught["x"].detach())
    torch.testing.assert_close(d_o, reference.double().unflatten(-1, (attention.heads, -1)).transpose(1, 2))
