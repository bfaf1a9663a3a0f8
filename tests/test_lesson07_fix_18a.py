"""Round 18a, lesson 07: a sqrt(N) fold named whatever call raised; the red field box only when the field shows."""

import math

import pytest
import torch
import torch.nn.functional as F

from vit_explained.exercises import ExerciseFailed, lesson07


def _unflatten_fold(tokens, rows, cols):
    side = int(math.sqrt(tokens.shape[1]))
    return tokens.transpose(1, 2).unflatten(2, (side, side))


def _torch_fold(tokens, rows, cols):
    side = round(tokens.shape[1] ** 0.5)
    return F.fold(tokens.transpose(1, 2), (side, side), 1)


def _view_fold(tokens, rows, cols):
    side = math.isqrt(tokens.shape[1])
    return tokens.transpose(1, 2).view(tokens.shape[0], tokens.shape[2], side, side)


@pytest.mark.parametrize("fold", [_unflatten_fold, _torch_fold, _view_fold])
def test_square_fold_is_named_not_raw(fold):
    with pytest.raises(ExerciseFailed) as info:
        lesson07.check_fold_tokens(fold)
    message = str(info.value)
    assert message.startswith("Not yet") and "sqrt(N)" in message


def test_rounded_up_vit_count_is_named():
    with pytest.raises(ExerciseFailed, match="rounded up"):
        lesson07.check_t2t_token_count(lambda h, w: math.ceil(h / 16) * math.ceil(w / 16))
    assert torch.tensor(0).item() == 0


def _red_boxes(figure):
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    red = to_rgba("red")
    return [p for p in figure.axes[0].patches if isinstance(p, Rectangle) and p.get_edgecolor() == red]


def test_widget_draws_the_red_field_box_only_when_the_field_shows():
    from vit_explained.widgets.lesson07 import t2t_chain_widget

    widget = t2t_chain_widget()
    assert widget.controls["show_field"].value is False
    line, hidden = widget.compute(**widget.values)
    assert "field hidden" in line and not _red_boxes(hidden)
    line, shown = widget.compute(**{**widget.values, "show_field": True})
    assert "31 x 31" in line and len(_red_boxes(shown)) == 1
