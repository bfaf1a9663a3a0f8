"""Lesson 02, review r23c_02 (round 23d): exercise 4's checker refuses a 2-D answer as such, the T2T module figure
names the variant it draws, the k - 2p > s case is concrete and checked, and the recap asks for nothing the lesson
does not give."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex
from vit_explained.soft_split import tokens_along, window_starts

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"
TWO_D = "return a 1-D list of pixel indices"


@pytest.mark.parametrize(
    "answer",
    [
        lambda n, k, s, p: torch.zeros(2, 2),
        lambda n, k, s, p: np.zeros((3, 1), dtype=int),
        lambda n, k, s, p: torch.tensor(ex.lost_pixels_reference(n, k, s, p)).reshape(1, -1),
    ],
)
def test_item_1_a_2d_answer_is_told_to_be_1d(answer):
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_lost_pixels(answer)
    message = str(failed.value)
    assert TWO_D in message and "names a pixel twice" not in message


def _covered(n, k, s, p):
    pixels = set()
    for start in window_starts(n, k, s, p):
        pixels |= set(range(start - p, start - p + k))
    return pixels


@pytest.mark.parametrize(
    "answer",
    [
        lambda n, k, s, p: [i for i in range(n) if i not in _covered(n, k, s, p)],  # a list
        lambda n, k, s, p: torch.tensor(sorted(set(range(n)) - _covered(n, k, s, p)), dtype=torch.long),  # 1-D
        lambda n, k, s, p: np.flatnonzero([i not in _covered(n, k, s, p) for i in range(n)]),  # a 1-D array
    ],
)
def test_item_1_right_answers_still_pass(answer, capsys):
    ex.check_lost_pixels(answer)
    assert "match a window-by-window count" in capsys.readouterr().out


def test_item_6_module_figure_names_its_variant():
    from vit_explained.plotting.lesson02 import plot_t2t_module

    title = plot_t2t_module(224, 224, 3, token_dim=64, embed_dim=384).axes[0].get_title()
    assert "The T2T module (T2T-ViT_t-14; T2T-ViT-14 uses Performers, same shapes)" in title
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    figure = nb.unique_index(sources, "fig = plot_t2t_module(224, 224, 3")
    check = sources[figure + 1]
    assert nb.hidden(cells[figure + 1])
    assert "tokens_type='performer', embed_dim=384" in check and "tokens_type='transformer', embed_dim=384" in check
    assert "T2T-ViT_t-14; T2T-ViT-14 uses Performers, same shapes" in check


def test_item_2_the_k_minus_2p_above_s_case_is_named_and_checked():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    rule = nb.unique_index(sources, "In short: a split whose kernel")
    text = nb.flat(sources[rule])
    assert "With `k - 2p > s` the floor is -2 or less (60 pixels, (20, 15, 0): 3 windows, not 4)." in text
    assert "a window off even then" not in text
    assert "60 pixels, (20, 15, 0): 3 windows, not 60 // 15 = 4" in nb.printed(cells[rule + 1])
    assert nb.hidden(cells[rule + 2]) and "tokens_along(60, 20, 15, 0) ==" in sources[rule + 2]
    assert tokens_along(60, 20, 15, 0) == len(window_starts(60, 20, 15, 0)) == 3 and 20 - 2 * 0 > 15


def test_item_4_recap_drops_the_first_case_request():
    sources = nb.sources(LESSON)
    recap = nb.flat(sources[nb.unique_index(sources, "> **Recap.**")])
    assert "first case" not in recap and "by hand" not in recap
    assert "> **Recap.** Pad **both** ends and read a token's values in `(c, kh, kw)` order." in recap


def test_main_path_does_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 47 and nb.markdown_words(main) <= 2180, (len(main), nb.markdown_words(main))
