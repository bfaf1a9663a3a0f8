"""Lesson 08, review r21j_08: section 5's two key-column tables become one 4x4 grid (block x head, coloured by the
top key column's share on ink, the fixed-key head outlined), the tables and their paired gaps move to appendix D
with their checks; sections 11-12 draw one validation digit's three maps (plain / mean, discard 0.9 / max, discard
0.9), each titled with its spread; the main path stays within 54 visible cells and 3,581 words."""

from __future__ import annotations

import re

import torch
from matplotlib.patches import Rectangle

from tests import _notebook as nb
from vit_explained.plotting.lesson08 import plot_key_column_grid, plot_knob_maps

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"


def _at(text: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), text)


def _has_picture(cell: dict) -> bool:
    return any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


def test_section_5_draws_one_key_column_grid_not_two_tables():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    section_5, section_6 = _at("## 5 · Where"), _at("## 6 · Attention rollout")
    at = _at("plots.plot_key_column_grid(")
    assert section_5 < at < section_6 and _has_picture(cells[at])
    assert 'save_figure(fig, "08_key_columns")' in sources[at]
    out = nb.printed(cells[at])
    assert "fixed-key: block 0, head 3: patch (4, 1) is its top key on 126 of 200 digits" in out
    assert "its top key on ink 15.5 %, 95 % interval [11.1, 21.2] % (n = 200) (a random key: 33.0 %)" in out  # 24f
    main = "".join(nb.printed(cells[i]) for i in range(section_5, section_6))
    assert "its most frequent top key, used for every digit" not in main and "block 1:  88.5 %" not in main
    check = nb.source(cells[at + 1])
    assert nb.hidden(cells[at + 1]) and "fixed_heads.nonzero().tolist() == [[0, 3]]" in check
    reading = nb.flat(sources[_at("**Key columns**")])
    assert "(the grid, 200 test digits)" in reading and "(outlined)" in reading
    assert "the second table" not in reading and "12.0 to 18.0 points" not in reading


def test_appendix_d_holds_the_moved_tables_and_their_checks():
    cells = nb.cells(APPENDIX)
    d, e = _at('<a id="appendix-d"></a>', APPENDIX), _at('<a id="appendix-e"></a>', APPENDIX)
    at = _at("the lesson's section 5 tables (moved here; the lesson draws the first as a grid)", APPENDIX)
    assert d < at < e
    out = nb.printed(cells[at])
    assert "block 0:  51.5 % (4, 3) x 58 |  72.5 % (2, 2) x 96 |  66.0 % (4, 4) x 68 |  15.5 % (4, 1) x126" in out
    assert "block 1:  70.5 % +18.0 [+13.0, +23.5]" in out and "block 0:  82.5 % -31.0 [-37.5, -24.5]" in out
    check = nb.source(cells[at + 1])
    assert nb.hidden(cells[at + 1]) and "int((gap_low > 0).sum()) == 8 and int((gap_high < 0).sum()) == 5" in check


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


def test_sections_11_12_draw_three_knob_maps_titled_with_their_spread():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    at = _at("knob_maps = am.rollout_settings(")
    assert _has_picture(cells[at]) and 'save_figure(fig, "08_knob_maps")' in sources[at]
    assert "plots.plot_knob_maps(val_100, knob_maps, knob_spread, digit=0" in sources[at]
    assert len(sources[at].splitlines()) <= 12  # 21c's cap: one small cell for both sections
    assert "(100 validation digits; the figure: one of them)" in nb.flat(sources[at - 1])


def test_main_path_within_its_cap():
    cells = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    markdown = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"]
    end = next(i for i in markdown if re.match(r"#+ .*Summary", nb.source(cells[i])))
    words = sum(len(nb.source(c).split()) for c in cells[:end] if c["cell_type"] == "markdown")
    assert end <= 54 and words <= 3581


def test_knob_maps_titles_each_panel_with_its_spread():
    maps = {"rollout": torch.rand(2, 7, 7), "max, discard 0.9": torch.rand(2, 7, 7)}
    spreads = {"rollout": torch.tensor([37.0, 38.9]), "max, discard 0.9": torch.tensor([12.0, 12.6])}
    fig = plot_knob_maps(torch.zeros(2, 1, 28, 28), maps, spreads, digit=1)
    titles = [ax.get_title() for ax in fig.axes]
    assert "rollout\nspread 38.9 patches" in titles and "max, discard 0.9\nspread 12.6 patches" in titles
