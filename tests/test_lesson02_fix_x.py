"""Lesson 02, fix round x (review 16f): the Summary's non-square sentence and the position table, the controlled
pair first in section 1 and the like-for-like comparison at stride 16, named checker messages, figure labels."""

from __future__ import annotations

import math
import pathlib

import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F

from tests import _notebook as nb
from tests._notebook import flat as _flat
from tests._notebook import printed as _printed
from tests._notebook import source as _source
from vit_explained import T2T_SPLITS, ViT, count_tokens
from vit_explained.exercises import ExerciseFailed, lesson02
from vit_explained.soft_split import chain_footprints, share_held_whole

LESSON = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "02_soft_split_token_counting.ipynb"


def _cells() -> list[dict]:
    return nb.cells(LESSON)


# --------------------------------------------------------------------------- exercise 1: the square reshape


def _square_every_split(height, width, splits):  # the original code's reshape, after every split
    rows, cols = height, width
    for k, s, p in splits:
        rows, cols = (rows + 2 * p - k) // s + 1, (cols + 2 * p - k) // s + 1
        rows = cols = int(math.sqrt(rows * cols))
    return rows, cols


def test_a_square_reshape_after_every_split_is_named():
    with pytest.raises(ExerciseFailed, match="you reshape to a square like the original code"):
        lesson02.check_final_grid(_square_every_split)


def test_a_constant_grid_is_named():
    with pytest.raises(ExerciseFailed, match=r"you return \(14, 14\) for every chain"):
        lesson02.check_final_grid(lambda height, width, splits: (14, 14))


def test_always_square_grids_are_named():
    def square_of_the_height(height, width, splits):  # squares, but from no slip the checker lists
        rows = height
        for k, s, p in splits:
            rows = (rows + 2 * p - k) // s + 2
        return rows, rows

    with pytest.raises(ExerciseFailed, match="your grids are always square"):
        lesson02.check_final_grid(square_of_the_height)


# --------------------------------------------------------------------------- exercise 3: wording


def _loop_split(step_by_kernel=False, first_only=False):
    def split(x, k, s, p):
        x = F.pad(x, (p, p, p, p))
        batch, _, height, width = x.shape
        step = k if step_by_kernel else s
        windows = [
            x[:, :, i : i + k, j : j + k].reshape(batch, -1)
            for i in range(0, height - k + 1, step)
            for j in range(0, width - k + 1, step)
        ]
        return torch.stack(windows[:1] if first_only else windows, 1)

    return split


def test_stepping_by_the_kernel_is_named():
    with pytest.raises(ExerciseFailed, match="you step by k, not s"):
        lesson02.check_my_soft_split(_loop_split(step_by_kernel=True))


def test_one_window_is_singular():
    with pytest.raises(ExerciseFailed, match="you make 1 window, not ") as failure:
        lesson02.check_my_soft_split(_loop_split(first_only=True))
    assert "1 windows" not in str(failure.value)


def test_the_loop_split_itself_passes(capsys):
    lesson02.check_my_soft_split(_loop_split())
    assert "Correct!" in capsys.readouterr().out


# --------------------------------------------------------------------------- the package: a footprint as a split


def test_final_footprint_as_a_split_makes_t2t_grid_and_holds_a_16_pixel_box():
    final = chain_footprints(T2T_SPLITS)[-1]
    assert final.as_split() == (31, 16, 14)
    assert count_tokens(224, 224, *final.as_split()).total == 196
    for row in range(14):  # the split's windows are the footprints, token by token
        start = row * 16 - 14
        assert final.pixels(row, row)[0] == range(start, start + 31)
    assert share_held_whole(224, (16, 16), *final.as_split()) == 1
    assert share_held_whole(224, (17, 1), *final.as_split()) < 1  # the box, and no more
    assert round(100 * float(share_held_whole(224, (2, 4), 16, 16, 0)), 1) == 77.6


# --------------------------------------------------------------------------- the notebook


def test_position_table_belongs_to_the_final_tokens_only():
    cells = _cells()
    assert "and the position table;" not in _source(cells[0])
    (chain,) = [_flat(_source(c)) for c in cells if "T2T-ViT makes three soft splits" in _source(c)]  # 19a
    assert "The token layers have none." in chain  # round 17b; r22b item 6: the line numbers in the hidden check
    (check,) = [_source(c) for c in cells if "module_lines = (vendored" in _source(c)]
    assert "T2T_module, lines 44-103" in check and 'not any("pos_embed" in line' in check


def test_section_1_leads_with_the_controlled_pair():
    cells = _cells()
    (stat,) = [i for i, c in enumerate(cells) if "controls = {  # (kernel, stride, padding)" in _source(c)]  # 21a
    table = {line[:13].strip(): line[45:].split() for line in _printed(cells[stat]).splitlines()[2:]}
    splits = ("(4, 4, 2)", "(7, 7, 0)", "(5, 4, 1)", "(8, 4, 2)", "(5, 2, 2)")
    assert [table[split][:2] + table[split][3:4] for split in splits] == [
        ["1", "57", "18.6%"],
        ["1", "32", "49.9%"],
        ["2", "56", "50.2%"],
        ["5", "56", "100.0%"],
        ["4", "112", "100.0%"],
    ]
    assert "per_side == {(4, 4, 0): 56, (4, 4, 2): 57, (7, 4, 2): 56}" in _source(cells[stat + 1])
    lead = _flat(_source(cells[stat - 1]))  # review r19a: the padding also moves the grid, 56 -> 57
    assert "to 57 windows per side instead of 56 (T2T's 7 x 7 kernel keeps 56)" in lead
    after = _flat(_source(cells[stat + 2]))  # round 21a: the table, its check, then the reading
    assert after.startswith(
        "Padding alone moves the share from 19.1 % to 18.6 %. A larger window without overlap raises the share"
    )
    assert "(#token-footprint)" not in after  # round 18a: fewer forward links in the main path


def test_section_6_compares_like_for_like_at_stride_16():
    cells = _cells()
    (code,) = [i for i, c in enumerate(cells) if "footprints = chain_footprints(T2T_SPLITS)" in _source(c)]
    assert '<a id="token-footprint"></a>' in _source(cells[code - 1])
    figure = code + 2  # round 17b: the footprints printout, then the figure
    assert "plot_token_footprint(" in _source(cells[figure])
    # round 19c: the stride-16 pair is printed here, beside the footprint (section 3 keeps stride 4)
    assert "stride 16: (16, 16, 0) 77.6 %, (31, 16, 14) 100.0 %" in _printed(cells[code])
    assert "[77.6, 100.0]" in _source(cells[figure + 1]) and "footprints[-1].as_split()" in _source(cells[figure + 1])
    prose = _flat(_source(cells[figure + 2]))
    assert prose.startswith(
        "At ViT's stride 16, T2T's final tokens hold 100 %: every placement of the piece lies inside the 31 x 31 pixels"
    )
    notes = _flat(_source(cells[nb.unique_index(nb.sources(LESSON), '<a id="footprint-notes"></a>')]))  # 22a: moved
    assert "not that it keeps them" in notes and "to 64" in notes  # a footprint is not what a token holds
    assert "(#footprint-notes)" in prose


def test_no_telegraphic_sentences_left():
    text = " ".join(_flat(_source(c)) for c in _cells() if c["cell_type"] == "markdown")
    for terse in ("is drawn in two panels, one per row of windows", "That is what the splits put into a token",
                  "Run it.", "Heads change the per-layer count"):  # fmt: skip
        assert terse not in text
    (cost,) = [_source(c) for c in _cells() if _source(c).startswith("### What the chain costs")]
    assert cost.rstrip().endswith("as the image has:")  # the colon leads to the printout of these counts


def test_figure_labels():
    from vit_explained.images import sample_image
    from vit_explained.plotting.lesson02 import plot_edge_on_photo, plot_vit_map_t2t, plot_window_grid
    from vit_explained.vit_map import trace_vit

    fig = plot_window_grid(torch.rand(1, 60, 100), 20, 10, 5)
    legend = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert "window 0" not in legend and "shared with token 0: 10 px wide" in legend
    plt.close(fig)
    rim = [(row, col) for row in (57, 58) for col in range(94, 98)]
    fig = plot_edge_on_photo(sample_image(224), rim)
    assert fig.axes[1].get_legend() is None and len(fig.legends) == 1  # outside the zoom
    plt.close(fig)
    with torch.device("meta"):
        vit = ViT(224, patch_size=16, num_classes=1000, dim=768, depth=12, heads=12, mlp_dim=3072)
        vit_map = trace_vit(vit, torch.empty(1, 3, 224, 224))
    fig = plot_vit_map_t2t(vit_map)
    assert any("(T2T-ViT-14 uses D = 384)" in text.get_text() for text in fig.axes[0].texts)
    plt.close(fig)
    with torch.device("meta"):  # round 17b: the lesson draws T2T-ViT-14's widths, and the note says so
        vit = ViT(224, patch_size=16, num_classes=1000, dim=384, depth=14, heads=6, mlp_dim=1152)
        vit_map = trace_vit(vit, torch.empty(1, 3, 224, 224))
    fig = plot_vit_map_t2t(vit_map)
    texts = [text.get_text() for text in fig.axes[0].texts]
    assert any("(drawn with T2T-ViT-14's D = 384)" in text for text in texts)
    assert not any("uses D = 384" in text for text in texts)
    plt.close(fig)
