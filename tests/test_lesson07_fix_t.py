"""Lesson 07, review t: the fold picture, the widget's locality line on small grids and gapped chains,
exercise 3's dtype policy (the same as exercise 2's), and the prose fixes."""

import json
from pathlib import Path

import pytest
import torch

from vit_explained import tokens_to_image
from vit_explained.plotting.lesson07 import plot_token_fold
from vit_explained.widgets.lesson07 import locality_summary, t2t_chain_widget

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "07_tokens_to_token_vit.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "07_tokens_to_token_vit_solutions.ipynb"


def _cells(path):
    return ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]]


@pytest.mark.parametrize(("rows", "cols", "channels"), [(3, 5, 4), (2, 4, 1), (1, 1, 3)])
def test_fold_picture_places_every_token_as_tokens_to_image_does(rows, cols, channels):
    fig = plot_token_fold(rows, cols, channels, token=rows * cols - 1)
    count = rows * cols
    strip = torch.arange(float(count))[None, :, None].expand(1, count, channels)
    image = tokens_to_image(strip, rows, cols)
    assert len(fig.fold_positions) == count
    for token, (row, col) in fig.fold_positions.items():
        assert bool((image[0, :, row, col] == token).all())
    titles = " ".join(ax.get_title() for ax in fig.axes)
    assert f"{channels} x {rows} x {cols}" in titles


@pytest.mark.parametrize("bad", [dict(rows=0), dict(token=15), dict(channels=0), dict(token=-1)])
def test_fold_picture_refuses_bad_input(bad):
    with pytest.raises(ValueError):
        plot_token_fold(**{"rows": 3, "cols": 5, "channels": 4, "token": 8, **bad})


def test_locality_line_names_gaps_and_grids_without_an_interior_token():
    assert "a 7 x 7 span with gaps" in locality_summary(((3, 4, 0), (2, 2, 0)))
    assert "31 x 31 pixel square" in locality_summary(((7, 4, 2), (3, 2, 1), (3, 2, 1)), (14, 14))
    small = locality_summary(((7, 4, 2), (3, 2, 1), (3, 2, 1)), (2, 2))
    assert small.startswith("the final grid is 2x2: no interior token")
    widget = t2t_chain_widget(height=32, width=32)  # 32 pixels end on 2 x 2 tokens
    assert "no interior token" in widget.line


def test_exercise_3_states_exercise_2s_tolerance_in_both_notebooks():
    lesson, solutions = _cells(LESSON), _cells(SOLUTIONS)
    text = next(cell for cell in lesson if cell.startswith("### Exercise 3"))
    assert text in solutions
    assert "accepts a float32 or a float64 output" in text and "rtol 1e-4, atol 1e-5" in text


def test_review_t_prose():
    text = "\n".join(_cells(LESSON) + _cells(LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")))
    assert "as one reason why a ViT" in text and "partly other letters" not in text
    assert "a different setup, is only an analogy" in text  # review v: the whole-stem run is another experiment
    assert "longer training not run" in text  # the summary (round x: shorter)
    assert "scale_counts" not in text  # section 6 alone holds the scale-control counts
    assert "plot_token_fold(" in text and "hidden until you tick\n`show field`" in text  # review 16g (18e: wording)
