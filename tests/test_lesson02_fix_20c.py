"""Lesson 02, review r20b: the window-size control's sentence says what its counts show (a larger window raises the
share, only a run k - s + 1 >= 4 reaches 100 %, by arithmetic; (7, 7, 0) also moves stride and grid); section 3 names
the token lengths, the 49.9 % and the geometry with a link to the appendix; "receptive field" named; the held-whole
material is one appendix section; cell wording items; exercise 3 names windows cut k apart."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests import _notebook as nb
from vit_explained import count_tokens
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex
from vit_explained.soft_split import tokens_along

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"


def _cells() -> list[dict]:
    return nb.cells(LESSON)


def _at(text: str) -> int:
    return nb.unique_index(nb.sources(LESSON), text)


def test_1_window_size_sentence_matches_its_counts():
    claim = nb.flat(nb.source(_cells()[_at("Padding alone moves the share")]))
    assert "The window's size alone does not raise it" not in claim
    assert "A larger window without overlap raises the share (7 x 7 patches, 49.9 %) but never reaches 100 %" in claim
    assert "Only a run `k - s + 1 >= 4` does (box rule, above)" in claim  # 21a: box rule first
    assert "follows from the box rule by arithmetic" in claim and "not from an experiment" in claim
    assert "moves the stride from 4 to 7 and the grid from 56 x 56 to 32 x 32 windows" in claim
    assert count_tokens(224, 224, 7, 7, 0).rows == 32 and count_tokens(224, 224, 7, 4, 2).rows == 56


def test_2_section_3_names_lengths_share_geometry_and_links_the_appendix():
    cells = _cells()
    paragraph = nb.flat(nb.source(cells[_at("**Held whole, in one rule.**")]))  # review r20d: in the appendix
    assert "3·7·7 = 147 values, a 4 x 4 patch 3·4·4 = 48" in paragraph and "(the box rule;" in paragraph
    assert "7 x 7 patches without overlap already hold 49.9 %" in paragraph
    assert "not a measured gain" not in paragraph  # 22a: the caveat once, in section 3 (checked below)
    main = nb.flat(nb.source(cells[_at("**Held whole.** Call a piece")]))  # section 3's one sentence links there
    moved = nb.flat(nb.source(cells[_at("### Held whole, counted")]))  # round 22e: the pair and its caveat moved there
    assert "That 100 % is geometry, not a measured gain." in moved and "(#held-whole)" in main  # 21a: its own sentence
    assert _at("### Held whole, counted") < _at("**Held whole, in one rule.**")
    code = _at("no_overlap_7 = share_held_whole(224")  # the moved cell
    printed = nb.printed(cells[code]).splitlines()
    assert printed[0] == (
        "values per RGB token (3·k·k): (4, 4, 0) 48, (7, 4, 2) 147; 7 x 7 patches (7, 7, 0), no overlap: "
        "32 x 32 windows at stride 7, 49.9 % held whole"
    )
    check = nb.source(cells[code + 1])
    assert nb.hidden(cells[code + 1]) and "== (48, 147)" in check and "== 49.9" in check
    footprint = nb.flat(nb.source(cells[_at("At ViT's stride 16, T2T's final tokens hold 100 %")]))
    assert "the sizes differ: a 31 x 31 footprint against a 16 x 16 patch" in footprint  # 22a
    assert "like for like" not in footprint and "it is geometry, not accuracy" in footprint  # 22h
    assert "(#held-whole)" in footprint


def test_3_receptive_field_named_and_held_whole_is_one_appendix_section():
    cells = _cells()
    intro = nb.flat(nb.source(cells[_at('<a id="token-footprint"></a>')]))
    assert "*receptive field*" in intro and "`size += (k - 1)·step`, then `step *= s`" in intro
    appendix = _at("## Appendix (optional)")
    held = _at("### Held whole, counted")
    box = _at('<a id="box-rule"></a>**The box rule.**')
    photo = _at('<a id="photo-piece"></a>')
    fold = _at('<a id="fold-identity"></a>')
    assert appendix < held < box < photo < fold  # one section, first in the appendix
    assert photo == _at("**Controls.**")  # round 21a: the photo piece is a column of the one controls table
    headings = [i for i, c in enumerate(cells) if nb.source(c).startswith("### ")]
    assert not [i for i in headings if held < i < fold]
    assert not any("### A piece of the photo" in nb.source(c) for c in cells)


def test_5_to_9_wording_items():
    cells = _cells()
    text = " ".join(nb.flat(nb.source(c)) for c in cells if c["cell_type"] == "markdown")
    assert "`k - 2p = 7 - 2·2 = 3` and `3 - 2·1 = 1`" in text and "7 - 4 = 3 and 3 - 2 = 1" not in text
    short = nb.source(cells[_at("In short: a split whose kernel")])
    assert "\n\nWith `k - 2p > s` the floor is -2 or less" in short  # the paragraph split (r23c: the case named)
    assert "overlapping windows hold a short one whole." in text  # the section 3 lead claims no more than it shows
    assert "centre-cropped to a 3:5 aspect ratio (height : width), then resized to 60 x 100" in text
    assert "resized with its proportions kept" not in text
    assert "with it, 197 tokens, they are 253 and 42.2" in text
    cost = nb.printed(cells[_at("per_layer_1, per_layer_main = heads_token")])
    assert "with the class token (197 tokens in a main block): 253 and 42.2 times as many" in cost
    assert round(3136**2 / 197**2) == 253 and round(3136**2 / (6 * 197**2), 1) == 42.2
    assert "section 2" in tokens_along.__doc__ and "section 3" not in tokens_along.__doc__


def test_main_path_forward_links_stay_at_two():
    cells = _cells()
    summary = _at("## Summary")
    main = " ".join(nb.source(c) for c in cells[:summary] if c["cell_type"] == "markdown")
    assert re.findall(r"\]\((#[a-z0-9-]+)\)", main) == ["#held-whole", "#chain-run"]


def _k_apart_fits(x, k, s, p):  # the formula's count of windows, cut k apart: fits only when the image allows
    padded = F.pad(x, (p, p, p, p))
    grid = count_tokens(x.shape[2], x.shape[3], k, s, p)
    return torch.stack(
        [
            padded[:, :, i * k : i * k + k, j * k : j * k + k].flatten(1)
            for i in range(grid.rows)
            for j in range(grid.cols)
        ],
        dim=1,
    )


def _k_apart_range(x, k, s, p):  # range over the padded side with step k
    padded = F.pad(x, (p, p, p, p))
    height, width = padded.shape[-2:]
    windows = [
        padded[:, :, i : i + k, j : j + k] for i in range(0, height - k + 1, k) for j in range(0, width - k + 1, k)
    ]
    return torch.stack([w.reshape(x.shape[0], -1) for w in windows], dim=1)


def _k_apart_numpy(x, k, s, p):
    padded = F.pad(x, (p, p, p, p)).numpy()
    out = [
        padded[:, :, i : i + k, j : j + k].reshape(x.shape[0], -1)
        for i in range(0, padded.shape[2] - k + 1, k)
        for j in range(0, padded.shape[3] - k + 1, k)
    ]
    return torch.tensor(np.stack(out, axis=1))


@pytest.mark.parametrize("wrong", [_k_apart_fits, _k_apart_range, _k_apart_numpy])
def test_8_exercise_3_names_windows_k_apart(wrong):
    with pytest.raises(ExerciseFailed, match="windows k apart: step by s"):
        ex.check_my_soft_split(wrong)


def test_8_the_k_apart_slip_is_named_where_its_windows_fit():
    x = torch.randn(2, 1, 9, 11)  # k = 2, s = 3, p = 1: 4 x 4 windows, k apart they fit in 11 x 13
    slips = dict(ex._split_slips(x, 2, 3, 1))
    wrong = _k_apart_fits(x, 2, 3, 1)
    named = [slip for slip, tensor in slips.items() if tensor.shape == wrong.shape and torch.equal(tensor, wrong)]
    assert named == ["windows k apart: step by s (window j starts at j*s of the padded image, not j*k)"]


def _right_loop(x, k, s, p):
    padded = F.pad(x, (p, p, p, p))
    rows = (x.shape[2] + 2 * p - k) // s + 1
    cols = (x.shape[3] + 2 * p - k) // s + 1
    out = torch.empty(x.shape[0], rows * cols, x.shape[1] * k * k, dtype=x.dtype)
    for i in range(rows):
        for j in range(cols):
            out[:, i * cols + j] = padded[:, :, i * s : i * s + k, j * s : j * s + k].reshape(x.shape[0], -1)
    return out


def _right_comprehension(x, k, s, p):
    padded = F.pad(x, (p, p, p, p))
    tops, lefts = range(0, padded.shape[2] - k + 1, s), range(0, padded.shape[3] - k + 1, s)
    return torch.stack([padded[:, :, i : i + k, j : j + k].flatten(1) for i in tops for j in lefts], dim=1)


def _right_fancy_index(x, k, s, p):
    padded = F.pad(x, (p, p, p, p))
    rows = torch.arange(0, padded.shape[2] - k + 1, s)[:, None] + torch.arange(k)  # (R, k)
    cols = torch.arange(0, padded.shape[3] - k + 1, s)[:, None] + torch.arange(k)  # (Q, k)
    win = padded[:, :, rows[:, None, :, None], cols[None, :, None, :]]  # (B, C, R, Q, k, k)
    return win.permute(0, 2, 3, 1, 4, 5).reshape(x.shape[0], rows.shape[0] * cols.shape[0], -1)


@pytest.mark.parametrize("right", [_right_loop, _right_comprehension, _right_fancy_index])
def test_8_right_answers_still_pass(right, capsys):
    ex.check_my_soft_split(right)
    assert capsys.readouterr().out.startswith("Correct!")
