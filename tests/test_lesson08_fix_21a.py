"""Lesson 08, review r20h_08 (round of cuts): section 9's paired gap table and its verdict table moved to appendix I
(the references stay beside the live step); section 10's controls explained once, before the code; the tiny code
cells merged; "fixed-key" for block 0's head 3 in the appendix too (no "sink-like"); the main path shorter."""

from __future__ import annotations

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"


def _at(text: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), text)


def _main_path() -> list[dict]:
    visible = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    end = next(
        i for i, c in enumerate(visible) if c["cell_type"] == "markdown" and re.match(r"#+ .*Summary", nb.source(c))
    )
    return visible[:end]


def test_main_path_is_shorter():
    main = _main_path()
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 54 and words <= 3_587  # before: 70 visible cells, 5,064 words (62 and 4,681 after 21a)


def test_section_9_gap_table_and_verdict_table_live_in_appendix_i():
    assert not any("gap_table = {" in s for s in nb.sources(LESSON))
    start, end = _at('<a id="appendix-i"></a>', APPENDIX), _at('<a id="appendix-j"></a>', APPENDIX)
    assert start < _at("gap_table = {", APPENDIX) < _at("**Verdict** (plain ρ", APPENDIX) < end
    out = nb.printed(nb.cells(APPENDIX)[_at("gap_table = {", APPENDIX)])
    assert "classifier + blocks 1-3  -0.033 [-0.043, -0.024]  -0.115 [-0.170, -0.059]" in out
    verdict = nb.flat(nb.sources(LESSON)[_at("**Verdict** (ρ over 32 digits")])
    assert "ρ 0.52-0.65 per draw, against a noise floor of 0.98" in verdict and "#appendix-i" in verdict
    assert "|" not in verdict  # the table is in the appendix
    references = nb.printed(nb.cells(LESSON)[_at("am.noise_floor(")])
    assert _at("print(cascade)") < _at("am.noise_floor(") < _at("rule_gaps = {")  # 23b: one cell per topic
    assert "other digits (the 31 others, mean): 0.92" in references and "noise floor, + 2 % noise" in references


def test_section_10_controls_explained_once_and_small_cells_merged():
    text = nb.all_text(LESSON)
    assert text.count("Six controls set the scale") == 1 and "the cell above re-ran four digits" not in text
    assert "How the ten comparisons are read" not in text  # one sentence in the area cell's text
    controls = nb.source(nb.cells(LESSON)[_at("controls = am.deletion_controls(")])
    assert "recheck = 4" in controls  # the re-check joined the controls cell
    areas = nb.source(nb.cells(LESSON)[_at("am.deletion_auc(curve, counts)")])
    assert "family_10 = am.compare_maps(" in areas  # the areas and their paired family: one cell


def test_fixed_key_not_sink_like_in_the_appendix():
    appendix = nb.all_text(APPENDIX) + nb.all_printed(APPENDIX)
    assert "sink-like" not in appendix and "sink_like" not in appendix
    assert "that head is a **fixed-key** head" in appendix
    rollout = nb.source(nb.cells(LESSON)[_at("identity = torch.eye(tokens)")])
    assert "by_depth = torch.stack(" in rollout and "plot_rollout_layers(" in rollout  # by hand, by depth: one cell
    knobs = nb.source(nb.cells(APPENDIX)[_at("val_spread = {name: am.effective_patches", APPENDIX)])  # 21b: appendix K
    assert "plot_map_columns(" in knobs  # section 11's settings and their three maps: one cell
    assert "fixed-key: block 0, head 3: key 30 = patch (4, 1) on 126 of 200" in nb.all_printed(APPENDIX)
