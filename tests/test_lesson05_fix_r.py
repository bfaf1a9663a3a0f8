"""Lesson 05, fix round r: the freeze panel's nothing-frozen rings, the saturation figure's x label, exercise 8's
checker (no leaked warning, an unambiguous message), and where the notebook's claims now sit."""

import json
import warnings
from pathlib import Path

import matplotlib
import pytest
import torch
import torch.nn.functional as F

matplotlib.use("Agg")

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson05 import check_route_ratio
from vit_explained.plotting.lesson05 import (
    REFERENCE_LABEL,
    plot_freeze_and_cut,
    plot_gradient_norms,
    plot_softmax_saturation,
)

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_where_gradients_flow.ipynb"
GROUPS = {("block 0", "qkv"): 0.5, ("block 0", "mlp"): 0.0, ("head", "head"): 0.3}
NOTHING_FROZEN = {("block 0", "qkv"): 0.5, ("block 0", "mlp"): 0.4, ("head", "head"): 0.3}


def _rings(ax):
    return [line for line in ax.lines if line.get_markerfacecolor() == "none" and line.get_marker() == "o"]


def test_freeze_panel_draws_the_nothing_frozen_norms_as_rings():
    fig = plot_freeze_and_cut(
        GROUPS, [0.5], cut=[True], freeze_title="freeze", cut_title="cut", reference=NOTHING_FROZEN
    )
    left = fig.axes[0]
    rings = _rings(left)
    assert sorted(line.get_ydata()[0] for line in rings) == [0.3, 0.4, 0.5]  # the frozen MLP's ring included
    assert all(line.get_zorder() < 2 for line in rings)  # behind the dots
    assert REFERENCE_LABEL in [text.get_text() for text in left.get_legend().get_texts()]
    assert fig.axes[1].yaxis.label.get_fontsize() >= 11  # the cut panel's y label, larger


def test_no_rings_without_a_reference():
    assert not _rings(plot_gradient_norms(GROUPS).axes[0])


def test_saturation_x_label_can_say_the_scores_grow_as_c_squared():
    from vit_explained.attention_backward import HeadWeights
    from vit_explained.gradient_experiments import saturation_sweep

    torch.manual_seed(0)
    x, grad_out = torch.randn(2, 5, 6, dtype=torch.float64), torch.randn(2, 5, 3, dtype=torch.float64)
    head = HeadWeights(*(0.02 * torch.randn(3, 6, dtype=torch.float64) for _ in range(3)))
    sweep = saturation_sweep(x, grad_out, head, [1.0, 10.0], rows="qk")
    fig = plot_softmax_saturation(sweep, xlabel="c  (scores x $c^2$)")
    assert all(ax.get_xlabel() == "c  (scores x $c^2$)" for ax in fig.axes)
    assert "multiplied by" in plot_softmax_saturation(sweep).axes[0].get_xlabel()  # the default stays


def _solution(model, images, labels, block):
    grads = {}
    handles = [
        model.blocks[block].norm2.register_forward_pre_hook(
            lambda m, i: i[0].register_hook(lambda g: grads.update(total=g)) and None
        ),
        model.blocks[block].register_forward_hook(
            lambda m, i, o: o.register_hook(lambda g: grads.update(skip=g)) and None
        ),
    ]
    F.cross_entropy(model(images), labels).backward()
    for handle in handles:
        handle.remove()
    warnings.warn("a learner's own warning", UserWarning, stacklevel=1)
    ratio = grads["skip"].norm() / (grads["total"] - grads["skip"]).norm()
    return float(ratio.requires_grad_())  # float() of a tensor that requires grad may warn


def test_route_ratio_checker_lets_no_warning_leak(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning that leaks out of the checker fails the test
        check_route_ratio(_solution)
    assert "Correct" in capsys.readouterr().out


def test_route_ratio_wrong_value_message_is_unambiguous():
    with pytest.raises(ExerciseFailed, match=r"your ratio \(1\) differs from record_residual_routes's in block \d"):
        check_route_ratio(lambda *a: 1.0)


def _sources():
    return ["".join(cell["source"]) for cell in (nb.cells(NOTEBOOK) + nb.cells(APPENDIX))]


def test_notebook_places_and_wording():
    sources = _sources()
    joined = "\n".join(sources)
    at = lambda text: next(i for i, s in enumerate(sources) if text in s)  # noqa: E731
    assert (
        "at timm 1.0.28's init (std 0.02)" in joined
        and "starts at\n8 to 83 over 3 seeds; its trained checkpoint gets 1.7 to 2.8 (appendix C)" in joined
    )
    assert at("times_less = [") > at("### A · Why the LayerNorms")  # the LayerNorm paragraph: appendix A
    assert at("**Prediction.** v / max(q, k) is 403") < at("scalings = (") < at("Observed: 26, 42 and 3.1")
    assert at("fused = small_digit_vit(fused=True)") == at("small_cuts = small_model_cuts(") + 1  # 18c: hidden
    assert at("# catch X and dO") + 1 == at("# compare M's count")  # cell 34, split in two
    assert "within a factor 1.5 (|M| 1/459, dQ 1/319)" in joined and "Measured, $dQ$ keeps" in joined
    assert at("### H · When the softmax saturates") > at("### G · Section 4") > at("### F ·")  # G, H: appendix
    assert "scores x $c^2$" in joined and "169" in joined
    assert "100 % when, e.g., $g_\\text{cut} = 0$" in joined and "`--clip-mode` defaults to `norm`" in joined
    assert "FlashAttention" in joined and "validation digits right" in joined
    cells = nb.cells(NOTEBOOK) + nb.cells(APPENDIX)
    visible = [i for i, c in enumerate(cells) if "hide-input" not in c.get("metadata", {}).get("tags", [])]
    assert len([i for i in visible if i < at("## Summary")]) <= 43  # the answer within about 43 visible cells


SOLUTIONS = NOTEBOOK.parent / "solutions" / "05_where_gradients_flow_solutions.ipynb"


def test_exercise_4_text_is_the_same_in_lesson_and_solutions():
    def exercise_4(path):
        cells = json.loads(path.read_text())["cells"]
        (text,) = ["".join(c["source"]) for c in cells if "".join(c["source"]).startswith("### Exercise 4 ·")]
        return text

    assert exercise_4(NOTEBOOK) == exercise_4(SOLUTIONS)
    assert "w_q_gradient(x, k, grad_scores)" in exercise_4(NOTEBOOK)


def test_exercise_4_accepts_a_per_image_loop_and_names_dks_pattern(capsys):
    from vit_explained.exercises.lesson05 import check_w_q_gradient

    def loop(x, k, grad_scores):
        total = torch.zeros(k.shape[-1], x.shape[-1], dtype=x.dtype)
        for image in range(x.shape[0]):
            total = total + (grad_scores[image] @ k[image] / k.shape[-1] ** 0.5).T @ x[image]
        return total

    check_w_q_gradient(loop)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match="the keys' pattern, a column of dS"):
        check_w_q_gradient(lambda x, k, g: ((g.mT @ k / k.shape[-1] ** 0.5).mT @ x).sum(0))


def test_qkv_rows_panels_write_small_ratios_with_one_decimal():
    from vit_explained.plotting.lesson05 import plot_qkv_rows

    fig = plot_qkv_rows(
        {
            "start": {"block 0": {"q": 0.01, "k": 0.02, "v": 1.0}},
            "trained": {"block 0": {"q": 0.1, "k": 0.2, "v": 0.34}},
        }
    )
    texts = [[t.get_text() for t in ax.texts] for ax in fig.axes]
    assert [ax.get_title() for ax in fig.axes] == ["start", "trained"]
    note = "the numbers at the bottom: v / max(q, k)"  # one short number under each block, the ratio named once
    assert texts == [["50x"], ["1.7x"]] and [ax.get_xlabel() for ax in fig.axes] == [note, note]  # 17f: off the points


def test_appendix_c_draws_the_trained_right_panel():
    sources = _sources()
    at = next(i for i, s in enumerate(sources) if "plot_qkv_rows({" in s)
    assert sources[at - 1].startswith('ratios = {"initialised"')
