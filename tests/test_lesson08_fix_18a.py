"""Lesson 08, fix round 18a: the cascade figure fades low-peak panels; exercises 4, 5 and 6 name three more slips."""

import matplotlib
import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson08 as ex

matplotlib.use("Agg")


def test_cascade_fades_panels_by_shape_not_scale():
    from matplotlib.patches import Rectangle

    from vit_explained.plotting.lesson08 import FLAT_PEAK_TO_MEAN, plot_cascade

    steps = ["classifier", "classifier + block 1", "every layer"]
    maps = torch.full((4, 3, 3), 0.01)
    maps[:, 1, 1] += torch.tensor([1.0, 0.09, 0.005, 0.002])  # round 18c: the 0.09 panel is faint but peaked
    maps[1] *= 0.1  # ... and its scale is a tenth: the rule must not see it
    fig = plot_cascade(torch.rand(1, 12, 12), {"rollout": maps}, steps, shared=False, columns=2)
    veiled = [any(isinstance(p, Rectangle) and p.get_hatch() == "//" for p in ax.patches) for ax in fig.axes]
    assert FLAT_PEAK_TO_MEAN == 2.0
    assert sum(veiled) == 2  # the two panels whose peak is under twice their mean, not the faint peaked one
    keys = [t.get_text() for legend in fig.legends for t in legend.get_texts()]  # 21c: the rule moved to the key
    assert any("near-flat" in k for k in keys)
    greyed = [ax for ax, v in zip(fig.axes, veiled, strict=True) if v]
    assert all(im.get_cmap().name == "gray" and im.get_clim() == (0.0, 2.0) for ax in greyed for im in ax.images)
    assert all("near-flat" in ax.get_title() for ax in greyed)
    assert all("peak/mean" in ax.get_title() for ax in greyed)  # each panel's shape value in its title


def _solution_4_first_order(model, images, labels, scores, counts):
    batch, rows, cols = scores.shape
    ph, pw = images.shape[-2] // rows, images.shape[-1] // cols
    order = scores[0].flatten().argsort(descending=True)  # the slip: the first image's order for all
    curves = []
    for k in counts:
        keep = torch.zeros(rows * cols)
        keep[order[:k]] = 1
        mask = keep.reshape(rows, cols).repeat_interleave(ph, 0).repeat_interleave(pw, 1)
        with torch.no_grad():
            probs = model(images * mask).softmax(-1)
        curves.append(probs[torch.arange(batch), labels])
    return torch.stack(curves, 1)


def test_exercise_4_names_the_first_images_order():
    with pytest.raises(ExerciseFailed, match="the first image's order"):
        ex.check_insertion_curve(_solution_4_first_order)


def _chefer(renormalise_mix: bool, at_end: bool, per_head: bool = False):
    def chefer_rollout(weights, gradients):
        eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
        relevance = eye.expand_as(weights[0][:, 0])
        for a, g in zip(weights, gradients, strict=True):
            products = (g * a).clamp(min=0)
            bar = (products / products.sum(-1, keepdim=True).clamp_min(1e-12) if per_head else products).mean(1)
            if renormalise_mix:
                mixed = 0.5 * eye + 0.5 * bar
                relevance = (mixed / mixed.sum(-1, keepdim=True)) @ relevance
            else:
                relevance = relevance + bar @ relevance
        return relevance / relevance.sum(-1, keepdim=True) if at_end else relevance

    return chefer_rollout


def test_exercise_5_names_rows_re_normalised():
    with pytest.raises(ExerciseFailed, match=r"the mix I \+ Ā or 0.5 \* I \+ 0.5 \* Ā"):
        ex.check_chefer_rollout(_chefer(True, False))
    with pytest.raises(ExerciseFailed, match="each head's rows"):
        ex.check_chefer_rollout(_chefer(False, False, per_head=True))
    with pytest.raises(ExerciseFailed, match="once, at the end"):
        ex.check_chefer_rollout(_chefer(False, True))


def test_exercise_6_names_a_constant_answer_without_guessing_column_0():
    with pytest.raises(ExerciseFailed, match="does not depend on the weights") as failure:
        ex.check_max_fusion_top_patch(lambda weights, rows, cols: torch.zeros(len(weights[0]), 2, dtype=torch.long))
    assert "column 0" not in str(failure.value)


def test_exercise_6_still_names_column_0_in_the_argmax():
    def whole_row(weights, rows, cols):
        eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
        relevance = eye.expand_as(weights[0][:, 0])
        for w in weights:
            mixed = 0.5 * w.amax(1) + 0.5 * eye
            relevance = (mixed / mixed.sum(-1, keepdim=True)) @ relevance
        flat = relevance[:, 0].argmax(-1)  # the slip: column 0 included
        return torch.stack([flat // cols, flat % cols], -1)

    with pytest.raises(ExerciseFailed, match="column 0"):
        ex.check_max_fusion_top_patch(whole_row)
