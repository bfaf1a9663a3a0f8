"""Lesson 08, fix round 17a: exercise 2's identity slips and exercise 4's grey fill get their own messages; the
matrix figure outlines a named key; the cascade wraps into rows; a curve lying on the reference is drawn on top."""

from __future__ import annotations

import matplotlib
import pytest
import torch

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
    assert "On test digit 17 (a 7): max fusion's top patch (1, 5), plain rollout's (2, 4)." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("slip", "named"),
    [
        (_top(fuse="mean"), "heads averaged \\(mean fusion\\)"),
        (_top(identity=False), "without the identity"),
        (_top(normalise=False), "did not re-normalise the rows"),
        (lambda w, r, c: _top()(w, r, c).flip(-1), "you returned \\(col, row\\)"),
        (lambda w, r, c: _rolled(w)[:, 0, 1:].argmax(-1), "you returned a flat index"),
        (lambda w, r, c: _rows_cols(_rolled(w)[:, 0, 1:].argmax(-1) + 1, c), "counts the class token"),
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
