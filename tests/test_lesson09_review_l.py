"""Lesson 09, review l: the soft-distillation loss against a hand computation, the slips the checkers now
name, section 5's first step refused by exercise 3's checker, and the explorer's side-by-side opening view."""

import contextlib
import io
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests import _lesson09
from vit_explained.distill import soft_distillation_loss
from vit_explained.exercises import ExerciseFailed, lesson09

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09_deit_distillation.ipynb"


@pytest.mark.parametrize("tau", [1.0, 3.0])
def test_soft_loss_is_the_kl_teacher_to_student_as_deits_losses_py(tau):
    generator = torch.Generator().manual_seed(0)
    class_logits, distillation_logits, teacher = (torch.randn(6, 10, generator=generator) for _ in range(3))
    labels = torch.randint(0, 10, (6,), generator=generator)
    # facebookresearch/deit losses.py: kl_div(student log-probs, teacher log-probs, sum, log_target) / numel
    deit_term = (
        F.kl_div(
            F.log_softmax(distillation_logits / tau, dim=1),
            F.log_softmax(teacher / tau, dim=1),
            reduction="sum",
            log_target=True,
        )
        * (tau * tau)
        / distillation_logits.numel()
    )
    by_hand = 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * deit_term * 10  # per image, not per logit
    got = soft_distillation_loss(class_logits, distillation_logits, labels, teacher, tau=tau)
    assert got.dim() == 0 and torch.allclose(got, by_hand, atol=1e-6)
    p_t = F.softmax(teacher / tau, dim=-1)  # KL(teacher || student), written out
    kl = (p_t * (p_t.log() - F.log_softmax(distillation_logits / tau, dim=-1))).sum(-1).mean()
    assert torch.allclose(got, 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * tau**2 * kl, atol=1e-6)


def test_soft_loss_reaches_the_distillation_head_not_the_teacher():
    distillation = torch.randn(4, 10, requires_grad=True)
    teacher = torch.randn(4, 10, requires_grad=True)
    soft_distillation_loss(torch.randn(4, 10), distillation, torch.zeros(4, dtype=torch.long), teacher).backward()
    assert distillation.grad is not None and teacher.grad is None


def test_ex1_none_names_the_missing_return():
    def forgot_return(weights, query, special_tokens, rows, cols):
        weights[:, :, query, special_tokens:].reshape(*weights.shape[:2], rows, cols)

    with pytest.raises(ExerciseFailed, match=r"returned None: did you forget `return`\?"):
        lesson09.check_token_map(forgot_return)


def test_ex2_in_place_edit_of_the_logits_is_named():
    def in_place(class_logits, distillation_logits, labels, teacher_logits):
        class_logits.sub_(class_logits.max(-1, keepdim=True).values)
        return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
            distillation_logits, teacher_logits.argmax(-1)
        )

    with pytest.raises(ExerciseFailed, match="Don't modify the logits in place") as failure:
        lesson09.check_hard_distillation(in_place)
    assert "numpy" not in str(failure.value)


def _forward(mask_step):
    def make(attn_obj):
        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            if is_causal:
                raise NotImplementedError("is_causal=True is not supported")
            B, N, C = x.shape
            heads = attn_obj.num_heads
            q, k, v = attn_obj.qkv(x).reshape(B, N, 3, heads, C // heads).permute(2, 0, 3, 1, 4).unbind(0)
            scores = (q @ k.transpose(-2, -1)) * attn_obj.scale
            if attn_mask is not None and attn_mask.dtype == torch.bool:
                scores = scores.masked_fill(~attn_mask, float("-inf"))
            elif attn_mask is not None:
                scores = mask_step(scores, attn_mask)
            attn = attn_obj.attn_drop(scores.softmax(dim=-1))
            attn_obj.attn_map = attn.detach()
            attn_obj.cls_attn_map = attn_obj.attn_map[:, :, 0, 2:]
            return attn_obj.proj_drop(attn_obj.proj((attn @ v).transpose(1, 2).reshape(B, N, C)))

        return my_forward

    return make


def test_ex3_a_multiplied_float_mask_is_named_not_called_after_softmax():
    with pytest.raises(ExerciseFailed, match="added to the scores, not multiplied") as failure:
        lesson09.check_my_forward(_forward(lambda scores, mask: scores * mask))
    assert "after the softmax" not in str(failure.value)


def test_ex3_a_right_float_mask_still_passes_that_step():
    with contextlib.redirect_stdout(io.StringIO()) as said:
        lesson09.check_my_forward(_forward(lambda scores, mask: scores + mask))
    assert "Correct" in said.getvalue()


def test_section_5s_first_step_is_refused_by_exercise_3s_checker_naming_the_boolean_mask():
    cells = _lesson09.cells(NOTEBOOK)
    source = next("".join(c["source"]) for c in cells if "def make_fixed_forward" in "".join(c["source"]))
    definition = source[: source.index("attn_obj.forward = make_fixed_forward")]
    namespace = {"nn": nn, "torch": torch}
    exec(definition, namespace)  # the lesson's own cell
    with contextlib.redirect_stdout(io.StringIO()) as said, pytest.raises(ExerciseFailed) as failure:
        lesson09.check_my_forward(namespace["make_fixed_forward"])
    assert "boolean" in str(failure.value) and "Correct" not in said.getvalue()


def test_the_explorer_opens_side_by_side_with_slice_start_1_and_a_two_line_title():
    from vit_explained.data import load_mnist
    from vit_explained.distill import load_mnist_deit
    from vit_explained.widgets.lesson09 import VIEWS, deit_attention_explorer

    data = load_mnist()
    w = deit_attention_explorer(load_mnist_deit(), data.test_images[:4], data.test_labels[:4], view=VIEWS[1], start=1)
    assert (w.controls["view"].value, w.controls["start"].value) == (VIEWS[1], 1)
    line, fig = w.compute(**w.values)
    assert line == w.line and "every patch one place late" in line
    assert fig._suptitle.get_text().count("\n") <= 1
    with pytest.raises(ValueError, match="start 1 or 2"):
        deit_attention_explorer(load_mnist_deit(), data.test_images[:4], data.test_labels[:4], start=3)
