"""Lesson 09, fix round 18a (fresh review 17f): the soft-vs-hard attempt is one line; the headline slice picture
is head 1; the margins come from the widget's helper; the recipe table names model EMA; the relabel figure labels
its seeds; exercise 3's message for the Q&A's signature gives no fixed signature."""

from pathlib import Path

import pytest
import torch

from tests import _lesson09
from vit_explained.exercises import ExerciseFailed, lesson09

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09_deit_distillation.ipynb"


def _cells() -> list[dict]:
    return _lesson09.cells(NOTEBOOK)


def _sources() -> list[str]:
    return ["".join(cell["source"]) for cell in _cells()]


def test_the_soft_hard_subsection_is_gone_and_one_line_cites_table_3():
    text = "\n".join(_sources())
    assert "### Soft against hard distillation" not in text
    # round 18e (review 18d): the printed attempt is gone; the table keeps one line
    assert "trained too little to compare" in text and "Appendix A says why" in text  # 21a: the repeated citation cut


def test_the_headline_picture_is_head_1_whose_row_0_peaks():
    source = next(s for s in _sources() if s.startswith("with capture_attention(model) as attentions"))
    # round 18d (review 18c): head 1's row 0 is 0.00 at keys 0-5, so the picture is the head average; head 1 printed
    assert "plot_slice_matrix(head_mean" in source and "4 heads averaged: N = 51" in source
    # round 21a (review r20d): the picture shows a digit without a dominant key; head 1's stripe is appendix C's
    assert any(s.startswith("head = 1  # the most peaked head") for s in _sources())


def test_the_margins_come_from_the_widgets_helper():
    source = next(s for s in _sources() if s.startswith("print(w.line)"))
    assert "w.top_two(" in source and "topk" not in source and len(source.splitlines()) <= 7


def test_top_two_reads_the_right_maps_two_largest_patches():
    from vit_explained.distill import load_mnist_deit
    from vit_explained.widgets.lesson09 import deit_attention_explorer

    torch.manual_seed(0)
    model = load_mnist_deit()
    images, labels = torch.rand(2, 1, 28, 28), torch.tensor([3, 5])
    explorer = deit_attention_explorer(model, images, labels)
    matrix = explorer.matrix_for(digit=1, block=2, head="mean", method="raw attention")
    expected = matrix[1, 2:].topk(2).values.tolist()  # token 1's row, the patches' columns
    assert explorer.top_two(digit=1, block=2, query=1) == pytest.approx(expected)


def test_the_recipe_table_names_model_ema():
    table = next(s for s in _sources() if s.startswith('<a id="recipe"></a>'))  # fix 22a: appendix C
    assert "| model EMA | evaluates a running average of the weights (decay 0.99996)" in table
    assert "the paper: +0.1 point" in table  # round 18c: the unchecked section number dropped


def test_the_relabel_figure_labels_its_seeds():
    from vit_explained.plotting.lesson09 import plot_relabel_ablation

    fig = plot_relabel_ablation({"distillation head, 7 -> 1 teacher": [(0.9, 0.8, 0.95)] * 3})
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {"s0", "s1", "s2"} <= set(texts) and "seeds 0-2" in fig.axes[0].get_title()
    two = plot_relabel_ablation({"class head, 7 -> 1 teacher": [(0.0, 0.0, 0.07)] * 2})  # round 18b: 2 seeds
    assert "s0-s1: seeds 0-1" in two.axes[0].get_title()


def test_the_qa_signature_message_gives_no_fixed_signature():
    def make(attn_obj):
        def my_forward(x):  # the Q&A's signature
            return x

        return my_forward

    with pytest.raises(ExerciseFailed) as raised:
        lesson09.check_my_forward(make)
    message = str(raised.value)
    assert "takes only x raises TypeError" in message and "is_causal=False" not in message and "**kwargs" not in message
