"""Lessons 04, 05 and 07's plotting helpers: they draw, return a closed pyplot figure, and reject bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from vit_explained.plotting.lesson04 import plot_gelu, plot_parameter_budget
from vit_explained.plotting.lesson05 import plot_gradient_norms
from vit_explained.plotting.lesson07 import plot_stage_cost, plot_t2t_stages


def test_lesson04_figures():
    fig = plot_gelu((-1.0, 1.0))
    assert len(fig.axes) == 3 and not plt.get_fignums()  # closed: shown once, by the notebook
    fig = plot_parameter_budget({"embeddings": 10, "qkv": 30, "mlp": 60}, "tiny")
    assert fig.axes[0].get_title() == "tiny: 100 parameters"
    with pytest.raises(ValueError, match="low < high"):
        plot_gelu((1.0, -1.0))
    with pytest.raises(ValueError, match="ints >= 0"):
        plot_parameter_budget({"mlp": -1})


def test_lesson05_figure_draws_frozen_groups_and_rejects_empty_input():
    groups = {("block 0", "qkv"): 0.1, ("block 0", "mlp"): 0.0, ("head", "head"): 0.4}
    fig = plot_gradient_norms(groups, {"block 0": {"q": 0.01, "k": 0.02, "v": 0.3}})
    assert len(fig.axes) == 2
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["qkv", "no gradient", "head"]
    with pytest.raises(ValueError, match="groups is empty"):
        plot_gradient_norms({})
    with pytest.raises(ValueError, match="every gradient norm in groups is 0"):
        plot_gradient_norms({("head", "head"): 0.0})


def test_lesson07_figures_draw_and_reject_bad_input():
    fig = plot_t2t_stages([("rgb", torch.rand(3, 8, 8)), ("map", torch.randn(4, 4))], title="t")
    assert len(fig.axes) == 2
    fig2 = plot_stage_cost(["a b", "c"], [3136, 197], [3136**2, 6 * 197**2], [1, 14])
    assert len(fig2.axes) == 2
    with pytest.raises(ValueError, match="one channel"):
        plot_t2t_stages([("maps", torch.randn(64, 4, 4))])
    with pytest.raises(TypeError, match=r"torch\.Tensor"):
        plot_t2t_stages([("array", [[0.0]])])
    with pytest.raises(ValueError, match="same non-zero length"):
        plot_stage_cost(["a"], [1, 2], [1], [1])
