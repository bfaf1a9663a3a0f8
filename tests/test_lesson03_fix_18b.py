"""Round 18b (lesson 03): the inverse head/width swap in exercise 6, the paired-difference dots, one shared
colour scale for the heads panels, and the notebook text the fix asked for."""

import nbformat
import pytest
import torch

from vit_explained.exercises import lesson03 as ex
from vit_explained.plotting import lesson03 as plots
from vit_explained.softmax_scale import heads_training_comparison, stored_scale_training

NOTEBOOK = "notebooks/03_attention_shapes.ipynb"
APPENDIX = "notebooks/03_attention_shapes_appendix.ipynb"  # the studies after the exercises moved there (review r19b)


def _sources(path: str = APPENDIX) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells]


def test_exercise6_names_the_head_width_moved_in_front():
    def head_width_first(weight, heads):  # review r19d: exercise 6 now converts (h three d) to (three h d)
        return weight.reshape(heads, 3, -1, weight.shape[-1]).permute(1, 2, 0, 3).reshape(weight.shape)

    with pytest.raises(AssertionError, match=r"permute\(1, 0, 2, 3\)"):
        ex.check_to_timm_qkv(head_width_first)


def test_paired_differences_draw_one_dot_per_seed_and_the_interval():
    comparison = heads_training_comparison(stored_scale_training())
    fig = plots.plot_paired_differences({"heads": comparison}, unit="accuracy points")
    ax = fig.axes[0]
    dots = ax.get_lines()[0]
    assert len(dots.get_xdata()) == comparison.difference.n == 10
    t = comparison.t_interval()
    interval = ax.get_lines()[1].get_xdata()
    assert abs(interval[0] - t.low * 100) < 1e-9 and abs(interval[1] - t.high * 100) < 1e-9
    assert "+3.8" in ax.texts[0].get_text()
    with pytest.raises(ValueError, match="at least one"):
        plots.plot_paired_differences({})


def test_query_heads_share_one_colour_scale_with_a_colour_bar():
    weights = torch.softmax(torch.randn(4, 50, generator=torch.Generator().manual_seed(0)), dim=-1)
    fig = plots.plot_query_heads(torch.rand(1, 28, 28), weights, (7, 7), query=11)
    overlays = [ax.get_images()[1].get_clim() for ax in fig.axes[:4]]
    assert len(set(overlays)) == 1 and abs(overlays[0][1] - float(weights[:, 1:].max())) < 1e-6
    assert len(fig.axes) == 5 and "attention weight" in fig.axes[4].get_ylabel()


def test_the_heads_comparison_names_the_tuning_and_the_figures_come_before_the_claims():
    sources = _sources()
    text = "\n".join(sources)
    assert "## F · Four heads against one" in text  # an appendix since review 18b
    assert text.count("tuned") >= 2 and "favours" in text
    claim = next(i for i, s in enumerate(sources) if "removing the scale cost 7.4 points" in s)
    assert any("plots.plot_scale_training(" in s for s in sources[:claim])
    heads_claim = next(i for i, s in enumerate(sources) if s.startswith("Four heads scored 3.8 points"))
    assert any("plots.plot_paired_differences(" in s for s in sources[:heads_claim])
    assert (
        "3.8 points higher, 95 % interval 2.7 to 4.8" in text
        and "7.4 points" in text
        and "95 % interval 4.4 to 10.4" in text
    )
    outputs = "".join(
        o.get("text", "")
        for c in nbformat.read(APPENDIX, as_version=4).cells
        if c.cell_type == "code"
        for o in c.outputs
    )  # the count is computed from the stored differences (review 18b)
    assert "validation loss higher without the scale on 10 of 10 seeds; sign test p = 0.002" in outputs
    assert "{higher} of {n_seeds} seeds" in text
    appendix = text.index("## G · The scale in real layers")  # review 18c: the training study moved there
    assert text.index("plots.plot_scale_training(") > appendix and "skip on first read" not in text.lower()
