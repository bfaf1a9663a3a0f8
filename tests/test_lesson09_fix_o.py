"""Lesson 09, fix round o: exercise 3's renormalised cls_attn_map message."""

import pytest
from test_lesson09_exercises import stores

from tests import _lesson09
from vit_explained.exercises import ExerciseFailed, lesson09


@pytest.mark.parametrize(
    ("select", "message"),
    [
        (lambda a: a[:, :, 0, 2:] / a[:, :, 0, 2:].sum(-1, keepdim=True), "renormalised to sum to 1 over the patches"),
        (lambda a: a[:, :, 0, 2:] * 2, "right shape .* values differ"),
        (lambda a: a[:, :, 0, 2:5], r"should be \(B, heads, patches\) = .*, got"),
    ],
)
def test_cls_attn_map_slips_are_named(select, message):
    with pytest.raises(ExerciseFailed, match=message):
        lesson09.check_my_forward(stores(select))


# --- the widget: the right slice's top patch and the heads' and teacher's predictions ---------------------------


def test_the_widget_names_the_right_top_patch_and_what_each_head_and_the_teacher_say():
    from vit_explained.data import load_mnist
    from vit_explained.distill import load_mnist_cnn, load_mnist_deit
    from vit_explained.widgets.lesson09 import deit_attention_explorer

    data = load_mnist()
    w = deit_attention_explorer(
        load_mnist_deit(),
        data.test_images[:2],
        data.test_labels[:2],
        view="class | distillation",
        start=1,
        teacher=load_mnist_cnn(),
    )
    assert "class token top patch, wrong slice (1, 4) 68% on ink, right slice (1, 3) 72% on ink" in w.line
    assert w.line.endswith("class head 6, distillation head 6, teacher 6")
    line, fig = w.compute(**w.values)
    assert line == w.line and line.startswith(fig._suptitle.get_text().split("\n")[0])  # 17b: title = its head
    w.controls["start"].value = 2
    assert "right slice" not in w.line and w.line.endswith("teacher 6")
    w.controls["view"].value = "one token"  # lesson 08's picture: the line carries the readout, the title its head
    line, fig = w.compute(**w.values)
    assert line.endswith("teacher 6") and line.startswith(fig._suptitle.get_text().replace("\n", " "))


def test_without_a_teacher_the_readout_names_the_two_heads_only():
    from vit_explained.data import load_mnist
    from vit_explained.distill import load_mnist_deit
    from vit_explained.widgets.lesson09 import deit_attention_explorer

    data = load_mnist()
    w = deit_attention_explorer(load_mnist_deit(), data.test_images[:1], data.test_labels[:1])
    assert w.line.endswith("class head 6, distillation head 6")


# --- the relabel picture and section 3's demonstration ---------------------------------------------------------


def test_plot_relabel_ablation_draws_one_bar_per_seed_and_refuses_an_empty_arm():
    from vit_explained.plotting.lesson09 import plot_relabel_ablation

    fig = plot_relabel_ablation({"a, x": [(0.8, 0.7, 0.9)] * 3, "b, y": [(0.1, 0.05, 0.2)] * 3})
    assert len(fig.axes[0].patches) == 6
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a\nx", "b\ny"]
    with pytest.raises(ValueError, match="at least one seed"):
        plot_relabel_ablation({"a": []})


def _sources():
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "notebooks" / "09_deit_distillation.ipynb"
    return ["".join(c["source"]) for c in _lesson09.cells(path)]


def test_the_hard_distillation_section_shows_the_training_step_and_the_planted_mistake():
    sources = _sources()  # fix round w: hard distillation is section 3, right after the paper's idea (section 2)
    section_3 = next(i for i, s in enumerate(sources) if s.startswith("## 3 · Hard distillation"))
    section_4 = next(i for i, s in enumerate(sources) if s.startswith("## 4 · "))
    between = "\n".join(sources[section_3:section_4])
    assert "step_loss.backward()" in between and "parameter -= 0.05 * parameter.grad" in between
    assert "called_1 = {" in between  # fix 20e (review r20d): the planted mistake as a teacher x head table
    text = "\n".join(sources)
    assert "Why hard won" not in text and "copy the teacher's mistakes equally often" not in text
    assert "This lesson never runs `deit_small_distilled_patch16_224`: its DeiT is a small one" in sources[0]
