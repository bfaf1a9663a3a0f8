"""Lesson 05, fix round o: the widget's trained-model view draws the t interval over batches as whiskers, the
backward graph's dK label is clear of the K box, and the notebook's moved and new claims sit where they are used."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests import _notebook as nb
from vit_explained.evidence import t_interval
from vit_explained.plotting.lesson05 import _GRAPH_EDGES, _GRAPH_NODES, _HALF_WIDTH, plot_cut_changes
from vit_explained.widgets import lesson05

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_where_gradients_flow.ipynb"


def _sources() -> list[str]:
    return ["".join(cell["source"]) for cell in (nb.cells(NOTEBOOK) + nb.cells(APPENDIX))]


def test_trained_cut_carries_the_t_interval_of_its_batches():
    result = lesson05.cut_and_backward("every block", "trained MNIST ViT")
    assert result.batches == 8 and len(result.share_interval) == 4
    for share, (low, high) in zip(result.qkv_share, result.share_interval, strict=True):
        assert low < share < high
    small = lesson05.cut_and_backward("every block")  # one batch: no interval
    assert small.batches == 1 and small.share_interval == ()


def test_interval_is_evidence_t_interval():
    shares = (0.5, 0.6, 0.7, 0.55)
    estimate = t_interval(list(shares))
    assert lesson05._interval(shares) == (estimate.low, estimate.high)


def test_widget_trained_view_draws_whiskers():
    widget = lesson05.gradient_freeze_widget(
        freeze="nothing", where="every block", experiment="cut the MLP route", model="trained MNIST ViT"
    )
    _, fig = widget.compute(**widget.values)
    ax = fig.axes[0]
    assert any("t interval" in text.get_text() for text in ax.get_legend().get_texts())
    high = ax.get_ylim()[1]
    intervals = lesson05.cut_and_backward("every block", "trained MNIST ViT").share_interval
    assert high > 100 * max(h for _, h in intervals)
    plt.close(fig)


def test_plot_cut_changes_refuses_mismatched_intervals():
    with pytest.raises(ValueError, match="one \\(low, high\\) per block"):
        plot_cut_changes(None, [0.5, 0.4], cut=[True, True], intervals=[(0.4, 0.6)])
    with pytest.raises(ValueError, match="share alone"):
        plot_cut_changes([0.5, 0.4], [0.5, 0.4], cut=[True, True], intervals=[(0.4, 0.6), (0.3, 0.5)])
    fig = plot_cut_changes(None, [0.5, 0.4], cut=[True, True], intervals=[(0.4, 0.6), (0.3, 0.5)])
    assert np.isclose(fig.axes[0].get_ylim()[0], -10.0)
    plt.close(fig)


def test_dk_label_clear_of_the_k_box():
    x, label = _GRAPH_NODES["K"][0], dict((end, place) for start, end, _, place in _GRAPH_EDGES if start == "K")
    # the label's centre lies right of the K box by more than half the label's drawn width (about 1.5 units)
    assert label["S"][0] - 0.75 > x + _HALF_WIDTH


def test_notebook_claims_sit_where_they_are_used():
    sources = _sources()
    joined = "\n".join(sources)
    torch_std = [i for i, s in enumerate(sources) if "torch_std = 1 / (3 * 32)" in s]
    appendix = next(i for i, s in enumerate(sources) if "### A · Why the LayerNorms" in s)
    assert len(torch_std) == 1 and torch_std[0] > appendix  # appendix A, where "5 times larger" uses it
    assert "about five times larger at this width" not in joined
    assert "as Xiong et al. 2020 show" not in joined and "skip route is larger at block 0 than at block 3" in joined
    first_26 = next(i for i, s in enumerate(sources) if "26 to 67" in s)
    printed = next(i for i, s in enumerate(sources) if "times_less = [" in s)
    assert first_26 >= printed  # not quoted before it is printed
    assert "An order-of-magnitude count." in joined and "M = (1/N) sum_j K_j (V_j - Vbar)^T" in joined
    assert "(checked below)" in joined  # 19a: appendix F's takeaways now precede their check
    assert "`train.py`: off unless `--clip-grad` is given;\n`--clip-mode` defaults to `norm`" in joined  # 18b: names
