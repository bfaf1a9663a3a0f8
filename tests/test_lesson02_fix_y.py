"""Lesson 02, fix round y (review 16g): the chain figure names lesson 07's module, section 3's token layer is a
transformer one, the run strip (picture) comes before the box rule in section 1, the 31-pixel footprint's 100 % is
geometry, the widget cell prints its readout, the Summary's third bullet is short."""

from __future__ import annotations

import pathlib

from tests import _notebook as nb
from tests._notebook import flat as _flat
from tests._notebook import printed as _printed
from tests._notebook import source as _source

LESSON = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "02_soft_split_token_counting.ipynb"
SOLUTIONS = LESSON.parent / "solutions" / "02_soft_split_token_counting_solutions.ipynb"


def _cells(path: pathlib.Path = LESSON) -> list[dict]:
    return nb.cells(path)


def _index(start: str) -> int:
    (index,) = [i for i, c in enumerate(_cells()) if _source(c).startswith(start)]
    return index


def test_chain_figure_names_lesson_07s_module_not_t2t_vit_t_14():
    (code,) = [_source(c) for c in _cells() if "plot_t2t_chain(images" in _source(c)]
    assert 'model="lesson 07\'s Tokens2Token"' in code and "T2T-ViT_t-14" not in code
    assert "note=" not in code  # review r19c item 7: the note moved to the prose before the figure


def test_section_3_token_layer_is_a_transformer_one():
    cost = _flat(_source(_cells()[_index("### What the chain costs")]))  # review 18a: not in section 2 any more
    assert "Below is T2T-ViT_t-14 (`tokens_type='transformer'`), whose token layers attend" in cost
    assert "split 1 gives 3136² ≈ 9.8 M attention entries" in cost and "Performer" not in cost.split("Below")[1]


def test_run_strip_and_the_box_rule_in_why_overlap_after_the_formula():
    cells = _cells()
    strip = [i for i, c in enumerate(cells) if "plot_run_strip(20, *T2T_SPLITS[0])" in _source(c)]
    (rule,) = [i for i, c in enumerate(cells) if "**The box rule.**" in _source(c)]
    (formula,) = [i for i, c in enumerate(cells) if "tokens_along(60, 20, 10, 5)}" in _source(c)]
    (section_4,) = [i for i, c in enumerate(cells) if "## 4 ·" in _source(c)]
    # round 17c: both moved to Going further; review 18d: the strip back in section 3; review r20d: to the appendix
    assert strip and _index("## 2 ·") < formula < _index("## 3 · Why overlap") < section_4 < strip[0]
    assert _index("## Going further") < rule and strip[0] < rule
    assert "**Held whole, in one rule.**" in _source(cells[strip[0] - 1])  # round 19a: one paragraph
    assert "worst-placed run for (7, 4, 2): (first pixel, length) = (5, 4)" in _printed(cells[strip[0]])
    assert "hide-input" in cells[strip[0] + 1]["metadata"]["tags"]


def test_footprint_share_is_called_geometry_and_points_to_lesson_07():
    (prose,) = [_flat(_source(c)) for c in _cells() if _source(c).startswith("At ViT's stride")]
    assert (
        "it is geometry, not accuracy" in prose and "any overlapping stem with 31-pixel windows at stride 16" in prose
    )
    (notes,) = [_flat(_source(c)) for c in _cells() if '<a id="footprint-notes"></a>' in _source(c)]  # 22a: moved
    assert "07_tokens_to_token_vit.ipynb#6-does-t2t-help" in notes and "(#footprint-notes)" in prose


def test_map_is_drawn_with_t2t_vit_14s_widths():
    (text,) = [_flat(_source(c)) for c in _cells() if "T2T-ViT makes three soft splits" in _source(c)]
    # round 19a: both variants named as the repo names them (t2t_vit_14 Performer, t2t_vit_t_14 transformer)
    # review r22b item 6: the same facts, one idea per sentence
    assert "T2T-ViT-14 (`t2t_vit_14`) uses Performer token layers." in text
    assert "T2T-ViT_t-14 (`t2t_vit_t_14`), the stem lesson 07 builds, uses transformer ones." in text
    assert "The map uses their shared main widths: `D = 384`, 14 blocks of 6 heads." in text
    (code,) = [_source(c) for c in _cells() if "plot_vit_map_t2t(vit_14_map" in _source(c)]
    assert "dim=384, depth=14, heads=6, mlp_dim=1152" in code and "dim=768" not in code


def test_widget_cell_prints_its_readout():
    (cell,) = [c for c in _cells() if "lost_rows, lost_cols = " in _source(c)]
    readout = "rows: (60 + 2 x 0 - 20) // 15 + 1 = 3, columns: (100 + 2 x 0 - 20) // 15 + 1 = 6; "
    assert readout + "overlap k - s = 20 - 15 = 5; tokens: 3 x 6 = 18" in _printed(cell)


def test_nits_and_identical_exercise_text():
    cells = _cells()
    assert "pad 1 gives 55 windows, pad 2 gives 56 windows, pad 3 gives 56 windows" in "".join(map(_printed, cells))
    assert any("read the same 200 pixel positions" in _flat(_source(c)) for c in cells)
    (lesson,) = [_source(c) for c in cells if _source(c).startswith("### Exercise 2")]
    (solution,) = [_source(c) for c in _cells(SOLUTIONS) if _source(c).startswith("### Exercise 2")]
    assert lesson == solution and "the first window reaches an image pixel: `padding < kernel`" in lesson
    summary = _flat(_source(cells[_index("## Summary")]))
    assert "scrambled" not in summary and "perfect square" not in summary
