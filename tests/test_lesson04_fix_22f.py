"""Lesson 04, review r22e: the RMS arms of the final-step ablation (centring not needed, as far as the arms show);
exercise 1's finite-difference detector accepts (e + 1) / 2 beside (e - 1) / 2; the sigmoid written s(x) in
section 1; the hidden checks of 6c name what exists; the timm-init slopes in the Summary."""

import math
from pathlib import Path

import pytest
import torch
from torch import nn

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import check_gelu_slope
from vit_explained.norm_placement import FINAL_NORMS, FINAL_STEP_LABELS, _final_step

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "04_gelu_mlp_and_block.ipynb"


def test_rms_arms_divide_by_the_uncentred_rms() -> None:
    assert FINAL_NORMS[-2:] == ("rms", "detached_rms") and FINAL_STEP_LABELS["rms"] == "RMS, no centring"
    torch.manual_seed(0)
    stream, layer_norm = torch.randn(2, 3, 16) * 5 + 2, nn.LayerNorm(16)
    rms = (stream.pow(2).mean(-1, keepdim=True) + layer_norm.eps).sqrt()
    assert torch.allclose(_final_step("rms", layer_norm, stream, 4.0), stream / rms)  # not centred
    leaf = stream.clone().requires_grad_()
    weights = torch.randn(2, 3, 16)
    (_final_step("detached_rms", layer_norm, leaf, 4.0) * weights).sum().backward()
    assert torch.allclose(leaf.grad, weights / rms, atol=1e-6)  # the divisor held constant


def test_rms_arm_is_a_table_row_printed_plotted_and_asserted() -> None:
    appendix = LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb")  # 24b (r24a_04 item 5): moved to appendix A
    cells, sources = nb.cells(appendix), nb.sources(appendix)
    at = nb.unique_index(sources, "lesson_arms = final_norm_ablation(depths, seeds)")
    assert "| RMS, no centring | $x/\\sqrt{\\overline{x^2}+\\epsilon}$ |" in sources[at - 1]
    printed = nb.printed(cells[at])
    assert "RMS, no centring        L^-0.478 [-0.638, -0.317]" in printed
    assert "RMS, divisor detached   L^-0.478 [-0.635, -0.321]" in printed
    check = nb.source(cells[at + 1])
    assert nb.hidden(cells[at + 1]) and '[round(v, 2) for v in lesson_slope["rms"]] == [-0.48, -0.64, -0.32]' in check
    answer = nb.flat(sources[at + 2])
    assert "RMS as $L^{-0.48}$ ([-0.64, -0.32]; detached: [-0.63, -0.32])" in answer
    assert "neither centring nor the backward path through $\\sigma$ is needed" in answer


def test_summary_states_timm_slopes_appendix_b_prints() -> None:
    sources = nb.sources(LESSON)
    summary = nb.flat(sources[nb.unique_index(sources, "## Summary")])
    # 24b (r24a_04): the per-seed intervals (t over the seeds' slopes), no longer the pooled 12-point ones
    assert "with std-0.02 weights there is no detectable fall at D = 64." in summary  # 24d: intervals printed only
    printed = nb.all_printed(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"))
    assert "L^-0.044 [-0.104, +0.017]" in printed and "L^-0.243 [-0.304, -0.182]" in printed


def test_sigmoid_is_not_sigma_and_stale_comments_gone() -> None:
    sources = nb.sources(LESSON)
    why = nb.flat(sources[nb.unique_index(sources, "**Why this shape: a gate that depends on the input.**")])
    assert "\\sigma(x)" not in why and "logistic CDF $s$" in why
    text = "\n".join(sources)
    assert "<details> block's final accuracies" not in text and "Answer 3's curves" not in text


def reviewers_slope(x):  # right (review r22e's example): e + 1 and e - 1 for the same name, no call on them
    e = torch.erf(x / math.sqrt(2))
    upper = (e + 1) / 2
    lower = -(e - 1) / 2
    return upper + 0 * lower + x * torch.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def shifted_names(x):  # right: one call on a + 1 - 1 beside a plain call, 1 no small step
    a = x / math.sqrt(2)
    cdf = 0.25 * (torch.erf(a) + 1) + 0.25 * (torch.erf(a + 1 - 1) + 1)
    return cdf + x * torch.exp(-(a**2)) / math.sqrt(2 * math.pi)


def central_with_default(x, h=1e-5):
    def g(t):
        return t * 0.5 * (1 + torch.erf(t / math.sqrt(2)))

    return (g(x + h) - g(x - h)) / (2 * h)


def backward_difference(x):
    def g(t):
        return t * 0.5 * (1 + torch.erf(t / math.sqrt(2)))

    return (g(x) - g(x - 1e-6)) / 1e-6


@pytest.mark.parametrize("answer", [reviewers_slope, shifted_names])
def test_finite_difference_detector_accepts_right_answers_with_plus_and_minus_one(answer, capsys) -> None:
    check_gelu_slope(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [central_with_default, backward_difference])
def test_finite_differences_are_still_named(answer) -> None:
    with pytest.raises(ExerciseFailed, match="finite difference"):
        check_gelu_slope(answer)
