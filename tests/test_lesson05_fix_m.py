"""Lesson 05, fix round m: the saturation sweep, its figure, the cheaper freeze check, the widget opening on the cut."""

import pytest
import torch

from vit_explained.attention_backward import HeadWeights, attention_forward
from vit_explained.gradient_experiments import SaturationSweep, saturation_sweep
from vit_explained.plotting.lesson05 import plot_softmax_saturation


@pytest.fixture(scope="module")
def head_and_inputs():
    torch.manual_seed(0)
    head = HeadWeights(*(0.02 * torch.randn(4, 16, dtype=torch.float64) for _ in range(3)))
    x = torch.randn(2, 9, 16, dtype=torch.float64)
    grad_out = torch.randn(2, 9, 4, dtype=torch.float64)
    return head, x, grad_out


def test_the_sweep_goes_from_uniform_to_saturated(head_and_inputs):
    head, x, grad_out = head_and_inputs
    sweep = saturation_sweep(x, grad_out, head, [1.0, 10.0, 3000.0])
    assert isinstance(sweep, SaturationSweep) and sweep.factors == [1.0, 10.0, 3000.0]
    for name in ("1/sqrt(d)", "no scale"):
        assert sweep.entropy[name][0] > 0.999 and sweep.entropy[name][-1] < 0.05
        assert sweep.w_q[name][1] > 10 * sweep.w_q[name][0]  # grows with the weights while near uniform
    assert sweep.entropy["no scale"][1] < sweep.entropy["1/sqrt(d)"][1]  # no scale: sharper at the same weights


@pytest.mark.parametrize("name, scale", [("1/sqrt(d)", 0.5), ("no scale", 1.0)])
def test_the_sweep_gradients_equal_autograd(head_and_inputs, name, scale):
    head, x, grad_out = head_and_inputs
    factor = 30.0
    sweep = saturation_sweep(x, grad_out, head, [factor])
    weights = [(factor * w).requires_grad_() for w in head[:3]]
    (attention_forward(x, HeadWeights(*weights), scale=scale) * grad_out).sum().backward()
    assert sweep.w_q[name][0] == pytest.approx(weights[0].grad.norm().item(), rel=1e-9)
    assert sweep.w_v[name][0] == pytest.approx(weights[2].grad.norm().item(), rel=1e-9)


def test_the_saturation_figure_has_two_log_x_panels(head_and_inputs):
    head, x, grad_out = head_and_inputs
    fig = plot_softmax_saturation(saturation_sweep(x, grad_out, head, [1.0, 10.0, 100.0]))
    assert len(fig.axes) == 2 and all(ax.get_xscale() == "log" for ax in fig.axes)
    assert fig.axes[1].get_yscale() == "log"
    assert len(fig.axes[1].lines) == 4  # W_q twice, W_v once, the "as initialised" line


@pytest.mark.parametrize("part", ["nothing", "mlp", "qkv", "norms", "patch embedding", "head"])
def test_eight_digits_give_the_same_freeze_answer_as_sixty_four(part):
    from vit_explained.widgets.lesson05 import freeze_and_backward

    few, all_ = freeze_and_backward(part, digits=8), freeze_and_backward(part)
    assert few.frozen == all_.frozen and set(few.without_gradient) == set(all_.without_gradient)
    assert few.others_unchanged and all_.others_unchanged


def test_the_widget_opens_on_the_cut_and_the_first_control_switches_to_freeze():
    from vit_explained.widgets.lesson05 import gradient_freeze_widget

    widget = gradient_freeze_widget(freeze="nothing", where="block 2", experiment="cut the MLP route")
    assert next(iter(widget.controls)) == "freeze"
    assert widget.line.startswith("cut the MLP route (block 2): 56 of 56")
    assert widget.line.endswith(" 0 %")  # block 3, above the cut, gets no MLP share
    widget.controls["freeze"].value = "mlp"  # what the browser test does: move the first control
    assert widget.values["experiment"] == "freeze"
    assert widget.line == widget.compute(**widget.values)[0]
    assert widget.line.startswith("froze mlp (block 2): 4 of 56 parameter tensors get no gradient")
