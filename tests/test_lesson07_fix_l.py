"""Lesson 07, review l: the seed-pairs picture, the widget's short tick labels, exercises 1 and 4 refuse a
float (their text asks for an int), exercise 2 refuses None and scalars before converting."""

import math

import numpy as np
import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_fold_tokens, check_receptive_field, check_t2t_token_count
from vit_explained.plotting.lesson07 import _short_stage, plot_seed_pairs
from vit_explained.t2t import T2T_SPLITS
from vit_explained.widgets.lesson07 import T2TChainWidget

CONTROL = {"overlap": [175, 173, 172, 174, 173, 174], "no overlap": [170, 166, 167, 167, 168, 169]}
SCALE = {"T2T's scale": [167, 166, 167, 167, 167, 172], "own scale": CONTROL["no overlap"]}


def test_seed_pairs_draws_one_line_per_seed_and_the_intervals():
    fig = plot_seed_pairs([("a", CONTROL), ("b", SCALE)], total=180, title="t")
    first, second, intervals = fig.axes
    assert len(first.lines) == len(second.lines) == 6
    assert [tick.get_text() for tick in first.get_xticklabels()] == ["overlap", "no overlap"]
    assert first.get_ylim() == second.get_ylim()  # one accuracy scale
    labels = [text.get_text() for text in intervals.texts]
    assert labels[0] == "+3.1 [+2.5, +3.8]" and labels[1].endswith("[-1.2, +1.0]")
    # the first seed's line joins 175/180 and 170/180, in %
    np.testing.assert_allclose(first.lines[0].get_ydata(), [100 * 175 / 180, 100 * 170 / 180])


@pytest.mark.parametrize(
    "bad",
    [[], [("a", {"x": [1, 2]})], [("a", {"x": [1, 2], "y": [1]})], [("a", {"x": [1], "y": [1]})]],
)
def test_seed_pairs_refuses_bad_input(bad):
    with pytest.raises(ValueError):
        plot_seed_pairs(bad, total=180)


def test_widget_middle_panel_uses_short_labels():
    assert (
        _short_stage("T2T transformer 2") == "TT 2" and _short_stage("backbone (14 layers)") == "backbone\n(14 layers)"
    )
    _, fig = T2TChainWidget(224, 224, "no overlap: (4,4,0) (2,2,0) (2,2,0)").compute(
        224, 224, "no overlap: (4,4,0) (2,2,0) (2,2,0)"
    )
    middle = fig.axes[1]
    assert [tick.get_text() for tick in middle.get_xticklabels()] == ["TT 1", "TT 2", "backbone\n(14 layers)"]


def field_forward(splits):
    side, spacing = 1, 1
    for kernel, stride, _ in splits:
        side, spacing = side + (kernel - 1) * spacing, spacing * stride
    return side


def count(height, width):
    for kernel, stride, padding in T2T_SPLITS:
        height = (height + 2 * padding - kernel) // stride + 1
        width = (width + 2 * padding - kernel) // stride + 1
    return height * width


@pytest.mark.parametrize("to_float", [float, lambda n: torch.tensor(float(n)), np.float64])
def test_field_accepts_a_whole_float(to_float, capsys):  # one policy (fix round p): 31.0 passes as 31
    check_receptive_field(lambda splits: to_float(field_forward(splits)))
    assert "Correct!" in capsys.readouterr().out


def test_field_refuses_a_fraction():
    with pytest.raises(ExerciseFailed, match=r"is the float \d+\.5; return a whole number \(an int\)"):
        check_receptive_field(lambda splits: field_forward(splits) + 0.5)


def test_count_accepts_a_whole_float(capsys):  # the same policy as exercise 1
    def count_with_floor(height, width):  # true division and math.floor: a float whole number
        sides = [float(height), float(width)]
        for kernel, stride, padding in T2T_SPLITS:
            sides = [math.floor((side + 2 * padding - kernel) / stride) + 1.0 for side in sides]
        return sides[0] * sides[1]

    check_t2t_token_count(count_with_floor)
    check_t2t_token_count(lambda h, w: torch.tensor(count(h, w)))  # a 0-d tensor too
    assert capsys.readouterr().out.count("Correct!") == 2


@pytest.mark.parametrize("answer", [None, 3.0, 7, np.float32(1.5), torch.tensor(2.0)])
def test_fold_refuses_none_and_scalars(answer):
    with pytest.raises(ExerciseFailed, match=r"return the folded image, a \(B, C, rows, cols\) tensor"):
        check_fold_tokens(lambda tokens, rows, cols: answer)
