"""Lesson 05, fix round n: the widget's model choice, the W_q/W_k-only saturation sweep, the plain-mean slip."""

import pytest
import torch

from vit_explained.attention_backward import HeadWeights
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson05 as exercises
from vit_explained.gradient_experiments import saturation_sweep
from vit_explained.gradient_hooks import mlp_route_cut
from vit_explained.pretrained import load_mnist_vit
from vit_explained.widgets.lesson05 import MODELS, _batch, cut_and_backward, freeze_and_backward, gradient_freeze_widget


def test_the_plain_mean_slip_is_named(capsys):
    def plain_mean(a, grad_a):
        return a * (grad_a - grad_a.mean(dim=-1, keepdim=True))

    with pytest.raises(ExerciseFailed) as caught:
        exercises.check_softmax_backward(plain_mean)
    assert "weighted by a" in str(caught.value) + capsys.readouterr().out


def test_the_sweep_can_scale_only_w_q_and_w_k():
    torch.manual_seed(0)
    x, grad_out = torch.randn(2, 5, 6, dtype=torch.float64), torch.randn(2, 5, 3, dtype=torch.float64)
    head = HeadWeights(*(0.1 * torch.randn(3, 6, dtype=torch.float64) for _ in range(3)))
    both, qk = (
        saturation_sweep(x, grad_out, head, [1.0, 7.0]),
        saturation_sweep(x, grad_out, head, [1.0, 7.0], rows="qk"),
    )
    assert both.entropy == qk.entropy  # the scores depend on W_q and W_k only
    assert both.w_q["1/sqrt(d)"][0] == qk.w_q["1/sqrt(d)"][0]
    # dW_q = s (dS K)^T X and dA = dO V^T: scaling V too multiplies dW_q by the factor once more
    assert both.w_q["1/sqrt(d)"][1] == pytest.approx(7.0 * qk.w_q["1/sqrt(d)"][1], rel=1e-9)
    with pytest.raises(ValueError, match="rows"):
        saturation_sweep(x, grad_out, head, [1.0], rows="qx")


def test_the_trained_models_cut_is_the_lessons_table():
    """The widget's trained cut: the mean of the per-batch shares over the lesson's 8 batches of 32 digits."""
    images, labels = _batch(256, MODELS[1])
    lesson = mlp_route_cut(load_mnist_vit, images, labels, chunk=32)
    widget = cut_and_backward("every block", MODELS[1])
    expected = [sum(block) / len(block) for block in lesson.qkv_share_per_chunk]
    assert widget.qkv_share == pytest.approx(expected, abs=1e-6)
    assert widget.batches == 8 and widget.same_forward and widget.with_gradient == widget.total


def test_the_widget_offers_both_models_and_opens_where_asked():
    widget = gradient_freeze_widget(
        freeze="nothing", where="every block", experiment="cut the MLP route", model=MODELS[1]
    )
    assert widget.controls["model"].options == MODELS
    assert next(iter(widget.controls)) == "freeze"  # the first control is unchanged
    assert widget.line.startswith("trained MNIST ViT, cut the MLP route (every block)")
    line, _ = widget.compute("mlp", "every block", "freeze", MODELS[1])
    frozen = freeze_and_backward("mlp", model=MODELS[1])
    assert len(frozen.without_gradient) == 16 and frozen.others_unchanged and "16 of" in line
    small = cut_and_backward("block 0")  # the fresh model's numbers are the same as before the model choice
    assert abs(small.qkv_share[0]) > 0.01 and all(abs(s) < 1e-6 for s in small.qkv_share[1:])
    with pytest.raises(ValueError, match="model"):
        widget.compute("nothing", "every block", "freeze", "resnet")


def test_the_dashed_mlp_route_runs_back_through_mlp_and_norm2():
    from matplotlib.patches import FancyBboxPatch

    from vit_explained.plotting.lesson05 import plot_two_routes

    ax = plot_two_routes(cut=False).axes[0]
    boxes = {}
    for patch in ax.patches:
        if isinstance(patch, FancyBboxPatch):
            x, y, w, h = patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height()
            label = next(
                t.get_text()
                for t in ax.texts
                if x <= t.get_position()[0] <= x + w and y <= t.get_position()[1] <= y + h
            )
            boxes[label] = (x, y, w, h)
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 1
    xs, ys = dashed[0].get_data()
    for name in ("norm2", "mlp"):  # a horizontal stretch of the route crosses the box, inside its height
        x, y, w, h = boxes[name]
        assert any(
            y + 0.25 * h < y0 == y1 < y + 0.75 * h and min(x0, x1) < x and max(x0, x1) > x + w  # not along an edge
            for x0, x1, y0, y1 in zip(xs, xs[1:], ys, ys[1:], strict=False)
        ), name
