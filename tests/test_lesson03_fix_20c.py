"""Lesson 03, review r20b: the one-row picture shows median rows of 400 and states the population's medians,
the init sentence is scoped to ViT-B's layer with the original ViT's init and d = 768 printed, the query rule
is explained, the Summary links appendix I, SDPA's back-ends live in appendix J, the `.view` message gives
the fix, exercise 2 accepts chunk/stack answers, and the timm spelling says it is read, not run."""

from __future__ import annotations

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson03 import check_split_merge
from vit_explained.plotting import lesson03 as plots

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APPENDIX_SOURCES = nb.sources(APPENDIX)
SUMMARY = nb.unique_index(SOURCES, "## Summary")


def test_item_1_the_rows_are_medians_of_a_population_and_the_prose_states_the_medians():
    # review r20d: the one-row panels moved on to appendix G, checks and all
    cells, sources = nb.cells(APPENDIX), APPENDIX_SOURCES
    code = nb.unique_index(sources, "plots.softmax_row_population(4)")
    assert "median_seed(saturated=False)" in sources[code] and "seeds=(0, 0, 10)" not in sources[code]
    printed = nb.printed(cells[code])
    assert "400 unscaled rows per width" in printed and "0.241 = 1.53 times d = 4's" in printed
    assert "d = 4, all rows (0% saturated): 0.157" in printed and "d = 64, all rows: 0.132" in printed
    check = sources[code + 1]
    assert nb.hidden(cells[code + 1]) and "abs(unsaturated_median - 0.241) < 0.0005" in check
    text = nb.flat(sources[code - 1])
    assert "median row by gradient norm, over 400 rows" in text and "passes back little too" not in text
    assert "1.5 times the 0.157" in text and "0.132" in text


def test_item_1_the_population_helper_picks_the_median_rows():
    rows = plots.softmax_row_population(64, num_rows=40)
    seed = rows.median_seed(saturated=False)
    _, gradient = plots.softmax_row(64, seed=seed)
    assert abs(float(gradient.norm()) - rows.median_norm(saturated=False)) < 0.02
    assert float(rows.largest[seed]) < 0.9 and 0 < rows.saturated_share < 1


def test_item_2_the_init_sentence_is_scoped_and_printed():
    # review r20d: the init table moved on to appendix G, its sentence and check with it
    cells, sources = nb.cells(APPENDIX), APPENDIX_SOURCES
    prose = nb.unique_index(sources, "**Per init and head width.**")  # review r23a: was "Section 3's init table"
    text = nb.flat(sources[prose])
    assert "With PyTorch's or timm's default init about 1 % of rows or fewer saturate" not in text
    assert "In ViT-B's layer ($d = 64$)" in text and "about a third" in text and "$d = 768$" in text
    printed = nb.printed(cells[prose + 1])
    assert "xavier, per q/k/v  ViT-B layer, d = 64: 36.2%" in printed and "one head, d = 768" in printed
    assert nb.hidden(cells[prose + 2]) and "mean_share[init, 768] > max(0.4" in sources[prose + 2]


def test_item_3_the_query_rule_is_explained_and_checked():
    text = nb.flat(APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "The query (cyan), patch 10")])  # appendix E
    assert "the head's focal point, on the stroke" in text
    assert "bool(ink[query - 1])" in APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "assert query == 11 and")]


def test_item_4_the_summary_links_appendix_i_for_the_tenth():
    # review r23c: the tenth left the Summary; appendix I states it beside its printed 0.10 and its check
    sources = APPENDIX_SOURCES
    text = nb.flat(sources[nb.unique_index(sources, "The fused path's peak at 3136 tokens is about a tenth")])
    assert "about a tenth of one matrix" in text
    check = sources[nb.unique_index(sources, "about a tenth: the")]
    assert "large.fused_peak_bytes < 0.15 * large.matrix_bytes" in check


def test_item_5_sdpa_backends_in_appendix_j_and_fewer_visible_cells():
    lesson = nb.flat(SOURCES[nb.unique_index(SOURCES, "### The same as PyTorch's attention")])
    assert "SDPBackend" not in lesson and "lists torch 2.13's" in lesson
    assert not any("backends = {" in s for s in SOURCES)
    assert sum(not nb.hidden(cell) for cell in CELLS[:SUMMARY]) <= 57
    assert "display(plots.plot_permutation(" in SOURCES[nb.unique_index(SOURCES, "order = torch.randperm(N")]


def _split(x, heads):
    return x.reshape(x.shape[0], x.shape[1], heads, -1).permute(0, 2, 1, 3)


def _merge_view(x):
    return x.permute(0, 2, 1, 3).view(x.shape[0], x.shape[2], -1)


def _merge_stack(x):
    return torch.cat(x.unbind(1), dim=-1)


def _split_chunk(x, heads):
    return torch.stack(x.chunk(heads, dim=-1), dim=1)


def test_item_6_the_view_message_names_the_fix():
    with pytest.raises(ExerciseFailed, match=r"use \.reshape \(or \.contiguous\(\)\.view\)"):
        check_split_merge(_split, _merge_view)


def test_item_7_chunk_and_stack_answers_pass_and_are_said_to():
    check_split_merge(_split_chunk, _merge_stack)
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "### Exercise 2 · Split and merge")])
    assert "`chunk`, `stack` or `cat` answers are accepted" in text


def test_item_8_the_timm_spelling_names_its_commit_and_why_timm_is_not_run():
    # review r20d: T2T's vendored copy of timm's class now runs (tests/test_lesson03_fix_20e.py)
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "## 2 · One computation, many spellings")])
    library = nb.flat(APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "## J · In the libraries")])
    assert "`aa4b5850`" in library and "#appendix-j" in text  # review r23a: the provenance moved to appendix J
    # review r20g: the timm wheel does install; the precise fact is that timm is not a dependency of the course
    assert "timm does not install here" not in text and "timm does not install here" not in library
    assert "timm is not a dependency of this course (`requirements.txt`)" in library
