"""Lesson 04, fix round i: the LayerNorm geometry picture and exercise 6 (the post-norm block)."""

import math

import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F

from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises.lesson04 import check_post_norm_block
from vit_explained.plotting.lesson04 import layer_norm_geometry, plot_layer_norm_geometry

matplotlib.use("Agg")


def test_layer_norm_geometry_is_layer_norm_on_the_plane_and_the_circle():
    points = layer_norm_geometry(count=6, seed=3)
    assert {name: tuple(value.shape) for name, value in points.items()} == {
        "raw": (6, 3),
        "centred": (6, 3),
        "normalised": (6, 3),
    }
    torch.testing.assert_close(points["normalised"], F.layer_norm(points["raw"], (3,), eps=0.0))
    assert points["centred"].sum(-1).abs().max() < 1e-12
    assert (points["normalised"].norm(dim=-1) - math.sqrt(3)).abs().max() < 1e-12
    with pytest.raises(ValueError, match="positive int"):
        layer_norm_geometry(count=0)


def test_plot_layer_norm_geometry_draws_the_circle_and_the_three_kinds_of_point():
    fig = plot_layer_norm_geometry(count=4, seed=0)
    ax, flat = fig.axes  # round 18c: a second, 2-D panel in the plane's own axes
    assert ax.name == "3d" and not plt.get_fignums()  # closed: shown once, by the notebook
    assert flat.name == "rectilinear" and flat.get_aspect() == 1.0  # equal axes: the circle drawn round
    ring = flat.get_lines()[0].get_xydata()
    assert abs(float((ring**2).sum(1).max()) ** 0.5 - math.sqrt(3)) < 1e-9  # radius sqrt(3) in the plane's axes
    assert abs(float((ring**2).sum(1).min()) ** 0.5 - math.sqrt(3)) < 1e-9
    labels = [collection.get_label() for collection in ax.collections if collection.get_label()[:1] != "_"]
    assert labels == ["x (random)", "x - mean: on the plane", "(x - mean) / std: on the circle"]
    circle = next(line for line in ax.get_lines() if line.get_label().startswith("circle"))
    xs, ys, zs = (torch.tensor(values) for values in circle.get_data_3d())
    assert ((xs**2 + ys**2 + zs**2).sqrt() - math.sqrt(3)).abs().max() < 1e-9  # radius sqrt(3)
    assert (xs + ys + zs).abs().max() < 1e-9  # in the plane sum(x) = 0
    fig.canvas.draw()


# --- exercise 6: the post-norm block ---


def post_norm_block(x, block):
    h = block.norm1(x + block.attn(x))
    return block.norm2(h + block.mlp(h))


def post_norm_block_reusing_x(x, block):
    x = x + block.attn(x)
    x = block.norm1(x)
    x = x + block.mlp(x)
    return block.norm2(x)


def post_norm_block_by_hand_norms(x, block):  # LayerNorm written out, with the block's eps and affine parameters
    def norm(layer, t):
        centred = t - t.mean(-1, keepdim=True)
        return centred / torch.sqrt(centred.pow(2).mean(-1, keepdim=True) + layer.eps) * layer.weight + layer.bias

    h = norm(block.norm1, x + block.attn(x))
    return norm(block.norm2, h + block.mlp(h))


@pytest.mark.parametrize("answer", [post_norm_block, post_norm_block_reusing_x, post_norm_block_by_hand_norms])
def test_post_norm_block_accepts_answers_written_differently(answer, capsys):
    check_post_norm_block(answer)
    assert "Correct!" in capsys.readouterr().out


def _rejected(answer, fragment):
    with pytest.raises(ExerciseFailed) as error:
        check_post_norm_block(answer)
    assert str(error.value).startswith("Not yet: ") and fragment in str(error.value), str(error.value)


def _pre_norm(x, block):
    x = x + block.attn(block.norm1(x))
    return x + block.mlp(block.norm2(x))


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (_pre_norm, "that is the pre-norm block"),
        (lambda x, b: b(x), "don't call block(x)"),  # the Block itself is pre-norm: refused by name
        (
            lambda x, b: b.norm1(x + b.attn(x)),
            "the attention half only: with h = norm1(x + attn(x)), the result then goes through norm2(h + mlp(h))",
        ),
        (lambda x, b: b.norm2(b.mlp(b.norm1(b.attn(x)))), "the residual additions are missing"),
        (lambda x, b: b.norm2(post_norm_block(x, b)), "an extra LayerNorm at the end"),  # r34a: named, as in ex. 4
        (lambda x, b: post_norm_block(x, b).float(), "float32"),
    ],
)
def test_post_norm_block_names_its_slips(answer, fragment):
    _rejected(answer, fragment)


def test_post_norm_block_names_swapped_norms_and_norm1_twice():
    def swapped(x, b):
        h = b.norm2(x + b.attn(x))
        return b.norm1(h + b.mlp(h))

    def norm1_twice(x, b):
        h = b.norm1(x + b.attn(x))
        return b.norm1(h + b.mlp(h))

    _rejected(norm1_twice, "normalised with norm1 again")
    _rejected(swapped, "the norms are swapped")


def test_post_norm_block_stub_and_in_place_change_of_x():
    def stub(x, block):
        raise NotImplementedError("your code here")

    def in_place(x, block):
        x += block.attn(x)
        h = block.norm1(x)
        return block.norm2(h + block.mlp(h))

    with pytest.raises(ExerciseNotAttempted):
        check_post_norm_block(stub)
    _rejected(in_place, "changed its input x in place")
