"""Lesson 03's heads explorer (D cut into h heads: memory grows with h, FLOPs stay flat) and the picture of
the fused qkv weight's rows mapped to three Linears and to nn.MultiheadAttention."""

import pytest
from matplotlib.figure import Figure

from vit_explained.cost import attention_cost
from vit_explained.plotting.lesson03 import HEAD_COUNTS, plot_heads_cost, plot_qkv_mapping
from vit_explained.widgets.lesson03 import TOKEN_COUNTS, heads_widget


def test_heads_widget_line_is_compute_and_names_d_memory_and_flat_flops():
    widget = heads_widget()
    assert next(iter(widget.controls)) == "heads"  # the browser test moves the first control
    assert widget.line == widget.compute(**widget.values)[0]
    assert "h = 12 heads of d = 64" in widget.line and "465,708 entries" in widget.line
    widget.controls["heads"].value = 24
    assert widget.line == widget.compute(heads=24, num_tokens=197)[0]
    assert "d = 32" in widget.line and f"{2 * 465_708:,} entries" in widget.line


def test_heads_widget_memory_grows_with_heads_flops_stay_flat():
    widget = heads_widget()
    flops = set()
    for heads in HEAD_COUNTS:
        cost = attention_cost(784, 768, heads)
        line, fig = widget.compute(heads=heads, num_tokens=784)
        assert isinstance(fig, Figure)
        assert f"{cost.matrix_bytes / 1e6:.1f} MB" in line
        flops.add(line.split("weights @ v: ")[1])
    assert len(flops) == 1  # the same FLOPs at every head count
    assert set(TOKEN_COUNTS) >= {197, 3136}


def test_heads_widget_refuses_a_head_count_that_does_not_divide_the_width():
    widget = heads_widget(dim=96, heads=12)
    with pytest.raises(ValueError):
        widget.compute(heads=64, num_tokens=197)  # 96 / 64 is not whole
    widget.controls["heads"].value = 64
    assert widget.line.startswith("cannot show this:")


def test_plot_heads_cost_marks_the_chosen_head_count():
    fig = plot_heads_cost(768, 6, 197)
    memory_ax = fig.axes[1]
    every, chosen = memory_ax.lines  # x is h itself: a numeric axis, so the linear memory reads as a line
    assert list(every.get_xdata()) == list(HEAD_COUNTS)
    expected = [attention_cost(197, 768, h).matrix_bytes / 1e6 for h in HEAD_COUNTS]
    assert list(every.get_ydata()) == pytest.approx(expected)
    assert list(chosen.get_xdata()) == [6] and list(chosen.get_ydata()) == pytest.approx([expected[4]])
    assert len(fig.axes[0].patches) == 6  # the strip: one slice per head
    with pytest.raises(ValueError):
        plot_heads_cost(768, 5, 197)  # not offered (and 768 / 5 is not whole)


def test_plot_qkv_mapping_labels_the_row_ranges():
    fig = plot_qkv_mapping(dim=8)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"q: rows 0-7", "k: rows 8-15", "v: rows 16-23"} <= texts
    assert "query (4.x)\nq_proj (5.23)\n.weight (8, 8)" in texts and "(24, 8), the same rows" in texts
    with pytest.raises(ValueError):
        plot_qkv_mapping(dim=0)


def test_memory_names_vit_b_heads():
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson03 import check_attention_memory

    with pytest.raises(ExerciseFailed, match="12 heads, ViT-B's; this model has 16"):
        check_attention_memory(lambda: 8 * 12 * 577**2 * 4)


def test_memory_asks_for_the_arithmetic_when_the_number_is_typed_in():
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson03 import check_attention_memory

    def typed():
        return 170_459_648

    def computed(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
        return batch * heads * num_tokens**2 * bytes_per_element

    assert computed() == typed()
    with pytest.raises(ExerciseFailed, match="typed in: write the arithmetic"):
        check_attention_memory(typed)
    check_attention_memory(computed)
    no_source = "lambda batch, num_tokens, heads, bytes_per_element: batch * heads * num_tokens**2 * bytes_per_element"
    check_attention_memory(eval(no_source))  # no source to read: judged by the numbers alone
