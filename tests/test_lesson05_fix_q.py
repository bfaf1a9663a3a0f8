"""Lesson 05, fix round q: the q/k count is an average over keys (M), not a 1/N from the softmax backward, checked
against autograd; the widget shows the freeze and the cut side by side; the Xiong et al. sentence is gone."""

from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import torch

from tests import _notebook as nb
from vit_explained.plotting.lesson05 import plot_freeze_and_cut
from vit_explained.widgets import lesson05

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_where_gradients_flow.ipynb"


def _sources() -> list[str]:
    return ["".join(cell["source"]) for cell in (nb.cells(NOTEBOOK) + nb.cells(APPENDIX))]


def test_uniform_attention_gives_dq_from_the_key_value_average():
    """With exactly uniform attention (Q = 0), dQ_i = s dO_i M^T with M = (1/N) sum_j K_j (V_j - Vbar)^T."""
    generator = torch.Generator().manual_seed(3)
    n, d = 7, 4
    k, v, d_o = (torch.randn(n, d, generator=generator, dtype=torch.float64) for _ in range(3))
    q = torch.zeros(n, d, dtype=torch.float64, requires_grad=True)  # scores 0: A = 1/N exactly
    scale = d**-0.5
    (torch.softmax(scale * q @ k.T, dim=-1) @ v).backward(d_o)
    m = k.T @ (v - v.mean(dim=0)) / n
    torch.testing.assert_close(q.grad, scale * d_o @ m.T, rtol=1e-12, atol=1e-14)


def test_independent_tokens_shrink_m_like_one_over_sqrt_n():
    generator = torch.Generator().manual_seed(0)
    for n in (16, 64, 256):
        k, v = (torch.randn(200, n, 8, generator=generator, dtype=torch.float64) for _ in range(2))
        m = k.transpose(-2, -1) @ (v - v.mean(dim=-2, keepdim=True)) / n
        assert abs(m.pow(2).mean().sqrt().item() * n**0.5 - 1) < 0.1


def test_notebook_says_average_not_one_over_n():
    joined = "\n".join(_sources())
    assert "1/N$ from the softmax" not in joined and "$1/N$ softmax factor" not in joined
    assert "scales $dA$ by about $1/N$" not in joined and "count without V" not in joined
    assert "M = (1/N) sum_j K_j (V_j - Vbar)^T" in joined
    # fix y: no "no 1/N is left over" beside appendix I's 1/sqrt(N); section 4 names the averaging factor
    assert "no $1/N$ is left over" not in joined and "would shrink it by $\\sqrt{17}$, real ones" in joined
    assert "Xiong et al. 2020 for pre-LN" not in joined  # fix x: the unused citation is gone


def test_widget_shows_freeze_and_cut_side_by_side():
    widget = lesson05.gradient_freeze_widget(experiment="freeze and cut, side by side")
    assert widget.line.startswith(
        "froze mlp (every block): 16 of 56 tensors lose their gradient, the others unchanged; "
    )
    assert widget.line.endswith("56 of 56 keep one, MLP share of the qkv gradient, blocks 0-3: 31, 33, 19, -2 %")
    _, fig = widget.compute(**widget.values)
    assert len(fig.axes) == 2
    assert "\nFreeze:" in fig.axes[0].get_title() and fig.axes[1].get_title().startswith("Cut:")
    plt.close(fig)
    widget.controls["freeze"].value = "qkv"  # picking a part keeps both experiments
    assert widget.controls["experiment"].value == "freeze and cut, side by side"
    assert widget.line.startswith("froze qkv (every block): 8 of 56 tensors lose their gradient")
    widget.controls["where"].value = "block 0"
    assert "cut the MLP route (block 0) instead" in widget.line and widget.line.endswith(", 0, 0, 0 %")


def test_lesson_opens_the_widget_on_both_experiments():
    source = next(s for s in _sources() if "freezer = gradient_freeze_widget(" in s)
    assert 'experiment="freeze and cut, side by side"' in source


def test_plot_freeze_and_cut_refuses_all_zero_groups():
    with pytest.raises(ValueError, match="nothing got a gradient"):
        plot_freeze_and_cut({("block 0", "mlp"): 0.0}, [0.1], cut=[True], freeze_title="", cut_title="")
