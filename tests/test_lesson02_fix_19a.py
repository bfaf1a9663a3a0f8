"""Lesson 02, fix round 19a: split 3 (not a token layer) feeds the Linear; Exercise 2's answer-giving hint folded;
coverage defined before its picture; T2T-ViT-14 / T2T-ViT_t-14 named as the original repo names them; a compact
listing of the whole stem opens section 7; "held whole" as one paragraph and one picture in the main path (the
recount in the appendix), and a main path of at most 72 cells."""

from __future__ import annotations

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "02_soft_split_token_counting_solutions.ipynb"


def _first(text: str, path=LESSON) -> int:
    return next(i for i, c in enumerate(nb.cells(path)) if text in nb.source(c))


def test_split_3_feeds_the_linear_not_a_token_layer():
    cells = nb.cells(LESSON)
    text = nb.flat(" ".join(nb.source(c) for c in cells if c["cell_type"] == "markdown"))
    assert "Each later soft split feeds a token layer" not in text
    rest = nb.flat(nb.source(cells[_first("**A run.**")]))  # round 19b: one cell runs the chain
    assert (
        "Splits 1 and 2 each feed a token layer" in rest and "split 3, the last soft split, feeds the `Linear`" in rest
    )
    assert not re.search(r"(every|each) (later |soft )?split feeds a token", text, re.IGNORECASE)


def test_exercise_2_hint_k_at_least_2s_minus_1_is_folded():
    for path in (LESSON, SOLUTIONS):
        (text,) = [nb.source(c) for c in nb.cells(path) if nb.source(c).startswith("### Exercise 2")]
        at = text.index("k >= 2s - 1")
        opened, closed = text.rfind("<details>", 0, at), text.rfind("</details>", 0, at)
        assert opened > closed, "the hint k >= 2s - 1 must sit inside a collapsed <details> block"
        assert "*Hint*: the simplest choice" not in text


def test_exercise_2_checker_still_names_uncovered_pixels():
    import pytest

    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises import lesson02 as ex

    with pytest.raises(ExerciseFailed, match=r"pixel 223 \(the last row and column\) ends up in no token"):
        ex.check_split_for_grid(lambda size, grid: (size // grid + 1, size // grid, size // grid // 2))


def test_coverage_is_defined_before_its_picture():
    # review r22b item 7: the term is defined before the picture, the picture drawn before `coverage` (the function)
    defined, picture = _first("def coverage("), _first("plot_coverage(8, 8")
    assert _first("A pixel's *coverage* is the number of windows") < picture < _first("**Coverage, counted.**")
    assert _first("**Coverage, counted.**") == defined - 1 and defined < _first("## 3 · Why overlap")


def test_t2t_vit_14_and_t2t_vit_t_14_named_correctly():
    text = nb.all_text(LESSON)
    assert "T2T-ViT-14's Performers have" not in text
    assert "T2T-ViT_t-14's widths" in nb.source(nb.cells(LESSON)[_first("t2t = built_with_seed(0, Tokens2Token")])
    assert "T2T-ViT-14 (`t2t_vit_14`) uses Performer token layers" in nb.flat(text)
    for line in text.splitlines():  # the transformer stem lesson 07 builds is never labelled T2T-ViT-14's alone
        if "Tokens2Token" in line and "T2T-ViT" in line:
            assert "T2T-ViT_t-14" in line, line


def test_section_7_checks_the_module_figure_against_the_whole_stem():
    # round 19c (review r19b): the listing went (the module figure gives every shape); its asserts follow the figure
    cells = nb.cells(LESSON)
    section = _first("## 7 · The whole T2T chain, counted")
    figure = next(i for i, c in enumerate(cells) if "fig = plot_t2t_module(224, 224, 3" in nb.source(c))
    check = nb.source(cells[figure + 1])
    assert section < figure and "hide-input" in cells[figure + 1]["metadata"]["tags"]
    for part in (
        "stem = Tokens2Token(224",
        "len(stem.soft_splits) == 3 and len(stem.token_transformers) == 2",
        "[(3136, 147), (784, 576), (196, 576)]",
        "(576, 384, 196)",
        "fig.axes[0].texts",
    ):
        assert part in check, part
    later = nb.flat(" ".join(nb.source(c) for c in cells[section + 3 : _first("## Summary")]))
    assert "Predict before you run:** the token grid after each split of a 224 x 224" not in later  # shown above


def test_held_whole_is_one_paragraph_and_one_picture_in_the_main_path():
    cells = nb.cells(LESSON)
    section_3, section_4 = _first("## 3 · Why overlap"), _first("## 4 ·")
    main = cells[section_3:section_4]
    assert sum("held whole" in nb.source(c).lower() and c["cell_type"] == "markdown" for c in main) == 1
    assert sum('save_figure(fig, "02_run_strip")' in nb.source(c) for c in main) == 0  # review r20d: to the appendix
    held = _first("### Held whole, counted")
    assert held < _first('save_figure(fig, "02_run_strip")') < _first('<a id="box-rule"></a>**The box rule.**')
    assert not any("shares[split] = share_held_whole" in nb.source(c) or "from fractions" in nb.source(c) for c in main)
    appendix = _first("## Appendix (optional)")
    assert appendix < _first("### Held whole, counted") < _first('<a id="box-rule"></a>**The box rule.**')  # 19b


def test_main_path_is_at_most_72_cells():
    summary = _first("## Summary")
    assert summary <= 72  # was 77
