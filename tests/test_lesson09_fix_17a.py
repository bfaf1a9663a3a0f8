"""Lesson 09, fix round 17a: Table 3 right after the loss formulas and the near-chance soft-vs-hard attempt in
appendix B; exercise 3's attn_map may be taken before or after attn_drop (text and checker agree); row 0's
flatness printed; section 5 keeps one version sentence; the relabel figure's title matches the prose."""

from pathlib import Path

import pytest

from tests import _lesson09 as nb
from tests._notebook import printed as _printed
from tests._notebook import source as _source
from tests.test_lesson09_learner import learner_forward
from vit_explained.exercises import ExerciseFailed, lesson09

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "09_deit_distillation.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "09_deit_distillation_solutions.ipynb"


def _cells(path: Path = LESSON) -> list[dict]:
    return nb.cells(path)


def _index(sources: list[str], start: str) -> int:
    return next(i for i, s in enumerate(sources) if s.startswith(start))


def test_table_3_comes_right_after_the_formulas_and_the_short_attempt_is_one_line():
    sources = [_source(cell) for cell in _cells()]
    # fix 22a (review r21k item 9): the formulas open section 3, under its heading
    formulas = next(i for i, s in enumerate(sources) if "**Soft and hard distillation, as formulas" in s)
    assert sources[formulas + 1].startswith("**Hard wins in Table 3**")
    assert "plot_paper_distillation()" in sources[formulas + 2]
    # round 18a (review 17f): the 12-epoch attempt said nothing; its subsection is gone, one line stays
    # round 18c (review 18b): the line says why, from the stored result, printed in the next cell
    assert "Soft against hard is not tested here." in sources[formulas + 3]
    # round 18d (review 18c): the attempt's printed line moved to appendix A's not-tested table
    assert "Appendix A says why" in sources[formulas + 3]


def _make(store_after_dropout: bool):
    def make_my_forward(attn_obj):
        return learner_forward(attn_obj, store_before_dropout=not store_after_dropout)

    return make_my_forward


@pytest.mark.parametrize("after", [True, False], ids=["after attn_drop", "before attn_drop"])
def test_exercise_3_accepts_the_map_before_or_after_attn_drop(after):
    lesson09.check_my_forward(_make(after))  # raises ExerciseFailed if not accepted


def test_exercise_3_text_and_checker_say_before_or_after_attn_drop():
    wanted = "before or after `attn_drop`"
    for path in (LESSON, SOLUTIONS):
        text = next(_source(c) for c in _cells(path) if _source(c).startswith("### Exercise 3"))
        assert wanted in text, path.name
    source = (ROOT / "vit_explained" / "exercises" / "lesson09.py").read_text()
    assert "(and after attn_drop)" not in source and "(before or after attn_drop)" in source


def test_a_map_before_the_softmax_is_named_with_before_or_after_attn_drop():
    def make(attn_obj):
        inner = _make(True)(attn_obj)

        def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
            out = inner(x, attn_mask=attn_mask, is_causal=is_causal)
            attn_obj.attn_map = attn_obj.attn_map.log() * 3  # not the weights: rows do not sum to 1
            return out

        return my_forward

    with pytest.raises(ExerciseFailed, match="before or after attn_drop"):
        lesson09.check_my_forward(make)


def test_row_0_flatness_is_printed_where_the_prose_says_it():
    cells = _cells()
    sources = [_source(c) for c in cells]
    matrix = _index(sources, "head = 1  # the most peaked head")  # round 21a: appendix C, with the stripe
    # round 18a (review 17f): the headline picture is head 1, whose row 0 peaks; heads 0 and 2 are the flat ones
    assert "row 0: largest weight 0.70, on key 12" in _printed(cells[matrix])
    assert "row 0's largest patch weight, heads 0 to 3: [0.08, 0.7, 0.1, 0.37]" in _printed(cells[matrix])
    # review 19a: the flat heads are said in appendix C; round 21a: the prints moved there too, right after the prose
    stripe = _index(sources, "### The stripe: one key")
    assert stripe == matrix - 1 and "Heads 0 and 2 are far less peaked" in sources[stripe]
    assert "printed below" in sources[stripe]
    assert nb.hidden(cells[matrix + 1]) and "top_share == 1.0" in sources[matrix + 1]  # printed and checked there


def test_section_5_keeps_one_version_sentence():
    sources = [_source(c) for c in _cells()]
    start, end = _index(sources, "## 5 · "), _index(sources, "## 6 · ")
    prose = "\n".join(sources[start:end])  # its prose and code comments
    assert "timm 1.0.26 to 1.0.28" in prose
    for detail in ("1.0.15", "before 0.9.0", "before 1.0.16", "other versions: appendix A"):
        assert detail not in prose, detail


def test_the_relabel_figure_title_matches_the_prose():
    from vit_explained.plotting.lesson09 import plot_relabel_ablation

    arm = [(0.5, 0.4, 0.6)] * 3
    fig = plot_relabel_ablation({name: arm for name in ("a, b", "c, d", "e, f", "g, h")})
    assert fig.axes[0].get_title().startswith("A teacher whose answer 7 becomes 1")
