"""Lesson 08, fix of 5 Dec 2026 (review r19c_08): section 9's verdict against every other digit (not roll(1)) on ten
stored classifier draws ("detectably closer on 8 of 10", "not detectably closer (upper bounds ...)", no "passes");
the verdict leads, its numbers follow the table, the blunt-scale and every-layer paragraphs in appendix I; the class
token on itself per head; the validation digit sets in section 1; the deletion re-run visible; the one-digit picture
apart from the 200-digit probe; one "Not tested here" box in section 10; exercise 5's checker on None; section 5's
key-column table in appendix D."""

from __future__ import annotations

import json

import pytest
import torch

from tests import _notebook as nb
from vit_explained import attention_maps as am
from vit_explained.exercises import ExerciseFailed, lesson08

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"


def _cell(text: str, path=LESSON) -> dict:
    hits = [cell for cell in nb.cells(path) if text in nb.source(cell)]
    assert len(hits) == 1, (text, len(hits))
    return hits[0]


def _index(text: str, path=LESSON) -> int:
    hits = [i for i, cell in enumerate(nb.cells(path)) if text in nb.source(cell)]
    assert len(hits) == 1, (text, len(hits))
    return hits[0]


def _main_path() -> list[dict]:
    cells = nb.cells(LESSON)
    end = next(i for i, c in enumerate(cells) if nb.source(c).startswith("## Summary"))
    return cells[:end]


def test_ten_classifier_draws_stored_and_the_first_three_are_the_cascades():
    stored = am.stored_classifier_draws()
    rho = stored["rho"]["gradient-weighted"]
    assert rho.shape == (10, 32) and stored["accuracy"].shape == (10,)
    cascade = am.stored_cascade()
    for draw in range(3):
        table = torch.as_tensor(cascade.per_digit["classifier"]["gradient-weighted"][draw]).double()
        assert torch.allclose(rho[draw], table, atol=1e-6)
    results = json.loads((nb.NOTEBOOKS.parent / "benchmarks/results/lesson08_classifier_draws.json").read_text())
    assert results["rho"]["gradient-weighted"] == [[round(v, 6) for v in r] for r in rho.tolist()]


def test_rank_correlation_to_others_is_the_mean_over_every_other_map():
    maps = torch.rand(5, 3, 3, generator=torch.Generator().manual_seed(0))
    got = am.rank_correlation_to_others(maps)
    for i in range(5):
        others = [am.rank_correlation(maps[i : i + 1], maps[j : j + 1]).item() for j in range(5) if j != i]
        assert abs(got[i].item() - sum(others) / 4) < 1e-9
    with pytest.raises(ValueError):
        am.rank_correlation_to_others(maps[:1])


def test_section_9_reference_is_every_other_digit_on_ten_draws():
    table = _cell("am.noise_floor(")  # 21a: the references beside the live step, the paired table in appendix I
    source, out = nb.source(table), nb.printed(table)
    assert "roll(1, 0)" not in source and "am.rank_correlation_to_others(trained_weighted)" in source
    assert "am.stored_classifier_draws()" in nb.source(_cell("paired_10 = [", APPENDIX))  # 20c: appendix I
    assert "other digits (the 31 others, mean): 0.92" in out and "/ 0.51, 95 % interval [0.47, 0.55] (n = 32)" in out
    appendix_i = nb.printed(  # 20a: every draw's line moved to appendix I
        next(c for c in nb.cells(nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb") if "paired_10 = [" in nb.source(c))
    )
    assert appendix_i.count(" - other digits: ") == 10
    ten = "detectably closer on 8 of 10 draws; mean gap over the draws 0.096, 95 % interval [0.069, 0.119]"
    assert ten in appendix_i
    check = nb.source(nb.cells(APPENDIX)[_index("paired_10 = [", APPENDIX) + 1])
    assert "closer_10 == [True, False, True, True, False, True, True, True, True, True]" in check
    assert "abs(gap_10.estimate - 0.096)" in check
    assert "(pairs_.sum(1) - pairs_.diagonal()) / 31" in nb.source(nb.cells(LESSON)[_index("am.noise_floor(") + 1])


def test_verdict_wording_not_passes_and_summary_matches():
    draws = nb.flat(nb.source(_cell("Draw by draw (moved from the lesson's verdict)", APPENDIX)))  # 20c: appendix I
    assert "than another digit's map is, on 8 of 10 draws** (detectably" in draws  # 19e: said plainly
    assert "mean gap +0.096, 95 % interval [+0.069, +0.119]" in draws
    assert "not detectably closer (upper bounds +0.06 and +0.13)" in draws
    verdict = nb.source(_cell("**Verdict** (plain ρ", APPENDIX)) + nb.source(_cell("**Verdict** (ρ over 32"))  # 21a
    verdict = nb.flat(verdict)
    assert "passes" not in verdict and "2 of 3" not in verdict and "8 of 10" not in verdict
    summary = nb.flat(nb.source(_cell("## Summary")))
    assert "8 of 10" not in summary  # 20c: bullet 9 is one line
    assert "passes on our criterion" not in nb.flat(nb.all_text(LESSON))


def test_verdict_leads_and_its_numbers_follow_the_table():
    cells = nb.cells(LESSON)
    v = _index("**Verdict** (ρ over 32 digits")  # 21a: the table and references, their check, then the verdict
    assert "am.noise_floor(" in nb.source(cells[v - 4]) and nb.hidden(cells[v - 3])  # 23b: then the rule's cell
    assert "rule_gaps = {" in nb.source(cells[v - 2]) and nb.hidden(cells[v - 1])
    verdict = nb.flat(nb.source(cells[v]))
    assert "0.52-0.65" in verdict and "4.0 .. 15.0" not in verdict
    draws = nb.flat(nb.source(_cell("Draw by draw (moved from the lesson's verdict)", APPENDIX)))
    assert "2.5 to 24 %" in draws
    lesson, appendix = nb.flat(nb.all_text(LESSON)), nb.flat(nb.all_text(APPENDIX))
    assert "Plain ρ is a blunt scale" not in lesson and "Plain ρ is a blunt scale for rollout" in appendix
    assert "swings with the draw, from -0.44 to +0.49" not in lesson
    assert "swings with the draw, from -0.44 to +0.49" in appendix


def test_class_token_on_itself_per_head():
    text = nb.flat(nb.all_text(LESSON))
    assert "at most 0.02 of its row (head 3; the others 0.00-0.01" in nb.flat(nb.all_text(APPENDIX))  # 20c
    assert "about 0.02 of its row" not in text
    check = nb.source(_cell("assert torch.allclose(on_itself + on_patches"))
    assert "on_itself.argmax() == 3" in check and "on_itself[:3].max() < 0.01" in check


def test_section_1_lists_the_validation_digit_sets():
    section_1 = nb.flat(nb.source(_cell("## 1 · The model and the digits")))
    assert "section 7's and section 10's mean maps average all 500" in section_1  # 20a: section 7's control too
    assert "section 12 (appendix K) reads the 100 of the 500 with the closest calls" in section_1  # 21j


def test_deletion_rerun_is_a_visible_cell():
    cell = _cell("recheck = 4")
    assert "hide-input" not in cell["metadata"].get("tags", [])
    assert not nb.source(cell).startswith("# @title")
    assert "every order's stored curves within 1e-5: True" in nb.printed(cell)
    assert "the hidden cell above re-ran" not in nb.all_text(LESSON)


def test_picture_apart_from_the_probe():
    cells = nb.cells(LESSON)
    picture = _index("fig = plots.plot_attention_matrix(")
    assert "probe_images" not in nb.source(cells[picture])
    assert cells[picture + 1]["cell_type"] == "markdown" and "favourable case" in nb.source(cells[picture + 1])
    assert nb.source(cells[picture + 2]).startswith("probe_images = data.test_images[:200]")
    check = nb.source(cells[picture + 3])
    assert "top_keys.indices[0].item() == 11" in check and "== 101" in check


def test_one_not_tested_box_in_section_10():
    lesson = nb.all_text(LESSON)
    assert lesson.count("<summary>Not tested here</summary>") == 1
    verdict = nb.source(_cell("**Verdict:** on this model and these 200 digits"))
    assert "<summary>Not tested here</summary>" in verdict and "Raw occlusion" in verdict
    assert "<details>" not in nb.source(_cell("## 10 · Which map finds"))


@pytest.mark.parametrize("returned", [None, 3.0, 7, "R"])
def test_chefer_checker_on_a_missing_tensor_names_no_number(returned):
    with pytest.raises(ExerciseFailed) as failed:
        lesson08.check_chefer_rollout(lambda weights, gradients: returned)
    message = str(failed.value)
    assert "a number also works" not in message and "return one (B, N, N) torch.Tensor" in message
    if returned is None:
        assert "None (a missing return?)" in message


def test_sink_table_in_appendix_d_and_the_main_path_shorter():
    # 20e (review r20d_08): section 3 prints a compact per-head table the text reads; appendix D keeps the study
    assert "sink_like" not in nb.all_text(LESSON)
    cells = nb.cells(APPENDIX)
    d = _index('<a id="appendix-d"></a>', APPENDIX)
    e = _index('<a id="appendix-e"></a>', APPENDIX)
    assert d < _index("mode_key = top_key.mode(0).values", APPENDIX) < e
    assert "fixed-key: block 0, head 3: key 30 = patch (4, 1) on 126 of 200" in nb.printed(
        cells[_index("mode_key = top_key.mode(0).values", APPENDIX)]
    )
    section_5 = nb.flat(nb.source(_cell("- **Key columns** (the grid")))  # 24c: its own cell before the grid
    assert "head 3, is a **fixed-key head**" in section_5 and "08_attention_maps_appendix.ipynb#appendix-d" in section_5
    assert len(_main_path()) <= 90
