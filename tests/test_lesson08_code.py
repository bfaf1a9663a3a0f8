"""Lesson 08's behaviour tests: the package's checkers, helpers, figures, widgets and stored results.

Folded verbatim from the per-round test files (rounds k to 24f; each block below names its round): same assertions,
same tolerances; helpers that two rounds defined differently carry their round's suffix.
"""

from __future__ import annotations

import inspect
import json
import math
from pathlib import Path

import matplotlib
import pytest
import torch
from matplotlib.patches import Rectangle

from tests import _notebook as nb
from tests.test_lesson08_insertion import _slip
from tests.test_widgets_lesson08 import small_vit
from vit_explained import attention_maps as am
from vit_explained.attention_maps import (
    attention_rollout,
    capture_attention,
    centred_rank_correlation,
    class_token_attention,
    deletion_areas,
    noise_floor,
    rank_correlation,
)
from vit_explained.exercises import ExerciseFailed, lesson08
from vit_explained.exercises import lesson08 as ex
from vit_explained.exercises.lesson08 import (
    _top_patch,
    check_chefer_rollout,
    check_insertion_curve,
    check_record_outputs,
)
from vit_explained.plotting import lesson08 as plots
from vit_explained.plotting.lesson08 import plot_deletion_curves, plot_key_column_grid, plot_knob_maps
from vit_explained.pretrained import load_mnist_vit
from vit_explained.vit import ViT
from vit_explained.widgets.lesson08 import maps_explorer

# --- 17a: Lesson 08, fix round 17a: exercise 2's identity slips and exercise 4's grey fill get their own messa
matplotlib.use("Agg")


def _normalise(m: torch.Tensor) -> torch.Tensor:
    return m / m.sum(-1, keepdim=True)


def _ones_for_eye(matrices, keep=0.5):
    ones = torch.ones(matrices[0].shape[-1], matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype).expand_as(matrices[0])
    for m in matrices:
        result = _normalise((1 - keep) * m + keep * ones) @ result
    return result


def _ones_start(matrices, keep=0.5):
    eye = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = torch.ones_like(matrices[0])
    for m in matrices:
        result = _normalise((1 - keep) * m + keep * eye) @ result
    return result


def _into_product(matrices, keep=0.5):
    eye = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = eye
    for m in matrices:
        result = _normalise(keep * eye + (1 - keep) * (_normalise(m) @ result))
    return result


def _once(matrices, keep=0.5):
    eye = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = eye
    for m in matrices:
        result = _normalise(m) @ result
    return _normalise(keep * eye + (1 - keep) * result)


@pytest.mark.parametrize(
    ("slip", "named"),
    [
        (_ones_for_eye, "torch.ones\\(N, N\\), a matrix of ones, where the identity belongs"),
        (_ones_start, "you started R from torch.ones, not the identity"),
        (_into_product, "you mixed the identity into the running product"),
        (_once, "you added the identity once, after multiplying"),
    ],
)
def test_rollout_names_each_identity_slip(slip, named):
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_rollout

    with pytest.raises(ExerciseFailed, match=f"Not yet: .*{named}"):
        check_rollout(slip)


def test_rollout_right_answers_written_differently_still_pass():
    from vit_explained.exercises.lesson08 import check_rollout

    def with_bmm(matrices, keep=0.5):
        n = matrices[0].shape[-1]
        result = torch.eye(n, dtype=matrices[0].dtype).repeat(matrices[0].shape[0], 1, 1)
        for m in matrices:
            mixed = torch.lerp(m, torch.eye(n, dtype=m.dtype), keep)  # (1 - keep) * A + keep * I
            result = torch.bmm(mixed / mixed.sum(-1, keepdim=True), result)
        return result

    check_rollout(with_bmm)


def _insertion(fill):
    def curve(model, images, labels, scores, counts):
        batch, (rows, cols), (height, width) = len(images), scores.shape[-2:], images.shape[-2:]
        order = scores.flatten(1).sort(dim=-1, descending=True, stable=True).indices
        readings = []
        for k in counts:
            shown = torch.zeros(batch, rows * cols, dtype=images.dtype).scatter(1, order[:, :k], 1.0)
            mask = shown.reshape(batch, 1, rows, cols)
            mask = mask.repeat_interleave(height // rows, -2).repeat_interleave(width // cols, -1)
            with torch.no_grad():
                probabilities = model(images * mask + fill * (1 - mask)).softmax(-1)
            readings.append(probabilities[torch.arange(batch), labels])
        return torch.stack(readings, 1)

    return curve


def test_insertion_names_the_grey_fill_and_passes_the_black_one():
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_insertion_curve

    with pytest.raises(ExerciseFailed, match=r"Not yet: .*you filled the blank pixels with grey \(0.5\)"):
        check_insertion_curve(_insertion(0.5))
    check_insertion_curve(_insertion(0.0))


def test_attention_matrix_outlines_and_names_the_marked_key():
    from vit_explained.plotting.lesson08 import plot_attention_matrix

    fig = plot_attention_matrix(torch.softmax(torch.randn(50, 50), -1), grid=(7, 7), mark_key=11)
    assert any(t.get_text() == "key 11 = patch (1, 3)" for t in fig.axes[0].texts)
    assert any(p.get_x() == 10.0 and p.get_width() == 2.0 for p in fig.axes[0].patches)
    with pytest.raises(ValueError, match="mark_key"):
        plot_attention_matrix(torch.softmax(torch.randn(50, 50), -1), mark_key=50)


def test_cascade_wraps_each_method_into_rows_on_one_scale():
    from vit_explained.plotting.lesson08 import plot_cascade

    steps = ["classifier", "classifier + block 1", "every layer"]
    maps = {name: torch.rand(4, 3, 3, generator=torch.Generator().manual_seed(i)) for i, name in enumerate("ab")}
    fig = plot_cascade(torch.rand(1, 12, 12), maps, steps, own=False, columns=2)
    rows = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert rows[:4] == ["a\n(one scale)", "a,\ncontinued", "b\n(one scale)", "b,\ncontinued"]
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert sum("ρ" in t for t in titles) == 2 * len(steps)  # every re-drawn panel names its ρ
    short = plot_cascade(torch.rand(1, 12, 12), maps, steps, own=False, columns=3)  # rows of 3, then 1
    assert sum(not ax.get_visible() for ax in short.axes) == 2 * 2  # a method's short row: its 2 empty panels hidden
    with pytest.raises(ValueError, match="columns must be 1 to 3"):
        plot_cascade(torch.rand(1, 12, 12), maps, steps, own=False, columns=4)
    with pytest.raises(ValueError, match="own=False"):
        plot_cascade(torch.rand(1, 12, 12), maps, steps, columns=2)


def test_a_curve_on_the_reference_is_drawn_over_its_trace():
    from vit_explained.plotting.lesson08 import plot_deletion_curves

    base = torch.rand(20, 5, generator=torch.Generator().manual_seed(0))
    curves = {"ink first": base, "rollout": base + 0.001, "random": torch.rand(20, 5)}
    fig = plot_deletion_curves(curves, reference="ink first", counts=[0, 1, 2, 3, 4], mark_under=True)
    lines = fig.axes[0].get_lines()
    trace = next(line for line in lines if line.get_label()[0] == "_")
    rollout = next(line for line in lines if line.get_label().startswith("rollout"))
    other = next(line for line in lines if line.get_label().startswith("random"))
    assert rollout.get_zorder() > trace.get_zorder() > other.get_zorder()


def _rolled(weights, fuse="max", identity=True, normalise=True):
    eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
    result = eye.expand_as(weights[0][:, 0])
    for w in weights:
        fused = w.amax(1) if fuse == "max" else w.mean(1)
        mixed = 0.5 * fused + 0.5 * eye if identity else fused
        result = (mixed / mixed.sum(-1, keepdim=True) if normalise else mixed) @ result
    return result


def _rows_cols(index, cols):
    return torch.stack([index // cols, index % cols], dim=-1)


def _top(**knobs):
    return lambda weights, rows, cols: _rows_cols(_rolled(weights, **knobs)[:, 0, 1:].argmax(-1), cols)


def _as_tuples(weights, rows, cols):  # the right patches as a list of (row, col) tuples: refused since round 18b
    grids = _rolled(weights)[:, 0, 1:].reshape(-1, rows, cols)
    return [divmod(int(grid.argmax()), cols) for grid in grids]


def _unravelled(weights, rows, cols):  # another: torch.unravel_index on the (rows, cols) grid
    grids = _rolled(weights)[:, 0, 1:].reshape(-1, rows, cols)
    return torch.stack(torch.unravel_index(grids.flatten(1).argmax(-1), (rows, cols)), dim=-1)


@pytest.mark.parametrize("answer", [_top(), _unravelled])  # a list of tuples: refused (round 18b)
def test_max_fusion_right_answers_pass_and_report_digit_17(answer, capsys):
    from vit_explained.exercises.lesson08 import check_max_fusion_top_patch

    check_max_fusion_top_patch(answer)
    out = capsys.readouterr().out
    assert "On test digit 17 (a 7): max fusion's top patch (1, 5), plain rollout's (2, 4); both on the ink" in out


@pytest.mark.parametrize(
    ("slip", "named"),
    [
        (_top(fuse="mean"), "heads averaged \\(mean fusion\\)"),
        (_top(identity=False), "without the identity"),
        (_top(normalise=False), "did not re-normalise the rows"),
        (lambda w, r, c: _top()(w, r, c).flip(-1), "you returned \\(col, row\\)"),
        (lambda w, r, c: _rolled(w)[:, 0, 1:].argmax(-1), "you returned a flat index"),
        (lambda w, r, c: _rows_cols(_rolled(w)[:, 0, 1:].argmax(-1) + 1, c), "counts the class token"),
        (lambda w, r, c: _rows_cols(_rolled(w)[:, 0, 1:].argmax(-1), r).flip(-1), "you divided by rows"),  # r29a 6
        (lambda w, r, c: _rows_cols(w[-1].amax(1)[:, 0, 1:].argmax(-1), c), "the last block's max-fused attention"),
        (lambda w, r, c: torch.zeros(w[0].shape[0], 2, dtype=torch.long), "does not depend on the weights"),
    ],
)
def test_max_fusion_names_each_slip(slip, named):
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_max_fusion_top_patch

    with pytest.raises(ExerciseFailed, match=f"Not yet: .*{named}"):
        check_max_fusion_top_patch(slip)


def test_max_fusion_refuses_the_packages_rollout():
    from vit_explained.attention_maps import attention_rollout
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_max_fusion_top_patch

    def shortcut(weights, rows, cols):
        return _rows_cols(attention_rollout(weights, head_fusion="max")[:, 0, 1:].argmax(-1), cols)

    with pytest.raises(ExerciseFailed, match=r"your function called vit_explained\.attention_maps\.attention_rollout"):
        check_max_fusion_top_patch(shortcut)


# --- 17b: Lesson 08, fix round 17b: exercise 6 names column 0 included in the argmax and rows where cols belon


def _split_by_rows(weights, rows, cols):
    index = _rolled(weights)[:, 0, 1:].argmax(-1)
    return torch.stack([index // rows, index % rows], dim=-1)


@pytest.mark.parametrize(
    ("slip", "named"),
    [
        (lambda w, r, c: _rows_cols(_rolled(w)[:, 0].argmax(-1) - 1, c), "you included column 0 in the argmax"),
        (lambda w, r, c: _rows_cols(_rolled(w)[:, 0].argmax(-1), c), "column 0, the class token itself"),
        (_split_by_rows, "row = index // cols and col = index % cols"),
    ],
)
def test_max_fusion_names_column_0_and_the_rows_cols_swap(slip, named):
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_max_fusion_top_patch

    with pytest.raises(ExerciseFailed, match=f"Not yet: .*{named}"):
        check_max_fusion_top_patch(slip)


def _square_patch_curve(model, images, labels, scores, counts):
    batch, (rows, cols), height = len(images), scores.shape[-2:], images.shape[-2]
    side = height // rows  # the slip: the width taken as H // rows too
    order = scores.flatten(1).sort(dim=-1, descending=True, stable=True).indices
    readings = []
    for k in counts:
        shown = torch.zeros(batch, rows * cols, dtype=images.dtype).scatter(1, order[:, :k], 1.0)
        mask = shown.reshape(batch, 1, rows, cols).repeat_interleave(side, -2).repeat_interleave(side, -1)
        with torch.no_grad():
            readings.append(model(images * mask).softmax(-1)[torch.arange(batch), labels])
    return torch.stack(readings, 1)


def test_insertion_names_square_patches():
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_insertion_curve

    with pytest.raises(ExerciseFailed, match=r"Not yet: .*it seems to use H // rows for both sides.*W // cols"):
        check_insertion_curve(_square_patch_curve)


@pytest.mark.parametrize("dtype", [torch.float32, None])
def test_rollout_names_the_identity_alone_before_the_dtype(dtype):
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_rollout

    def identity(matrices, keep=0.5):
        n = matrices[0].shape[-1]
        return torch.eye(n, dtype=dtype or matrices[0].dtype).expand(matrices[0].shape[0], n, n)

    with pytest.raises(ExerciseFailed, match=r"Not yet: .*other matrices give the identity again: your result does"):
        check_rollout(identity)


def test_top_patch_summary_reads_the_table():
    from vit_explained.attention_maps import TopPatches

    rows = [
        (0, 0, (1, 1), 0.9, True),
        (0, 1, (0, 0), 0.05, False),
        (1, 0, (2, 2), 0.2, True),
        (1, 1, (0, 1), 0.3, False),
    ]
    lines = TopPatches(rows, "").summary(0.1, cut="5/49").splitlines()
    assert lines == [
        "peaked (top above 5/49 = 0.10): 3 of 4, tops 0.20 to 0.90",
        "top patches not inked (*: no pixel above 0.5): 2 of 4, their top weights 0.05 to 0.30",
        "inked top patches: their top weights 0.20 to 0.90; 1 of 2 above 0.30",
    ]


# --- 17c: Lesson 08, fresh review 17c: exercise 6 names the reversed block order; the fallback says whose valu


def _reversed_order(weights, rows, cols):
    """R = R @ mixed: each new block multiplied on the right."""
    eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
    result = eye.expand_as(weights[0][:, 0])
    for w in weights:
        fused = 0.5 * w.amax(1) + 0.5 * eye
        result = result @ (fused / fused.sum(-1, keepdim=True))
    return _top_patch(class_token_attention(result, (rows, cols)), cols)


def test_reversed_order_is_named():
    with pytest.raises(AssertionError, match="reversed order, R = R @ mixed"):
        lesson08.check_max_fusion_top_patch(_reversed_order)


def test_fallback_says_whose_value():
    def one_image_moved(weights, rows, cols):
        eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
        result = eye.expand_as(weights[0][:, 0])
        for w in weights:
            fused = 0.5 * w.amax(1) + 0.5 * eye
            result = (fused / fused.sum(-1, keepdim=True)) @ result
        right = _top_patch(class_token_attention(result, (rows, cols)), cols).clone()
        right[1] = (right[1] + 1) % torch.tensor([rows, cols])  # one image's patch moved
        return right

    with pytest.raises(AssertionError) as caught:
        lesson08.check_max_fusion_top_patch(one_image_moved)
    message = str(caught.value)
    assert "for image 1 is not its top patch" in message and message.split("your ")[1].startswith("(")


def test_value_norm_map_matches_a_hand_computation():
    from vit_explained import attention_maps as am
    from vit_explained.data import load_mnist
    from vit_explained.pretrained import load_mnist_vit

    model, images = load_mnist_vit(), load_mnist().test_images[:3]
    grid = tuple(model.patch_embedding.grid)
    streams = []
    handle = model.blocks[-1].register_forward_pre_hook(lambda module, inputs: streams.append(inputs[0]))
    with am.capture_attention(model) as weights, torch.no_grad():
        model(images)
    handle.remove()
    attention = model.blocks[-1].attn
    with torch.no_grad():
        _, _, values = attention.project_qkv(model.blocks[-1].norm1(streams[0]))  # (B, heads, N, d)
    by_hand = (weights[-1][:, :, 0, 1:] * values[:, :, 1:].norm(dim=-1)).mean(1)
    by_hand = (by_hand / by_hand.sum(-1, keepdim=True)).reshape(3, *grid)
    assert torch.allclose(am.value_norm_map(model, images, grid), by_hand, atol=1e-6)
    stored = am.stored_value_norm_areas()["value-norm"]
    assert stored.shape == (200,) and bool(((stored >= 0) & (stored <= 1)).all())


# --- 17d: Lesson 08, fresh review 17d: exercise 6 prints integer patches for a float answer; the cascade figur


def test_exercise_6_prints_integer_patches_for_a_float_answer(capsys):
    from vit_explained.exercises.lesson08 import check_max_fusion_top_patch

    def as_floats(weights, rows, cols):
        eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
        rolled = eye.expand_as(weights[0][:, 0])
        for w in weights:
            mixed = 0.5 * w.amax(1) + 0.5 * eye
            rolled = (mixed / mixed.sum(-1, keepdim=True)) @ rolled
        flat = rolled[:, 0, 1:].argmax(-1)
        return torch.stack([flat // cols, flat % cols], -1).double()  # right, but float64

    check_max_fusion_top_patch(as_floats)
    out = capsys.readouterr().out
    assert "top patch (" in out and ".0" not in out.split("On test digit 17")[1]


def test_cascade_own_scale_wrapped_titles_name_the_peak():
    from vit_explained.plotting.lesson08 import plot_cascade

    steps = ["classifier", "classifier + block 1", "every layer"]
    maps = {name: torch.rand(4, 3, 3, generator=torch.Generator().manual_seed(i)) for i, name in enumerate("ab")}
    maps["a"][1] *= 0.25  # a re-drawn map four times fainter
    fig = plot_cascade(torch.rand(1, 12, 12), maps, steps, shared=False, columns=2)
    rows = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert rows[:2] == ["a\n(own scales)", "a,\ncontinued"]
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    # round 18c: every panel's title gives its shape, peak / mean (the trained one too), which ignores scale
    assert sum("peak/mean" in t for t in titles) == 2 * (len(steps) + 1)
    shape = float(maps["a"][1].max() / maps["a"][1].mean())
    assert any(f"\npeak/mean {shape:.1f}" in t for t in titles)
    panel = fig.axes[2].images[-1].get_array()  # the first re-drawn panel of method a: scaled to its own largest
    assert abs(float(panel.max()) - 1.0) < 1e-6


# --- 18a: Lesson 08, fix round 18a: the cascade figure fades low-peak panels; exercises 4, 5 and 6 name three


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
    assert all("peak/mean" in ax.get_title() for ax in greyed)


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


# --- 18b: Lesson 08, fix round 18b: exercise 6 returns one tensor as exercises 2 to 4 do (a list or tuple refu


def test_exercise_6_refuses_a_list_or_a_tuple_by_name():
    with pytest.raises(ExerciseFailed, match="returned a Python list, not a tensor: return one \\(B, 2\\) tensor"):
        ex.check_max_fusion_top_patch(_as_tuples)
    with pytest.raises(ExerciseFailed, match="returned a Python tuple, not a tensor"):
        ex.check_max_fusion_top_patch(lambda w, r, c: tuple(_as_tuples(w, r, c)))


def test_exercise_6_names_the_last_row_slip():
    def last_row(weights, rows, cols):
        return _rows_cols(_rolled(weights)[:, -1, 1:].argmax(-1), cols)

    with pytest.raises(ExerciseFailed, match="you read the last token's row of R, R\\[:, -1\\]: the class token is"):
        ex.check_max_fusion_top_patch(last_row)


def test_exercise_6_names_the_column_slip():  # fix08f (review r27d minor 5): exercise 3's message, reused
    def column_0(weights, rows, cols):
        return _rows_cols(_rolled(weights)[:, 1:, 0].argmax(-1), cols)

    def column_0_loop(weights, rows, cols):  # the same slip written with a loop over the images
        rolled = _rolled(weights)
        return torch.stack([_rows_cols(rolled[b, 1:, 0].argmax(-1)[None], cols)[0] for b in range(len(rolled))])

    for slip in (column_0, column_0_loop):
        with pytest.raises(ExerciseFailed, match="you took a column of R, R\\[:, 1:, 0\\]: how much each patch reads"):
            ex.check_max_fusion_top_patch(slip)


# --- 18c: Lesson 08, fix round 18c: exercise 5 names vit-explain's grad_rollout, exercise 6 min fusion; messag


def _vit_explain_grad_rollout(weights, gradients):  # jacobgil/vit-explain's grad_rollout, discard 0
    identity = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
    result = identity.expand_as(weights[0][:, 0])
    for a, g in zip(weights, gradients, strict=True):
        fused = (a * g).mean(1).clamp(min=0)  # mean over heads, then clamp
        mixed = (fused + identity) / 2
        result = (mixed / mixed.sum(-1, keepdim=True)) @ result
    return result


def test_exercise_5_names_vit_explains_grad_rollout():
    with pytest.raises(ExerciseFailed, match=r"vit-explain's grad_rollout") as error:
        ex.check_chefer_rollout(_vit_explain_grad_rollout)
    assert len(str(error.value)) <= 250


def _min_fusion(weights, rows, cols):  # by hand: the exercise refuses a call to attention_rollout
    identity = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
    rolled = identity.expand_as(weights[0][:, 0])
    for w in weights:
        mixed = 0.5 * w.amin(1) + 0.5 * identity
        rolled = (mixed / mixed.sum(-1, keepdim=True)) @ rolled
    flat = rolled[:, 0, 1:].argmax(-1)
    return torch.stack([flat // cols, flat % cols], -1)


def test_min_fusion_by_hand_is_the_packages():
    weights = [torch.rand(2, 3, 10, 10, generator=torch.Generator().manual_seed(k)).softmax(-1) for k in range(2)]
    flat = class_token_attention(attention_rollout(weights, head_fusion="min"), (3, 3)).flatten(1).argmax(1)
    assert torch.equal(_min_fusion(weights, 3, 3), torch.stack([flat // 3, flat % 3], -1))


def test_exercise_6_names_min_fusion():
    with pytest.raises(ExerciseFailed, match=r"fused by their min"):
        ex.check_max_fusion_top_patch(_min_fusion)


def test_exercise_1_no_grad_and_popitem_messages_short():
    def under_no_grad(module, run):
        seen = []
        handle = module.register_forward_hook(lambda _m, _i, out: seen.append(out.detach()))
        try:
            with torch.no_grad():
                run()
        finally:
            handle.remove()
        return seen

    with pytest.raises(ExerciseFailed, match=r"torch.no_grad\(\)") as error:
        ex.check_record_outputs(under_no_grad)
    assert len(str(error.value)) <= 250
    assert len(ex._LATER_HOOK_GONE) <= 200


# --- 18e: Lesson 08, fix round 18e: section 9 reads a centred ρ (the layout all digits share subtracted) and t


def test_centred_rank_correlation_drops_the_shared_layout():
    generator = torch.Generator().manual_seed(0)
    layout = 10 * torch.arange(16.0).reshape(1, 4, 4)  # one strong layout every map shares
    a = layout + torch.rand(6, 4, 4, generator=generator)
    b = layout + torch.rand(6, 4, 4, generator=generator)  # the same layout, unrelated detail
    assert rank_correlation(a, b).min() > 0.99  # plain ρ: the layout alone looks like agreement
    assert centred_rank_correlation(a, b).abs().mean() < 0.5  # centred: what is left is unrelated
    assert torch.allclose(centred_rank_correlation(a, a), torch.ones(6, dtype=torch.float64))
    with pytest.raises(ValueError, match="B >= 2"):
        centred_rank_correlation(a[:1], b[:1])


def test_noise_floor_also_gives_the_centred_rho():
    from vit_explained.vit import ViT

    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    images, labels = torch.rand(5, 1, 12, 12), torch.tensor([0, 1, 2, 3, 0])
    quiet = noise_floor(model, images, labels, (3, 3), scale=0.0)
    assert set(quiet.centred) == set(quiet.rho)
    assert all(torch.allclose(r, torch.ones_like(r)) for r in quiet.centred.values())


def test_exercise_4_names_class_probabilities_by_their_shape():
    def every_class(model, images, labels, scores, counts):
        with torch.no_grad():
            return model(images).softmax(-1)  # (B, num_classes): here as wide as len(counts)

    def every_class_per_count(model, images, labels, scores, counts):
        with torch.no_grad():
            return torch.stack([model(images).softmax(-1) for _ in counts], 1)

    for slip in (every_class, every_class_per_count):
        with pytest.raises(ExerciseFailed, match="one probability per class") as failure:
            ex.check_insertion_curve(slip)
        assert "(B, len(counts))" in str(failure.value)


def test_exercise_2_names_a_missing_return_without_a_number():
    with pytest.raises(ExerciseFailed, match="returned None") as failure:
        ex.check_rollout(lambda matrices, keep: None)
    assert "a number" not in str(failure.value)


def _reversed_rollout(matrices, keep):
    eye = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = eye.expand_as(matrices[0]).clone()
    for a in matrices:
        mixed = keep * eye + (1 - keep) * a
        result = result @ (mixed / mixed.sum(-1, keepdim=True))
    return result


def test_messages_name_the_slip_without_the_fix_code():
    with pytest.raises(ExerciseFailed, match="layer order reversed") as failure:
        ex.check_rollout(_reversed_rollout)
    assert "mixed @ rollout" not in str(failure.value)
    with pytest.raises(ExerciseFailed, match="column 0, the class token itself") as failure:
        ex.check_max_fusion_top_patch(lambda w, r, c: _rows_cols(_rolled(w)[:, 0].argmax(-1), c))
    assert "R[:, 0, 1:]" not in str(failure.value)
    with pytest.raises(ExerciseFailed, match="you read the last token's row") as failure:
        ex.check_max_fusion_top_patch(lambda w, r, c: _rows_cols(_rolled(w)[:, -1, 1:].argmax(-1), c))
    assert "R[:, 0, 1:]" not in str(failure.value)
    for message in ex._MAX_FUSION_MISTAKES.values():
        assert "amax(dim=1)" not in message and "R = mixed @ R" not in message


# --- 18f: Lesson 08, fix round 18f: exercise 6's R[:, 0, :-1].argmax (column 0 kept, the last patch dropped) i


def test_exercise_6_routes_a_dropped_last_patch_to_column_0():
    def dropped_last(weights, rows, cols):
        return _rows_cols(_rolled(weights)[:, 0, :-1].argmax(-1), cols)  # column 0 kept, the last patch dropped

    with pytest.raises(ExerciseFailed, match="you included column 0 in the argmax") as failure:
        ex.check_max_fusion_top_patch(dropped_last)
    assert "does not depend on the weights" not in str(failure.value)


def test_exercise_6_still_names_a_constant_answer():
    with pytest.raises(ExerciseFailed, match="does not depend on the weights") as failure:
        ex.check_max_fusion_top_patch(lambda weights, rows, cols: torch.zeros(len(weights[0]), 2, dtype=torch.long))
    assert "column 0" not in str(failure.value)


def test_exercise_2_names_an_elementwise_product_from_ones():
    def elementwise(matrices, keep):
        eye = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
        relevance = torch.ones_like(matrices[0])
        for a in matrices:
            mixed = keep * eye + (1 - keep) * a
            relevance = mixed / mixed.sum(-1, keepdim=True) * relevance  # the slip: * where @ belongs
        return relevance

    with pytest.raises(ExerciseFailed, match=r"multiplied elementwise \(M \* R"):
        ex.check_rollout(elementwise)


# --- 19b: Lesson 08, fix of 5 Dec 2026 (review r19a_08): the sink-like heads measured per head (top key column


def test_photo_strip_on_two_rows():
    from vit_explained.plotting.lesson08 import plot_vit_explain_examples

    fig = plot_vit_explain_examples()
    rows = {round(ax.get_position().y0, 2) for ax in fig.axes}
    assert len(fig.axes) == 5 and len(rows) == 2
    assert min(ax.title.get_fontsize() for ax in fig.axes) >= 9


# --- 19d: Lesson 08, fix of 5 Dec 2026 (review r19c_08): section 9's verdict against every other digit (not ro


def test_ten_classifier_draws_stored_and_the_first_three_are_the_cascades():
    stored = am.stored_classifier_draws()
    rho = stored["rho"]["gradient-weighted"]
    assert rho.shape == (10, 32) and stored["accuracy"].shape == (10,)
    cascade = am.stored_cascade()
    for draw in range(3):
        table = torch.as_tensor(cascade.per_digit["classifier"]["gradient-weighted"][draw]).double()
        assert torch.allclose(rho[draw], table, atol=1e-6)
    results = json.loads((nb.NOTEBOOKS.parent / "benchmarks/results/lesson08_classifier_draws.json").read_text())
    assert results["rho"]["gradient-weighted"] == [[round(v, 6) for v in r] for r in rho.tolist()]


def test_rank_correlation_to_others_is_the_mean_over_every_other_map():
    maps = torch.rand(5, 3, 3, generator=torch.Generator().manual_seed(0))
    got = am.rank_correlation_to_others(maps)
    for i in range(5):
        others = [am.rank_correlation(maps[i : i + 1], maps[j : j + 1]).item() for j in range(5) if j != i]
        assert abs(got[i].item() - sum(others) / 4) < 1e-9
    with pytest.raises(ValueError):
        am.rank_correlation_to_others(maps[:1])


@pytest.mark.parametrize("returned", [None, 3.0, 7, "R"])
def test_chefer_checker_on_a_missing_tensor_names_no_number(returned):
    with pytest.raises(ExerciseFailed) as failed:
        lesson08.check_chefer_rollout(lambda weights, gradients: returned)
    message = str(failed.value)
    assert "a number also works" not in message and "return one (B, N, N) torch.Tensor" in message
    if returned is None:
        assert "None (a missing return?)" in message


# --- 20a: Lesson 08, review r19e: section 7's image-blind control measured (the validation digits' mean map of


def test_ink_lift_pairs_each_map_with_the_mean_map_on_the_same_digit():
    images = torch.zeros(2, 1, 4, 4)
    images[0, 0, :2, :2] = 1.0  # digit 0: ink in the top-left patch of a 2 x 2 grid
    images[1, 0, 2:, 2:] = 1.0  # digit 1: ink in the bottom-right patch
    maps = torch.tensor([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]]])  # each map on its own digit's ink
    reference = torch.full((3, 2, 2), 0.25)  # a flat mean map: a quarter on the one inked patch
    lift = am.ink_lift_over_mean_map(maps, reference, images)
    assert lift.share.estimate == pytest.approx(1.0) and lift.blind.estimate == pytest.approx(0.25)
    assert lift.gap.difference.estimate == pytest.approx(0.75) and lift.gap.difference.scale == 100
    assert "+75.0" in lift.row() and "25.0" in lift.row()
    swapped = am.ink_lift_over_mean_map(maps.flip(0), reference, images)  # each map on the other digit: below
    assert swapped.gap.difference.estimate == pytest.approx(-0.25)
    with pytest.raises(ValueError, match="same grid"):
        am.ink_lift_over_mean_map(maps, torch.ones(3, 3, 3), images)


def test_ink_figure_draws_the_image_blind_bars():
    est = am.ink_lift_over_mean_map(
        torch.ones(2, 2, 2), torch.ones(1, 2, 2), torch.ones(2, 1, 4, 4)
    ).share  # any Estimate in 0..1
    fig = plots.plot_ink_share_by_block([est], [est], 0.3, [est], [est])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "image-blind mean map of that kind" in labels
    with pytest.raises(ValueError, match="both"):
        plots.plot_ink_share_by_block([est], [est], 0.3, [est], None)


def test_near_flat_panels_have_a_key():
    maps = torch.rand(5, 3, 3, generator=torch.Generator().manual_seed(0)) ** 4  # peaked maps
    maps[3:] = 1.0  # the last two re-drawn maps flat
    steps = ["classifier", "classifier + block 3", "classifier + blocks 2-3", "every layer"]
    fig = plots.plot_cascade(torch.zeros(1, 6, 6), {"rollout": maps}, steps, shared=False, columns=4)
    keys = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert any(k.startswith("near-flat panel: grey scale") for k in keys)


# --- 20g: Lesson 08, review r20f_08: section 11 says its knobs run with rows normalised correctly and compares


def test_literal_vit_explain_matches_its_bug_and_the_package_without_it():
    torch.manual_seed(0)
    layers = [torch.rand(3, 2, 5, 5).softmax(-1) for _ in range(3)]  # rows sum to 1 per head
    same = am.vit_explain_agreement(layers, "mean", 0.0, (2, 2))  # mean fusion, no discard: rows already sum to 1
    assert torch.allclose(same["rho"], torch.ones(3, dtype=torch.float64)) and bool(same["same_top"].all())
    # max fusion: the literal code divides column j by row j's sum (no keepdim), as written out here by hand
    one = [layer[:1] for layer in layers]
    result = torch.eye(5)
    for layer in one:
        a = (layer.amax(1) + torch.eye(5)) / 2
        a = a / a.sum(-1)[:, None, :]  # the broadcast vit-explain's a / a.sum(dim=-1) does with a batch of one
        result = a @ result
    mask = result[0, 0, 1:]
    assert torch.allclose(am.vit_explain_rollout(one, 0.0, "max"), mask / mask.max())
    fixed = am.class_token_attention(am.attention_rollout(one, head_fusion="max"), (2, 2)).flatten()
    assert not torch.allclose(mask / mask.sum(), fixed / fixed.sum())  # the bug changes the map
    # the discard never drops the class token's weight on itself, and leaves the caller's tensors alone
    before = [layer.clone() for layer in one]
    am.vit_explain_rollout(one, 0.9, "mean")
    assert all(torch.equal(b, layer) for b, layer in zip(before, one, strict=True))


def test_explorer_title_says_each_map_is_scaled_to_its_own_max():
    import matplotlib.pyplot as plt

    from vit_explained.vit import ViT
    from vit_explained.widgets.lesson08 import maps_explorer

    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    w = maps_explorer(model, torch.rand(2, 1, 12, 12), torch.tensor([0, 1]))
    _, fig = w.compute(digit=0, block=1, head=0)
    words = " ".join([fig._suptitle.get_text() if fig._suptitle else ""] + [t.get_text() for t in fig.texts])
    assert "each map scaled to its own max" in words
    plt.close(fig)


# --- 20i: Lesson 08, review r20h_08: exercise 6's checker names vit-explain's missing keepdim (batched, where


def _fails(function, check, match: str) -> None:
    with pytest.raises(ExerciseFailed, match=match):
        check(function)


def _max_fused(weights, *, per_image: bool = False, keepdim: bool = True):
    n = weights[0].shape[-1]
    eye = torch.eye(n, dtype=weights[0].dtype)
    if per_image:
        return [_max_fused([w[b : b + 1] for w in weights], keepdim=keepdim)[0] for b in range(weights[0].shape[0])]
    rolled = eye.expand_as(weights[0][:, 0])
    for w in weights:
        a = 0.5 * w.amax(1) + 0.5 * eye
        a = a / a.sum(-1, keepdim=True) if keepdim else a / a.sum(dim=-1)
        rolled = a @ rolled
    return [rolled]


def _top_20i(rolled, cols):
    flat = rolled[:, 0, 1:].argmax(-1)
    return torch.stack([flat // cols, flat % cols], -1)


def no_keepdim_batched(weights, rows, cols):
    return _top_20i(_max_fused(weights, keepdim=False)[0], cols)


def no_keepdim_per_image(weights, rows, cols):
    return torch.cat([_top_20i(r, cols) for r in _max_fused(weights, per_image=True, keepdim=False)])


def right_loop(weights, rows, cols):
    return torch.cat([_top_20i(r, cols) for r in _max_fused(weights, per_image=True)])


def right_batched(weights, rows, cols):
    return _top_20i(_max_fused(weights)[0], cols)


def right_numpy(weights, rows, cols):
    import numpy as np

    n = weights[0].shape[-1]
    rolled = np.broadcast_to(np.eye(n), weights[0][:, 0].shape).copy()
    for w in weights:
        a = 0.5 * w.numpy().max(1) + 0.5 * np.eye(n)
        rolled = np.einsum("bij,bjk->bik", a / a.sum(-1)[..., None], rolled)
    flat = rolled[:, 0, 1:].argmax(-1)
    return torch.as_tensor(np.stack([flat // cols, flat % cols], -1))


def test_exercise_6_names_the_missing_keepdim_batched():
    _fails(no_keepdim_batched, lesson08.check_max_fusion_top_patch, "raised RuntimeError.*keepdim=True")


def test_exercise_6_names_the_missing_keepdim_one_image_at_a_time():
    _fails(no_keepdim_per_image, lesson08.check_max_fusion_top_patch, "one image at a time.*keepdim=True")


@pytest.mark.parametrize("answer", [right_loop, right_batched, right_numpy])
def test_exercise_6_right_answers_still_pass(answer, monkeypatch):
    monkeypatch.setattr(lesson08, "_on_digit_17", lambda function: "")
    lesson08.check_max_fusion_top_patch(answer)


def _chefer_20i(weights, gradients, *, eye_dtype=None, in_place=False):
    n = weights[0].shape[-1]
    eye = torch.eye(n, dtype=eye_dtype or weights[0].dtype)
    relevance = eye.expand(weights[0].shape[0], n, n)
    if not in_place:
        relevance = relevance.clone()
    for a, g in zip(weights, gradients, strict=True):
        bar = (g * a).clamp(min=0).mean(1)
        if in_place:
            relevance += bar @ relevance
        else:
            relevance = relevance + bar @ relevance
    return relevance


def chefer_float32_identity(weights, gradients):
    return _chefer_20i(weights, gradients, eye_dtype=torch.float32)


def chefer_in_place_on_expand(weights, gradients):
    return _chefer_20i(weights, gradients, in_place=True)


def test_exercise_5_names_a_float32_identity():
    _fails(chefer_float32_identity, lesson08.check_chefer_rollout, r"torch.eye\(N\) is float32 unless told")


def test_exercise_5_names_an_in_place_update_of_an_expanded_identity():
    _fails(chefer_in_place_on_expand, lesson08.check_chefer_rollout, r"\.clone\(\) or \.repeat")


def test_exercise_5_right_answer_still_passes():
    lesson08.check_chefer_rollout(_chefer_20i)


# --- 21c: Lesson 08, fix of 5 Dec 2026 (review r21d_08): the + blocks 1-3 panel's own ρ (+0.86) beside the 32


def test_cascade_suptitle_two_lines_and_rule_in_the_key():
    from vit_explained.plotting.lesson08 import plot_cascade

    maps = torch.rand(5, 3, 3, generator=torch.Generator().manual_seed(0)) ** 4
    maps[3:] = 1.0  # two flat re-drawn maps
    steps = ["classifier", "classifier + block 3", "classifier + blocks 2-3", "every layer"]
    fig = plot_cascade(torch.zeros(1, 6, 6), {"rollout": maps}, steps, shared=False, columns=4)
    assert len(fig._suptitle.get_text().splitlines()) == 2 and "near-flat" not in fig._suptitle.get_text()
    keys = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert any(k.startswith("near-flat panel: grey scale") and "under 2× its mean" in k for k in keys)


def test_near_flat_head_panel_is_labelled():
    from vit_explained.plotting.lesson08 import plot_class_token_heads

    maps = torch.full((2, 2, 3, 3), 0.01)
    maps[0, 0, 1, 1] = 0.9  # peaked
    maps[1, 1, 0, 0] = 0.9  # peaked; maps[0, 1] and maps[1, 0] flat
    fig = plot_class_token_heads(torch.zeros(2, 1, 6, 6), maps)
    labelled = [i for i, ax in enumerate(fig.axes) if any(t.get_text() == "near-flat" for t in ax.texts)]
    assert labelled == [2, 4]


# --- 21f: Lesson 08, review r21g_08: section 5's key-column table gets each head's most frequent key, used for


def _rolled_21f(weights, *, reverse: bool = False, columns: bool = False):
    eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
    rolled = eye.expand_as(weights[0][:, 0])
    for w in weights[::-1] if reverse else weights:
        a = 0.5 * w.amax(1) + 0.5 * eye
        a = a / a.sum(-1)[:, None, :] if columns else a / a.sum(-1, keepdim=True)
        rolled = a @ rolled
    flat = rolled[:, 0, 1:].argmax(-1)
    return flat


def batched_columns(weights, rows, cols):
    flat = _rolled_21f(weights, columns=True)
    return torch.stack([flat // cols, flat % cols], -1)


def walked_backwards(weights, rows, cols):
    flat = _rolled_21f(weights, reverse=True)
    return torch.stack([flat // cols, flat % cols], -1)


def right_divmod(weights, rows, cols):
    flat = _rolled_21f(weights)
    return torch.stack([torch.div(flat, cols, rounding_mode="floor"), torch.remainder(flat, cols)], -1)


def right_unravel(weights, rows, cols):
    import numpy as np

    flat = _rolled_21f([w.double() for w in weights]).numpy()
    return torch.as_tensor(np.stack(np.unravel_index(flat, (rows, cols)), -1))


def right_list_of_pairs(weights, rows, cols):
    return torch.tensor([divmod(int(f), cols) for f in _rolled_21f(weights)])


def test_exercise_6_names_both_causes_of_each_slip():
    with pytest.raises(ExerciseFailed, match=r"a\.sum\(-1\)\[:, None, :\]") as batched:
        lesson08.check_max_fusion_top_patch(batched_columns)
    assert "one image at a time" in str(batched.value) and "keepdim=True" in str(batched.value)
    with pytest.raises(ExerciseFailed, match="walked the list last to first") as backwards:
        lesson08.check_max_fusion_top_patch(walked_backwards)
    assert "reversed order, R = R @ mixed" in str(backwards.value)


@pytest.mark.parametrize("answer", [right_divmod, right_unravel, right_list_of_pairs])
def test_exercise_6_right_answers_pass(answer, monkeypatch):
    monkeypatch.setattr(lesson08, "_on_digit_17", lambda function: "")
    lesson08.check_max_fusion_top_patch(answer)


# --- 22a: Lesson 08, review r21j_08: section 5's two key-column tables become one 4x4 grid (block x head, colo


def test_key_column_grid_outlines_only_the_fixed_key_heads():
    values = torch.tensor([[51.5, 72.5, 66.0, 15.5], [88.5, 98.5, 100.0, 99.0]])
    mask = torch.zeros(2, 4, dtype=torch.bool)
    mask[0, 3] = True
    fig = plot_key_column_grid(values, mask, 33.0)
    ax = fig.axes[0]
    outlines = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(outlines) == 1 and outlines[0].get_xy() == (3 - 0.46, -0.46)
    assert sorted(t.get_text() for t in ax.texts) == sorted(f"{v:.1f} %" for v in values.flatten().tolist())
    assert "33.0 %" in fig.axes[1].get_ylabel()


def test_knob_maps_titles_each_panel_with_its_spread():
    maps = {"rollout": torch.rand(2, 7, 7), "max, discard 0.9": torch.rand(2, 7, 7)}
    spreads = {"rollout": torch.tensor([37.0, 38.9]), "max, discard 0.9": torch.tensor([12.0, 12.6])}
    fig = plot_knob_maps(torch.zeros(2, 1, 28, 28), maps, spreads, digit=1)
    titles = [ax.get_title() for ax in fig.axes]
    assert "rollout\nspread 38.9 patches" in titles and "max, discard 0.9\nspread 12.6 patches" in titles


# --- 22f: Lesson 08, review r22e_08: every Summary number is printed on the main path, or the bullet points to


def test_explorer_line_names_whose_prediction_predicted_is_after_a_redraw():
    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    w = maps_explorer(model, torch.rand(2, 1, 12, 12), torch.tensor([0, 1]))
    assert "prediction" not in w.line.split(";", 1)[1]
    w.controls["redrawn"].value = True
    predicted = int(w.predictions[0])
    assert f"class {predicted}: the trained model's prediction, not the re-drawn model's" in w.line
    w.set_values(**{"class": 2})
    assert "the trained model's prediction" not in w.line


# --- 23e: Lesson 08, review r23e_08: section 9's "why rollout's plain ρ stays high" is measured (exactly unifo


def test_item_7_docstring_says_never_returns():
    doc = " ".join(inspect.getdoc(capture_attention).split())
    assert "never returns that matrix (whether it computes one depends on the backend)" in doc
    assert "never computes that matrix" not in doc


# --- 24a: Lesson 08, review r23f_08: section 9's rule is printed and worded per draw next to the 3-draw mean;


def test_rule_verdicts_helper_reads_each_draw():
    cascade = am.stored_cascade()
    refs = {m: am.rank_correlation_to_others(cascade.draw_maps[m][:, 0]) for m in ("rollout", "gradient-weighted")}
    verdicts = am.rule_verdicts(cascade, refs, ["classifier"])
    assert verdicts.word("classifier", "gradient-weighted") == "not moved"
    assert verdicts.draw_words("classifier", "gradient-weighted") == ["not moved", "undecided", "not moved"]
    mean = verdicts.mean["classifier", "gradient-weighted"]
    assert abs(mean.estimate - sum(d.estimate for d in verdicts.per_draw["classifier", "gradient-weighted"]) / 3) < 1e-9


# --- 24c: Lesson 08, review r24b_08: section 11 says min fusion deletes detectably slower; section 9's verdict


def test_item_4_value_weighted_norm_helper_matches_the_block():
    import torch

    from vit_explained import attention_maps as am
    from vit_explained.data import load_mnist
    from vit_explained.pretrained import load_mnist_vit
    from vit_explained.vit import add_class_token

    model, images = load_mnist_vit(), load_mnist().test_images[:3]
    alpha, value, weighted = am.value_weighted_key_norms(model, images, 1, 2)
    assert alpha.shape == value.shape == weighted.shape == (3, 50)
    with torch.no_grad():
        stream = add_class_token(model.patch_embedding(images), model.class_token, model.pos_embedding)
        tokens = model.blocks[1].norm1(model.blocks[0](stream))
        attn = model.blocks[1].attn
        out, weights = attn(tokens, return_attention=True)
        v = attn.project_qkv(tokens)[2]
        d = attn.head_dim
        f = [v[:, h] @ attn.proj.weight[:, h * d : (h + 1) * d].T for h in range(attn.heads)]  # (B, N, inner) each
        assert torch.allclose(sum(weights[:, h] @ f[h] for h in range(attn.heads)) + attn.proj.bias, out, atol=1e-5)
        by_hand = (weights[:, 2, :, :, None] * f[2][:, None]).norm(dim=-1).mean(1)  # the norm of alpha_ij f(x_j)
    assert torch.allclose(alpha, weights[:, 2].mean(1), atol=1e-6)
    assert torch.allclose(value, f[2].norm(dim=-1), atol=1e-5)
    assert torch.allclose(weighted, by_hand, atol=1e-5)


# --- m: Lesson 08, fix round m: the explorer's set_values redraws once for several controls.


def test_set_values_sets_every_control_and_redraws_once():
    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    w = maps_explorer(model, torch.rand(3, 1, 12, 12), torch.tensor([0, 1, 2]))
    calls = []
    compute = w.compute
    w.compute = lambda **values: calls.append(values) or compute(**values)
    w.set_values(head=1, redrawn=True, **{"class": 2})
    assert len(calls) == 1 and calls[0]["head"] == 1 and calls[0]["class"] == 2 and calls[0]["redrawn"] is True
    assert "head 1" in w.line and "(class 2)" in w.line and "classifier re-drawn" in w.line
    w.controls["head"].value = "mean"  # a single control still redraws by itself
    assert len(calls) == 2 and "heads averaged" in w.line


# --- n: Lesson 08 fix round n: exercise 5 names abs and max-over-heads; exercise 4 names whose mean filled t


def _fused_by(fuse):
    def chefer_rollout(weights, gradients):
        relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand_as(weights[0][:, 0])
        for a, g in zip(weights, gradients, strict=True):
            relevance = relevance + fuse(g * a) @ relevance
        return relevance

    return chefer_rollout


@pytest.mark.parametrize(
    ("fuse", "message"),
    [
        (lambda p: p.abs().mean(1), "absolute value"),
        (lambda p: p.clamp(min=0).amax(1), "largest head"),
    ],
)
def test_chefer_names_abs_and_max_over_heads(fuse, message):
    with pytest.raises(ExerciseFailed) as failure:
        check_chefer_rollout(_fused_by(fuse))
    assert str(failure.value).startswith("Not yet: ") and message in str(failure.value)


@pytest.mark.parametrize(("fill", "whose"), [("image mean", "each image's mean"), ("batch mean", "the batch's mean")])
def test_insertion_names_whose_mean_filled_the_blanks(fill, whose):
    with pytest.raises(ExerciseFailed) as failure:
        check_insertion_curve(_slip(fill=fill))
    assert whose in str(failure.value)


def test_class_pair_shown_lines_names_each_digit_and_its_two_classes():
    from vit_explained.attention_maps import ClassPairMaps

    probabilities = torch.tensor([[0.1, 0.5, 0.4], [0.8, 0.15, 0.05]])
    pairs = ClassPairMaps(
        probabilities,
        probabilities.topk(3, dim=-1).indices,
        torch.tensor([0.1, 0.65]),
        torch.tensor([0, 1]),
        torch.tensor([0, 1]),
        torch.zeros(2, 3, 2, 2),
        torch.zeros(2, 2, 2),
    )
    lines, captions = pairs.shown_lines([1, 0], ("median", "smallest"), torch.tensor([1, 0]), torch.tensor([0.3, 0.9]))
    assert lines.splitlines() == [
        "median: validation digit 1, a 0; model: 0 (0.80) or 1 (0.15); cosine of the two maps 0.90",
        "smallest: validation digit 0, a 1; model: 1 (0.50) or 2 (0.40); cosine of the two maps 0.30",
    ]
    assert captions == ["a 0: 0 or 1", "a 1: 1 or 2"]


# --- q: Lesson 08, fix round q: the direct ink-mask test (`ink_pixel_share`).


def test_ink_pixel_share_by_hand():
    images = torch.zeros(1, 1, 4, 4)
    images[0, 0, 0, 0] = 1.0  # one ink pixel of 16, in the top-left 2x2 patch
    maps = torch.tensor([[[3.0, 1.0], [0.0, 0.0]]])  # 3/4 of the mass on the top-left patch
    share, area = am.ink_pixel_share(maps, images)
    assert torch.allclose(share, torch.tensor([0.75 / 4]))  # the patch's mass spread over its 4 pixels
    assert torch.allclose(area, torch.tensor([1 / 16]))


def test_a_flat_map_scores_the_ink_area():
    images = (torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0)) > 0.7).float()
    share, area = am.ink_pixel_share(torch.ones(3, 7, 7), images)
    assert torch.allclose(share, area)


def test_ink_pixel_share_rejects_bad_maps():
    with pytest.raises(ValueError):
        am.ink_pixel_share(torch.ones(2, 7, 7), torch.zeros(1, 1, 28, 28))
    with pytest.raises(ValueError):
        am.ink_pixel_share(-torch.ones(1, 7, 7), torch.zeros(1, 1, 28, 28))


def test_a_reversed_layer_list_is_named_in_exercises_2_and_5():
    from vit_explained.exercises import ExerciseFailed, lesson08

    def rollout(matrices, keep=0.5):  # the slip: the list walked last to first
        identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
        result = identity.expand_as(matrices[0])
        for m in reversed(matrices):
            mixed = keep * identity + (1 - keep) * m
            result = mixed / mixed.sum(-1, keepdim=True) @ result
        return result

    def chefer_rollout(weights, gradients):  # the same slip in exercise 5
        n = weights[0].shape[-1]
        result = torch.eye(n, dtype=weights[0].dtype).expand(weights[0].shape[0], n, n)
        for a, g in reversed(list(zip(weights, gradients, strict=True))):
            result = result + (g * a).clamp(min=0).mean(1) @ result
        return result

    with pytest.raises(ExerciseFailed, match="layer order reversed"):
        lesson08.check_rollout(rollout)
    with pytest.raises(ExerciseFailed, match="layer order reversed"):
        lesson08.check_chefer_rollout(chefer_rollout)


# --- r: Lesson 08, fix round r: the explorer's gradient-weighted deletion curve reads p(the chosen class).


def area_in(line: str, name: str) -> float:
    return float(line.split(f"; {name} (")[-1].split("area ")[1].split(";")[0].split(")")[0])


def test_another_class_reads_that_class_probability_and_the_true_class_reads_its_own():
    torch.manual_seed(0)
    model, images = small_vit(), torch.rand(2, 1, 12, 12)
    w = maps_explorer(model, images, torch.tensor([0, 1]))
    w.set_values(block=len(model.blocks) - 1, **{"class": 0})  # digit 0's true class
    assert "(deletion: the true class's probability): " in w.line and "p(class" not in w.line
    w.set_values(**{"class": 2})  # not digit 0's label
    assert "the gradient-weighted map's: p(class 2)" in w.line
    grid = w.weighted_map(0, len(model.blocks) - 1, 2)
    counts = sorted({min(k, w.grid[0] * w.grid[1]) for k in w.counts} | {w.grid[0] * w.grid[1]})
    _, by_class_2 = deletion_areas(model, images[:1], torch.tensor([2]), {"g": grid[None]}, counts=counts)
    assert abs(area_in(w.line, "gradient-weighted") - float(by_class_2["g"][0])) < 0.006


def failure(check, function) -> str:
    import pytest

    with pytest.raises(AssertionError) as caught:
        check(function)
    return str(caught.value)


def test_exercise_3_names_a_missing_return_and_a_number_without_offering_a_number():
    from vit_explained.exercises.lesson08 import check_class_token_grid

    assert "None (a missing return?)" in failure(check_class_token_grid, lambda w, r, c: None)
    message = failure(check_class_token_grid, lambda w, r, c: 0.5)
    assert "a single number" in message and "also works" not in message


def test_exercise_5_names_a_row_normalised_bar_and_a_missing_gradient():
    from vit_explained.exercises.lesson08 import check_chefer_rollout

    def normalised(weights, gradients):
        relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand(weights[0].shape[0], -1, -1)
        for a, g in zip(weights, gradients, strict=True):
            bar = (g * a).clamp(min=0).mean(1)
            relevance = relevance + bar / bar.sum(-1, keepdim=True).clamp_min(1e-12) @ relevance
        return relevance

    def no_gradient(weights, gradients):
        relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand(weights[0].shape[0], -1, -1)
        for a in weights:
            relevance = relevance + a.mean(1) @ relevance
        return relevance

    assert "re-normalised the rows" in failure(check_chefer_rollout, normalised)
    assert "A without the gradient" in failure(check_chefer_rollout, no_gradient)


# --- s: Lesson 08, fix round s: the deletion figure's gap panel, and exercise 3's flat-answer message.


def _curves(rows: int = 6, readings: int = 5) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return {name: torch.rand(rows, readings, generator=generator) for name in ("ink first", "rollout", "greedy")}


def test_gap_panel_draws_each_curve_minus_the_reference_paired():
    curves = _curves()
    fig = plot_deletion_curves(curves, reference="ink first", zoom=0.3, gaps=True)
    assert len(fig.axes) == 3  # the curves, the zoom, the gaps underneath
    gap_ax = fig.axes[-1]
    assert "minus ink first" in gap_ax.get_title() and "paired" in gap_ax.get_title()
    lines = [line for line in gap_ax.get_lines() if len(line.get_xdata()) == 5]
    assert len(lines) == 2  # rollout and greedy; the reference is the line at 0
    for line, name in zip(lines, ("rollout", "greedy"), strict=True):
        expected = (curves[name] - curves["ink first"]).double().mean(0).numpy()
        assert line.get_ydata() == pytest.approx(expected)
    assert len(gap_ax.collections) == 2  # one band per curve
    assert fig.axes[1].get_xlim() == pytest.approx((0, 0.3))


def test_gap_panel_needs_a_reference_and_the_same_images():
    with pytest.raises(ValueError, match="reference"):
        plot_deletion_curves(_curves(), gaps=True)
    curves = _curves()
    curves["rollout"] = curves["rollout"][:4]
    with pytest.raises(ValueError, match="pair the same images"):
        plot_deletion_curves(curves, reference="ink first", gaps=True)


def test_without_gaps_the_figure_is_as_before():
    fig = plot_deletion_curves(_curves(), reference="ink first", zoom=0.3)
    assert len(fig.axes) == 2


def test_exercise_3_flat_answer_names_no_code():
    def flat(weights, rows, cols):
        return weights[:, :, 0, 1:]

    with pytest.raises(ExerciseFailed) as failed:
        lesson08.check_class_token_grid(flat)
    message = str(failed.value)
    assert "still flat" in message and "row by row" in message
    assert ".reshape(" not in message


# --- t: Lesson 08 fix round t: exercise 1's checker names a transformed output and a hook on module.attend.


def _record(transform, target=lambda module: module):
    def record_outputs(module, run):
        outputs = []
        handle = target(module).register_forward_hook(lambda _m, _i, output: outputs.append(transform(output.detach())))
        try:
            run()
        finally:
            handle.remove()
        return outputs

    return record_outputs


def test_softmax_applied_again_is_named():
    with pytest.raises(ExerciseFailed, match=r"transformed the output \(e\.g\. softmax applied again\)"):
        check_record_outputs(_record(lambda output: output.softmax(-1)))


def test_hooking_module_attend_says_module_is_the_softmax():
    with pytest.raises(ExerciseFailed, match="module is the softmax itself"):
        check_record_outputs(_record(lambda output: output, target=lambda module: module.attend))


def test_the_reference_still_passes(capsys):
    check_record_outputs(_record(lambda output: output))
    assert "Correct!" in capsys.readouterr().out


# --- v: Lesson 08, fix round v: the stored run of benchmarks/bench_lesson08_draws.py (section 9's three draw


ROOT = Path(__file__).resolve().parents[1]


def test_the_packaged_copy_is_the_benchmarks_file_byte_for_byte():
    packaged = ROOT / "vit_explained" / "checkpoints" / "lesson08_draws.json"
    assert packaged.read_bytes() == (ROOT / "benchmarks" / "results" / "lesson08_draws.json").read_bytes()


def test_stored_draws_holds_three_draws_whose_first_is_the_cascades():
    stored, cascade = am.stored_draws(), am.stored_cascade()
    step = 1 + list(cascade.rows).index(stored["step"])
    for method, maps in stored["draw_maps"].items():
        assert maps.shape == (3, 32, 7, 7) and maps.dtype == torch.float32
        assert torch.equal(maps[0], cascade.draw_maps[method][:, step])  # the same draw, stored twice
        assert not torch.equal(maps[1], maps[0]) and not torch.equal(maps[2], maps[1])


def test_stored_cosines_are_appendix_cs_hundred_digits():
    cosines = am.stored_draws()["cosines"]
    assert set(cosines) == {"runner-up", "digit + noise"}
    assert all(c.shape == (100,) and c.dtype == torch.float64 for c in cosines.values())
    assert 0.3 < cosines["runner-up"].mean() < 0.45 and cosines["digit + noise"].mean() > 0.98


# --- w: Lesson 08, fix round w: compare_maps' verdict column agrees with its printed interval.


def test_compare_maps_says_touches_0_when_the_bound_prints_as_0():
    from vit_explained.attention_maps import compare_maps

    g = torch.Generator().manual_seed(0)
    b = torch.rand(200, generator=g, dtype=torch.float64)
    a = b + 0.0004 + 0.0001 * torch.randn(200, generator=g, dtype=torch.float64)  # low bound about +0.0004
    clear = b + 0.01 + 0.001 * torch.randn(200, generator=g, dtype=torch.float64)
    family = compare_maps({"tiny": (a, b), "clear": (clear, b)})
    assert family.at_95("tiny").difference.low > 0  # detectable, but only below the printed digits
    lines = str(family).splitlines()
    # the bound that prints as 0 is marked with a star, and the footnote says which end touches 0
    assert "[+0.000, +0.000]" in lines[1] and lines[1].split("]")[-1].split() == ["A", "higher*", "A", "higher*"]
    assert lines[2].split("]")[-1].split() == ["A", "higher", "A", "higher"]
    assert lines[-1].startswith("*: the interval leaves out 0") and "end nearest 0 rounds to 0" in lines[-1]
    assert "touches 0" not in "\n".join(lines[:-1])


def test_explorer_fusion_and_discard_drive_the_rollout_map_and_its_area():
    from vit_explained.attention_maps import attention_rollout, class_token_attention, deletion_areas
    from vit_explained.vit import ViT
    from vit_explained.widgets.lesson08 import maps_explorer

    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    images, labels = torch.rand(3, 1, 12, 12), torch.tensor([0, 1, 2])
    w = maps_explorer(model, images, labels)
    assert next(iter(w.controls)) == "digit" and list(w.controls)[-2:] == ["fusion", "discard"]
    assert w.controls["fusion"].options == ("mean", "max", "min")
    assert [value for _, value in w.controls["discard"].options] == [0.0, 0.5, 0.9]
    default = w.line
    assert "fusion" not in default  # the defaults: plain rollout, the line as before
    base = {"digit": 1, "block": 1, "head": "mean", "class": "predicted", "redrawn": False}
    assert w.compute(**base)[0] == w.compute(**base, fusion="mean", discard=0.0)[0]
    with torch.no_grad():
        from vit_explained.attention_maps import capture_attention

        with capture_attention(model) as weights:
            model(images[1:2])
    for fusion in ("mean", "max", "min"):
        for discard in (0.0, 0.5, 0.9):
            expected = class_token_attention(attention_rollout(weights, fusion, discard_ratio=discard), (3, 3))[0]
            assert torch.allclose(w.rollout_map(1, 1, fusion, discard), expected, atol=1e-6)
            line, _ = w.compute(**base, fusion=fusion, discard=discard)
            _, areas = deletion_areas(model, images[1:2], labels[1:2], {"r": expected[None]}, counts=list(range(10)))
            rollout_part = line.split("rollout (")[-1]
            assert f"area {float(areas['r'][0]):.2f}" in rollout_part.split(";")[0]
            if (fusion, discard) != ("mean", 0.0):
                assert f"rollout: {fusion} fusion, discard {discard:g}" in line
    w.controls["fusion"].value = "max"
    w.controls["discard"].value = 0.9
    assert "rollout: max fusion, discard 0.9" in w.line
    import pytest

    with pytest.raises(ValueError, match="fusion must be one of"):
        w.rollout_map(0, 1, "median", 0.0)


def test_rollout_checker_is_neutral_about_a_constant_answer():
    import pytest

    from vit_explained.exercises import lesson08

    def zeros(matrices, keep):
        return torch.zeros_like(matrices[0])

    def ones(matrices, keep):
        return torch.ones_like(matrices[0])

    def fifth(matrices, keep):
        return torch.full_like(matrices[0], 0.2)

    with pytest.raises(AssertionError) as zero:
        lesson08.check_rollout(zeros)
    text = str(zero.value)
    assert "your result is all zeros" in text and "If you started R from zeros" in text
    for constant, shown in ((ones, "1"), (fifth, "0.2")):
        with pytest.raises(AssertionError) as caught:
            lesson08.check_rollout(constant)
        assert f"every entry of your result is the same number, {shown};" in str(caught.value)
        assert "you started" not in str(caught.value)


def test_deletion_figure_keeps_gray_for_the_reference_and_names_a_hidden_curve():
    from matplotlib.colors import to_hex

    from vit_explained.plotting.lesson08 import plot_deletion_curves

    g = torch.Generator().manual_seed(0)
    base = torch.linspace(0.9, 0.1, 5).expand(20, 5)
    curves = {f"order {i}": (base * (1 - 0.08 * i)).clone() for i in range(8)}
    curves["ink first"] = base + 0.01 * torch.rand(20, 5, generator=g)
    fig = plot_deletion_curves(curves, reference="ink first", counts=[0, 1, 2, 3, 4], mark_under=True)
    legend = fig.axes[0].get_legend()
    labels = {t.get_text(): line for t, line in zip(legend.get_texts(), legend.get_lines(), strict=True)}
    assert any(text.startswith("order 0") and text.endswith(", lies on ink first") for text in labels)
    assert not any(text.startswith("order 7") and "lies on" in text for text in labels)
    colours = {to_hex(line.get_color()) for text, line in labels.items() if not text.startswith("ink first")}
    assert to_hex("C7") not in colours and len(colours) == 8  # gray is the reference's alone
    plain = plot_deletion_curves(curves, reference="ink first", counts=[0, 1, 2, 3, 4])
    assert not any("lies on" in t.get_text() for t in plain.axes[0].get_legend().get_texts())


def test_attention_matrix_ticks_name_a_grid_rows_patches():
    from vit_explained.plotting.lesson08 import plot_attention_matrix

    fig = plot_attention_matrix(torch.softmax(torch.randn(10, 10), -1), grid=(3, 3))
    names = [label.get_text() for label in fig.axes[0].get_xticklabels()]
    assert names == ["cls", "row 0's patches", "row 1's patches", "row 2's patches"]


def test_cascade_figure_can_show_the_one_scale_rows_alone():
    import pytest

    from vit_explained.plotting.lesson08 import plot_cascade

    maps = {"rollout": torch.rand(3, 3, 3), "gradient-weighted": torch.rand(3, 3, 3)}
    steps = ["classifier", "classifier + block 1"]
    both = plot_cascade(torch.rand(1, 12, 12), maps, steps)
    light = plot_cascade(torch.rand(1, 12, 12), maps, steps, own=False)
    labels = [ax.get_ylabel() for ax in light.axes if ax.get_ylabel()]
    assert any("(one scale)" in label for label in labels) and not any("(own scale)" in label for label in labels)
    assert len(light.axes) < len(both.axes)  # two rows instead of four
    assert any(ax.get_title().startswith("classifier\nρ") for ax in light.axes)  # the ρ titles stay
    with pytest.raises(ValueError, match="needs shared=True"):
        plot_cascade(torch.rand(1, 12, 12), maps, steps, shared=False, own=False)


# --- x: Lesson 08, fix round x: section 9's helpers (ρ on ink, top k kept, top k on ink, chance, noise floor


def test_inked_rank_correlation_reads_only_the_inked_patches():
    from vit_explained.attention_maps import inked_rank_correlation

    trained = torch.arange(8.0).reshape(1, 2, 4)
    redrawn = trained.clone()
    redrawn[0, 1] = -redrawn[0, 1]  # the second row reversed in order, and below the first
    ink = torch.zeros(1, 2, 4, dtype=torch.bool)
    ink[0, 0] = True  # only the first row inked: its order is kept
    assert inked_rank_correlation(trained, redrawn, ink).tolist() == pytest.approx([1.0])
    ink[0] = ~ink[0]  # only the second row: reversed
    assert inked_rank_correlation(trained, redrawn, ink).tolist() == pytest.approx([-1.0])
    with pytest.raises(ValueError, match="one shape"):
        inked_rank_correlation(trained, redrawn, ink[:, :1])


def test_top_k_kept_counts_the_shared_top_patches():
    from vit_explained.attention_maps import top_k_kept

    a = torch.tensor([[[9.0, 8, 7], [6, 5, 4], [3, 2, 1]]])
    b = torch.tensor([[[9.0, 0, 7], [0, 5, 4], [3, 2, 1]]])  # two of a's top 5 (8 and 6) pushed to the bottom
    assert top_k_kept(a, a).tolist() == [5.0] and top_k_kept(a, b).tolist() == [3.0]
    assert top_k_kept(a, b, k=1).dtype == torch.float64


def test_top_k_on_ink_follows_the_deletion_order_and_its_mask():
    from vit_explained.attention_maps import top_k_on_ink

    maps = torch.tensor([[[4.0, 3], [2, 1]], [[1.0, 1], [1, 1]]])  # the second: all tied, stable order 0, 1, 2, 3
    ink = torch.tensor([[[True, False], [True, True]], [[False, True], [True, True]]])
    assert top_k_on_ink(maps, ink, k=2).tolist() == [0.5, 0.5]
    assert top_k_on_ink(maps, ~ink, k=2).tolist() == [0.5, 0.5]
    assert top_k_on_ink(maps, ink, k=4).tolist() == [0.75, 0.75]
    with pytest.raises(ValueError, match="one shape"):
        top_k_on_ink(maps, ink[:1])


def test_ink_chance_top_k_matches_random_orders():
    from vit_explained.attention_maps import ink_chance_top_k

    ink = torch.zeros(2, 7, 7, dtype=torch.bool)
    ink.view(2, -1)[0, :10] = True
    ink.view(2, -1)[1, :4] = True  # fewer than 5 inked: all of them shared
    within, everywhere = ink_chance_top_k(ink)
    assert within == pytest.approx((25 / 10 + 16 / 4) / 2) and everywhere == pytest.approx(25 / 49)
    g = torch.Generator().manual_seed(0)  # a simulation of the first digit's value
    shared = [len(set(torch.randperm(10, generator=g)[:5].tolist()) & set(range(5))) for _ in range(4000)]
    assert sum(shared) / len(shared) == pytest.approx(2.5, abs=0.05)


def test_noise_floor_compares_each_map_with_its_noisy_twin():
    from vit_explained.attention_maps import noise_floor
    from vit_explained.vit import ViT

    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    images, labels = torch.rand(5, 1, 12, 12), torch.tensor([0, 1, 2, 3, 0])
    quiet = noise_floor(model, images, labels, (3, 3), scale=0.0)
    assert set(quiet.rho) == {"rollout", "gradient-weighted"} and bool(quiet.same_decision.all())
    assert all(torch.allclose(r, torch.ones(5, dtype=torch.float64)) for r in quiet.rho.values())
    loud = noise_floor(model, images, labels, (3, 3), scale=0.02)
    assert loud.scale == 0.02 and all(r.shape == (5,) and r.dtype == torch.float64 for r in loud.rho.values())


def _grad_only(weights, gradients):
    relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand_as(weights[0][:, 0])
    for g in gradients:
        relevance = relevance + g.clamp(min=0).mean(1) @ relevance
    return relevance


def _renormalised_each_layer(weights, gradients):
    relevance = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype).expand_as(weights[0][:, 0])
    for a, g in zip(weights, gradients, strict=True):
        relevance = relevance + (g * a).clamp(min=0).mean(1) @ relevance
        relevance = relevance / relevance.sum(-1, keepdim=True)
    return relevance


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (_grad_only, "gradient alone"),
        (_renormalised_each_layer, "re-normalised R's rows after each layer"),
        (lambda w, g: torch.eye(w[0].shape[-1]).expand_as(w[0][:, 0]), "the identity, R = I: that is only the start"),
        (lambda w, g: torch.eye(w[0].shape[-1], dtype=w[0].dtype).repeat(len(w[0]), 1, 1), "only the start"),
        (lambda w, g: torch.zeros_like(w[0][:, 0]).float(), "all zeros"),
    ],
)
def test_chefer_names_gradient_only_renormalised_and_constant_answers(wrong, message):
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_chefer_rollout

    with pytest.raises(ExerciseFailed, match=message):
        check_chefer_rollout(wrong)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda w, rows, cols: torch.zeros(w.shape[0], w.shape[1], rows, cols, dtype=w.dtype),
        lambda w, rows, cols: torch.full((w.shape[0], w.shape[1], rows, cols), 1 / (rows * cols), dtype=w.dtype),
        lambda w, rows, cols: torch.ones(w.shape[0], w.shape[1], rows, cols),
    ],
)
def test_grid_names_a_constant_answer(wrong):
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_class_token_grid

    with pytest.raises(ExerciseFailed, match=r"one value, .* everywhere: it does not read the weights"):
        check_class_token_grid(wrong)


def test_deletion_controls_builds_the_four_controls():
    from vit_explained.attention_maps import (
        attention_rollout,
        capture_attention,
        class_token_attention,
        deletion_controls,
        stroke_first,
    )
    from vit_explained.vit import ViT

    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    val, images = torch.rand(6, 1, 12, 12), torch.rand(3, 1, 12, 12)
    raw, greedy = torch.randn(3, 3, 3), torch.rand(3, 3, 3)
    controls = deletion_controls(model, val, images, raw, greedy)
    assert list(controls) == ["mean map (no image)", "occlusion, blank last", "occlusion, raw", "greedy (stored)"]
    with capture_attention(model) as weights, torch.no_grad():
        model(val)
    mean_map = class_token_attention(attention_rollout(weights), (3, 3)).mean(0)
    assert all(torch.allclose(m, mean_map) for m in controls["mean map (no image)"])
    assert torch.equal(controls["occlusion, blank last"], stroke_first(raw - raw.amin((1, 2), keepdim=True), images))
    assert controls["occlusion, raw"] is raw and controls["greedy (stored)"] is greedy


# --- z: Lesson 08, fix round z: the constant-answer messages of exercises 3 and 4 name the slip, not the ans


@pytest.mark.parametrize("fill", [0.0, 0.5])
def test_insertion_names_a_curve_that_ignores_image_and_map(fill):
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_insertion_curve

    def constant(model, images, labels, scores, counts):
        return torch.full((images.shape[0], len(counts)), fill)

    with pytest.raises(ExerciseFailed, match="your curve does not depend on the image or the map"):
        check_insertion_curve(constant)


def test_grid_constant_message_does_not_hand_over_the_answer():
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_class_token_grid

    with pytest.raises(ExerciseFailed) as failure:
        check_class_token_grid(lambda w, rows, cols: torch.zeros(w.shape[0], w.shape[1], rows, cols))
    message = str(failure.value)
    assert "does not read the weights" in message
    assert "row 0" not in message and "1 to N - 1" not in message and "reshape" not in message


# --- cut_k: Lesson 08, fix round k: the helpers that keep the lesson's visible cells short.


def test_rollout_map_is_the_class_tokens_row_of_rollout():
    model = load_mnist_vit()
    images = torch.rand(3, 1, 28, 28)
    grid = model.patch_embedding.grid
    with am.capture_attention(model) as weights, torch.no_grad():
        model(images)
    for residual in (True, False):
        expected = am.class_token_attention(am.attention_rollout(weights, residual=residual), grid)
        assert torch.allclose(am.rollout_map(model, images, grid, residual), expected)


def test_top_patch_table_marks_blank_top_patches_and_reads_each_head():
    maps = torch.zeros(2, 2, 2, 2)
    maps[0, 0, 0, 1], maps[0, 1, 1, 1] = 0.9, 0.6
    maps[1, 0, 1, 0], maps[1, 1, 0, 0] = 0.7, 0.4
    ink = torch.tensor([[[False, True], [False, False]], [[True, True], [True, True]]])
    top = am.top_patch_table(maps, ink, [6, 3], [0, 1])
    assert [row[:3] for row in top.rows] == [(0, 0, (0, 1)), (0, 1, (1, 1)), (1, 0, (1, 0)), (1, 1, (0, 0))]
    assert [inked for *_, inked in top.rows] == [True, False, True, True]
    lines = str(top).splitlines()
    assert lines[1].startswith("a 6") and "0.60*" in lines[1] and "0.90 " in lines[1]
    assert lines[2].startswith("a 3") and "*" not in lines[2]


def test_area_table_has_one_line_per_order_with_its_interval():
    areas = {"rollout": torch.tensor([0.1, 0.2, 0.3]), "ink first": torch.tensor([0.2, 0.2, 0.2])}
    text = am.area_table(areas, {"rollout": "map", "ink first": "control, no model"})
    lines = text.splitlines()
    assert "3 test digits" in lines[0] and len(lines) == 3
    assert lines[1].startswith("rollout") and "0.200, 95 % interval" in lines[1]


def test_the_stored_cascades_median_digit_is_the_lessons_seven():
    cascade = am.stored_cascade()
    digit = cascade.median_digit()
    assert digit == 12
    lines = cascade.digit_lines(digit).splitlines()
    assert len(lines) == len(cascade.rows) and lines[0].split()[0] == "classifier"


# --- stored_l: Lesson 08, fix round l: the stored results section 5 and appendix H read (benchmarks/bench_lesson08_


def test_packaged_copies_are_the_benchmarks_bytes():
    for name in ("lesson08_peaked.json", "lesson08_randomisation.pt"):
        packaged = ROOT / "vit_explained" / "checkpoints" / name
        assert packaged.read_bytes() == (ROOT / "benchmarks" / "results" / name).read_bytes()


def test_stored_top_weights_are_500_digits_by_4_heads_of_shares():
    top = am.stored_top_weights()
    assert top.shape == (500, 4) and bool((top > 0).all() and (top <= 1).all())
    share = (top > 5 / 49).float().mean().item()  # section 5's finding: 73.85 %
    assert abs(share - 0.7385) < 1e-9


def test_stored_randomisation_loads_a_table_of_five_draws():
    table, trained_maps = am.stored_randomisation()
    assert isinstance(table, am.RandomisationTable) and list(trained_maps) == ["rollout", "gradient-weighted"]
    assert len(table.every_layer_maps) == 5 and table.redrawn_update.shape == (5, 200)
    assert all(m.shape == (32, 7, 7) for m in trained_maps.values())
    assert all(isinstance(m, torch.Tensor) and m.untyped_storage().nbytes() == m.nbytes for m in trained_maps.values())
    assert "5 draws each" in str(table)


# --- 20a (its computing half; what the notebook prints is pinned in test_lesson08_story.py)
def test_section_12_reference_on_the_same_closest_calls():
    from vit_explained.data import load_mnist
    from vit_explained.pretrained import load_mnist_vit

    model, images = load_mnist_vit(), load_mnist().val_images[:40]
    grid = model.patch_embedding.grid
    result = am.closest_call_neighbour_cosines(model, images, grid, count=6)
    with torch.no_grad():
        best = model(images).softmax(-1).topk(2, dim=-1)
    assert torch.equal(result["picked"], (best.values[:, 0] - best.values[:, 1]).argsort()[:6])
    likeliest = best.indices[result["picked"], 0]
    maps = [
        am.class_token_attention(am.gradient_weighted_attention(model, images[i : i + 1], c[None])[0], grid).flatten()
        for i, c in zip(result["picked"].tolist(), likeliest, strict=True)
    ]
    expected = torch.nn.functional.cosine_similarity(maps[0], maps[1], dim=0)
    assert result["cosine"].shape == (6,) and result["cosine"][0].item() == pytest.approx(expected.item(), abs=1e-5)


# --- r25c item 4: the explorer names its digits as the lesson does ("test digit 17"), else "digit i"
def test_maps_explorer_names_its_digits_as_given():
    model = small_vit()
    images, labels = torch.rand(2, 1, 12, 12), torch.tensor([0, 1])
    w = maps_explorer(model, images, labels, names=["test digit 5", "test digit 17"])
    assert [label for label, _ in w.controls["digit"].options] == ["test digit 5: a 0", "test digit 17: a 1"]
    w.set_values(digit=1)
    assert w.line.startswith("test digit 17 (a 1, predicted ")
    assert maps_explorer(model, images, labels).line.startswith("digit 0 (a 0, predicted ")  # the default names
    with pytest.raises(ValueError, match="one per image"):
        maps_explorer(model, images, labels, names=["test digit 5"])


# --- fix08c (review r26c minor 9): section 10's tied ranks and section 11's family line from the package -------------


def test_tied_rank_correlation_averages_ties():
    """Ties get their average rank, so the result does not depend on the order of the tied patches."""
    ink = torch.tensor([[0.0, 0.0, 0.0, 2.0, 5.0, 1.0]])  # three blank patches tie at 0
    ranks = torch.tensor([[2.0, 2.0, 2.0, 5.0, 6.0, 4.0]], dtype=torch.float64)  # ties at (1 + 2 + 3) / 3
    other = torch.tensor([[0.3, 0.1, 0.2, 0.5, 0.9, 0.4]])
    expected = am.pearson_correlation(ranks, other.argsort(1).argsort(1).double() + 1)  # no ties in `other`
    assert torch.allclose(am.tied_rank_correlation(ink, other), expected.double(), atol=1e-12)
    assert torch.allclose(am.tied_rank_correlation(ink, ink), torch.ones(1, dtype=torch.float64))
    swapped = other[:, [2, 1, 0, 3, 4, 5]]  # the tied patches of `ink` in another order
    assert torch.allclose(
        am.tied_rank_correlation(ink, swapped), am.tied_rank_correlation(ink[:, [2, 1, 0, 3, 4, 5]], swapped)
    )
    assert am.tied_rank_correlation(ink[None], other[None]).dtype == torch.float64  # (B, rows, cols) maps too
    with pytest.raises(ValueError, match="same shape"):
        am.tied_rank_correlation(ink, other[:, :5])


def test_tied_rank_correlation_is_what_section_10_computed_inline():
    """The lesson's old inline code (r26c cell 52), kept here as the reference the helper must match."""
    g = torch.Generator().manual_seed(0)
    a = torch.randint(0, 4, (5, 7, 7), generator=g).double()  # many ties
    b = torch.rand(5, 7, 7, generator=g)

    def tied(f):
        f = f.flatten(1).double()
        return (f[:, :, None] > f[:, None, :]).sum(-1) + ((f[:, :, None] == f[:, None, :]).sum(-1) + 1) / 2

    inline = am.pearson_correlation(tied(a), tied(b)).double()  # float32 ranks there: float32 rounding
    assert torch.allclose(am.tied_rank_correlation(a, b), inline, atol=1e-6)


def test_map_comparisons_line_reads_the_family_level():
    g = torch.Generator().manual_seed(1)
    base = torch.rand(60, generator=g)
    family = am.compare_maps({"min": (base + 0.5, base), "same": (base + 0.001 * torch.randn(60, generator=g), base)})
    line = family.line(rename={"min": "min fusion"})
    parts = line.split("; ")
    assert len(parts) == 2 and parts[0].startswith("min fusion +0.500 [") and parts[1].startswith("same ")
    low, high = (float(v) for v in parts[1].split("[")[1].rstrip("]").split(", "))
    d = family["same"].difference  # the family's level, not 95 %
    assert (round(d.low, 3), round(d.high, 3)) == (low, high)


# fix08d (review r27b minors 8, 9): sections 9 and 10's bookkeeping moved into three package helpers
def test_deletion_family_pairs_are_section_10s_ten_in_order():
    names = ["ink first", "rollout", "gradient-weighted", "random order", "occ", "greedy", "mean"]
    areas = {name: torch.full((3,), float(i)) for i, name in enumerate(names)}
    pairs = am.deletion_family_pairs(areas, "occ", "greedy", "mean")
    assert list(pairs) == [
        "rollout - ink first",
        "occ - ink first",
        "occ - rollout",
        "greedy - ink first",
        "greedy - rollout",
        "greedy - occ",
        "gradient-weighted - rollout",
        "gradient-weighted - mean",
        "mean - rollout",
        "mean - random order",
    ]
    assert all(a is areas[k.split(" - ")[0]] and b is areas[k.split(" - ")[1]] for k, (a, b) in pairs.items())
    assert len(am.compare_maps(pairs)) == 10
    with pytest.raises(KeyError, match="greedy"):
        am.deletion_family_pairs({k: v for k, v in areas.items() if k != "greedy"}, "occ", "greedy", "mean")


def test_cascade_references_prints_the_two_references_per_method():
    rho = {"rollout": torch.full((5,), 0.99, dtype=torch.float64), "gradient-weighted": torch.linspace(0.9, 1.0, 5)}
    floor = am.NoiseFloor(rho, torch.tensor([True, True, False, True, True]), 0.02)
    other = {"rollout": torch.full((5,), 0.5, dtype=torch.float64), "gradient-weighted": torch.zeros(5)}
    lines = am.cascade_references(floor, other).splitlines()  # fix08p (review r29c minor 11): two columns
    assert lines[0] == "ρ, mean over the same 5 digits, 95 % intervals"
    assert lines[1].split() == ["references,", "5", "digits", "rollout", "gradient-weighted"]
    assert lines[2].startswith("noise floor") and lines[2].split()[2:4] == ["0.99", "[0.99,"]
    assert lines[3].startswith("other digits (4 others)") and lines[3].split()[4:6] == ["0.50", "[0.50,"]
    assert lines[3].index("0.50") == lines[2].index("0.99") == lines[1].index("rollout")  # one column per method
    assert lines[4] == "noise floor: + noise of std 0.02 x the pixel range, one draw (4 of 5 decisions kept)"
    with pytest.raises(ValueError, match="same methods"):
        am.cascade_references(floor, {"rollout": other["rollout"]})


def test_cascade_verdict_prints_three_lines_from_the_stored_cascade():  # fix08u (review r31a minor 6)
    cascade, floor = am.stored_cascade(), am.stored_section_maps()["floor"]
    verdict = am.cascade_verdict(cascade, floor)
    assert len(verdict.lines) == 3 and str(verdict) == "\n".join(verdict.lines)
    draws = {m: cascade.column("classifier", i) for i, m in enumerate(("rollout", "gradient-weighted"))}
    assert verdict.lines[0].endswith(" / ".join(f"{m} {min(d):+.2f} .. {max(d):+.2f}" for m, d in draws.items()))
    for m in ("rollout", "gradient-weighted"):  # the other-digits reference is the trained maps' (first draw column)
        assert torch.equal(verdict.others[m], am.rank_correlation_to_others(cascade.draw_maps[m][:, 0]))
    assert "noise floor 1.00 [1.00, 1.00] / 0.98 [0.98, 0.99]" in verdict.lines[1]
    gap = verdict.classifier_gap.difference  # gradient-weighted minus rollout, each digit's 3-draw mean
    assert gap.high < 0 and verdict.lines[2].endswith(str(verdict.classifier_gap))


def test_other_digit_gaps_pairs_each_steps_draw_mean_with_the_other_digits():  # fix08f (review r27d M1)
    per_digit = {
        "classifier": {
            "rollout": torch.tensor([[0.9, 0.8, 0.7], [0.7, 0.8, 0.9]]),
            "gradient-weighted": torch.ones(2, 3),
        },
        "every layer": {"rollout": torch.zeros(2, 3), "gradient-weighted": torch.full((2, 3), -0.5)},
    }
    table = am.CascadeTable(rows={}, spreads={}, trained_spread=[], first_maps={}, per_digit=per_digit)
    other = {"rollout": torch.full((3,), 0.5, dtype=torch.float64), "gradient-weighted": torch.zeros(3)}
    text, gaps = am.other_digit_gaps(table, other)
    assert list(gaps) == ["classifier", "every layer"] and list(gaps["classifier"]) == ["rollout", "gradient-weighted"]
    assert abs(gaps["classifier"]["rollout"].difference.estimate - 0.3) < 1e-6  # mean of (0.8 - 0.5) per digit
    assert abs(gaps["every layer"]["gradient-weighted"].difference.estimate + 0.5) < 1e-6
    lines = text.splitlines()
    assert lines[0] == "ρ (mean of each step's draws) - ρ other digits, paired per digit, 95 %"
    assert lines[1] == "> 0: closer to the trained map than another digit's map"
    assert lines[3].startswith("classifier               +0.300 [+0.300, +0.300]   +1.000")
    assert lines[4].startswith("every layer              -0.500 [-0.500, -0.500]   -0.500")
    family, at_family = am.other_digit_gaps(table, other, confidence=1 - 0.05 / 4)  # fix08p (r29c minor 1)
    assert family.splitlines()[0].endswith("paired per digit, 98.8 % (a family of 4, Bonferroni)")
    assert abs(at_family["classifier"]["rollout"].difference.confidence - (1 - 0.05 / 4)) < 1e-12
    renamed, _ = am.other_digit_gaps(table, other, labels={"every layer": "+ embeddings (every layer)"})
    assert renamed.splitlines()[4].startswith("+ embeddings (every layer) -0.500 [-0.500, -0.500]")  # fix08i (r27f 5)
    assert renamed.splitlines()[3].startswith("classifier                 +0.300")  # one width for every row
    labels = {"every layer": "+ embeddings (every layer)"}
    shown, shown_gaps = am.other_digit_gaps(table, other, labels=labels, shown=("classifier",))  # fix08s (r30b 5)
    assert shown.splitlines()[3:] == renamed.splitlines()[3:4] and list(shown_gaps) == list(gaps)  # all computed


def test_recheck_stored_deletion_says_whether_a_stored_run_is_this_models():
    model, images, labels = small_vit(), torch.rand(3, 1, 12, 12), torch.tensor([0, 1, 2])
    maps = {name: torch.rand(3, 3, 3, generator=torch.Generator().manual_seed(i)) for i, name in enumerate(["a", "b"])}
    counts = [0, 1, 3, 9]
    orders = {n: m[:2] for n, m in maps.items()} | {"a, next digit's map": maps["a"][1:3]}
    curves, _ = deletion_areas(model, images[:2], labels[:2], orders, counts=counts)
    occlusion = am.occlusion_map(model, images, labels, (3, 3))
    stored = ({n: torch.cat([c, torch.zeros(1, len(counts))]) for n, c in curves.items()}, occlusion)
    recheck = am.recheck_stored_deletion
    assert recheck(model, images[:2], labels[:2], maps, stored, counts, next_digit=("a",))
    moved = ({**stored[0], "b": stored[0]["b"] + 1e-3}, occlusion)
    assert not recheck(model, images[:2], labels[:2], maps, moved, counts, next_digit=("a",))
    assert not recheck(model, images[:2], labels[:2], maps, (stored[0], occlusion + 1e-3), counts, next_digit=("a",))


def test_to_huggingface_gives_the_same_logits_attention_and_rollout():
    """fix08m (review r28d): section 4's copy into transformers' ViTForImageClassification, on a small random ViT."""
    pytest.importorskip("transformers")
    torch.manual_seed(0)
    model = small_vit().eval()
    images = torch.rand(3, model.channels, *model.image_size)
    hf = am.to_huggingface(model)
    with am.capture_attention(model) as ours, torch.no_grad():
        logits = model(images)
        out = hf(pixel_values=images, output_attentions=True)
    assert hf.config._attn_implementation == "eager" and not hf.training
    assert torch.allclose(out.logits, logits, atol=1e-5)
    assert all(torch.allclose(h, a, atol=1e-6) for h, a in zip(out.attentions, ours, strict=True))
    assert torch.allclose(am.attention_rollout(list(out.attentions)), am.attention_rollout(ours), atol=1e-6)


def test_top_patch_not_inked_reads_each_maps_argmax():
    maps = torch.zeros(2, 2, 2)
    maps[0, 0, 1], maps[1, 1, 1] = 1.0, 1.0  # tops: (0, 1) and (1, 1)
    inked = torch.tensor([[[False, True], [False, False]], [[True, True], [True, False]]])
    assert am.top_patch_not_inked(maps, inked).tolist() == [False, True]


# --- 35b: Lesson 08, review r35a: exercise 6 refuses (row, col) that are not whole numbers and a (2, B) stack; names
# round(t / cols), isqrt and normalise-then-mix; exercise 3 names a wrong signature, exercise 4 a None return


def _split(split):
    return lambda weights, rows, cols: split(_rolled(weights)[:, 0, 1:].argmax(-1), rows, cols)


def _normalised_first(weights, rows, cols):
    eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
    result = eye.expand_as(weights[0][:, 0])
    for w in weights:
        fused = w.amax(1)
        result = (0.5 * fused / fused.sum(-1, keepdim=True) + 0.5 * eye) @ result
    return _rows_cols(result[:, 0, 1:].argmax(-1), cols)


@pytest.mark.parametrize(
    "answer",
    [
        _split(lambda t, r, c: torch.tensor([divmod(int(i), c) for i in t])),  # divmod, a tensor of tuples
        _split(lambda t, r, c: _rows_cols(t, c).numpy()),
        _split(lambda t, r, c: _rows_cols(t, c).float()),  # whole numbers as floats
        _split(lambda t, r, c: torch.stack([(t / c).floor(), t % c], -1)),
    ],
)
def test_max_fusion_passes_whole_numbers_in_any_type(answer, capsys):
    lesson08.check_max_fusion_top_patch(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("slip", "named"),
    [
        (_split(lambda t, r, c: torch.stack([t / c, t % c], -1)), r"not whole numbers \(e\.g\. 0\.2\); if you wrote"),
        (_split(lambda t, r, c: torch.stack([t / c, t % c], -1).numpy()), r"true division: use `t // cols`"),
        (_split(lambda t, r, c: _rows_cols(t, c) + 0.7), r"not whole numbers \(e\.g\. 0\.7\); if you wrote `t / cols`"),
        (_split(lambda t, r, c: torch.stack([(t / c).round(), t % c], -1)), r"your rows are round\(t / cols\)"),
        (_split(lambda t, r, c: torch.tensor([(round(int(i) / c), int(i) % c) for i in t])), r"round\(t / cols\)"),
        (_split(lambda t, r, c: _rows_cols(t, c).T), r"shape \(2, B\).*one row per image: stack on dim=-1"),
        (_split(lambda t, r, c: _rows_cols(t, math.isqrt(r * c))), r"isqrt\(N - 1\), a square grid's side"),
        (_normalised_first, r"you normalised the attention before adding the identity: mix first"),
    ],
)
def test_max_fusion_names_fractional_rows_the_transposed_stack_and_normalise_first(slip, named):
    with pytest.raises(AssertionError, match=f"Not yet: .*{named}"):
        lesson08.check_max_fusion_top_patch(slip)


def test_class_token_grid_names_a_wrong_signature_and_insertion_a_none_return():
    with pytest.raises(AssertionError) as grid:
        lesson08.check_class_token_grid(lambda weights: weights)
    assert "keep those three arguments" in str(grid.value) and "N = 7 columns" not in str(grid.value)
    with pytest.raises(AssertionError) as curve:
        lesson08.check_insertion_curve(lambda model, images, labels, scores, counts: None)
    message = str(curve.value)
    assert "returned None (a missing return?)" in message and "a number also works" not in message


# --- quick 35b (a35b audit items 2-3): divmod on the index tensor raises a TypeError the checker names; a non-whole
# answer that never divided is not told it used true division


def test_max_fusion_names_divmod_on_a_tensor():
    with pytest.raises(AssertionError) as caught:
        lesson08.check_max_fusion_top_patch(_split(lambda t, r, c: torch.stack(divmod(t, c), -1)))
    message = str(caught.value)
    assert "raised TypeError" in message and "divmod takes Python ints, not a tensor" in message
    assert "use t // cols and t % cols on the tensor, or divmod(int(i), cols) per index" in message


def test_max_fusion_hints_divmod_per_index_and_does_not_blame_division():
    with pytest.raises(AssertionError) as shifted:
        lesson08.check_max_fusion_top_patch(_split(lambda t, r, c: _rows_cols(t, c) + 0.7))
    assert "; if you wrote `t / cols`, that is true division" in str(shifted.value)
    assert "(e.g. 0.7): `t / cols` is true division" not in str(shifted.value)
    with pytest.raises(AssertionError) as rounded:
        lesson08.check_max_fusion_top_patch(_split(lambda t, r, c: torch.stack([(t / c).round(), t % c], -1)))
    assert "use t // cols (it rounds down), or divmod(int(i), cols) per index" in str(rounded.value)
