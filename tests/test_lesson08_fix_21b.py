"""Lesson 08, the cut finished (brief 21b): the blank-last ablation, section 11's knobs and section 12's class maps
move to appendix K with their checks (a pointer each stays in the lesson); repeated sentences cut; the main path at
<= 55 visible cells and <= 3,600 words."""

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


def test_main_path_within_the_targets():
    main = _main_path()
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 54 and words <= 3_582  # before: 62 visible cells, 4,681 words (21c: 54 and 3,582)


def test_appendix_k_holds_the_three_moved_parts_with_their_checks():
    cells = nb.cells(APPENDIX)
    k, summary = _at('<a id="appendix-k"></a>', APPENDIX), _at("## Summary", APPENDIX)
    assert _at('<a id="appendix-j"></a>', APPENDIX) < k < summary
    for code, printed in (
        ("ablation = am.compare_maps(", "gradient-weighted: blank last - own order   -0.028"),
        ("knobs = am.compare_maps(  # the three settings", "max, discard 0.9 - rollout: +0.007, 98.3 % interval"),
        ("same_100 = am.closest_call_neighbour_cosines(", "runner-up class's map: cosine 0.37"),
    ):
        at = _at(code, APPENDIX)
        assert k < at < summary and printed in nb.printed(cells[at])
        assert nb.hidden(cells[at + 1])  # its check, right after it
        assert code not in nb.all_text(LESSON)
    at = _at("same_100 = am.closest_call_neighbour_cosines(", APPENDIX)
    assert "test digit 17: its two maps' cosine 0.19" in nb.printed(cells[at])  # read by the check, not carried over
    assert "assert abs(cosine_17 - 0.19) < 0.005" in nb.source(cells[at + 1])
    assert "- **K · Moved from the lesson**" in nb.source(cells[summary])


def test_lesson_points_to_appendix_k():
    # 24a: sections 11 and 12 have a cell each; the two stubs read together
    stub = nb.flat(nb.sources(LESSON)[_at("## 11 · jacobgil/vit-explain's knobs")])
    stub += " " + nb.flat(nb.sources(LESSON)[_at("## 12 · One map per class")])
    assert "## 11 · jacobgil/vit-explain's knobs" in stub and stub.count("#appendix-k") == 2
    assert "about 13 (max) and 14 (mean) patches instead of 37" in stub and "cosine 0.19" in stub  # 21f: max and mean
    verdict = nb.flat(nb.sources(LESSON)[_at("**Verdict:** on this model and these 200 digits")])
    assert "(08_attention_maps_appendix.ipynb#appendix-k)'s blank-last ablation tests it" in verdict
    summary = nb.flat(nb.sources(LESSON)[_at("## Summary")])
    assert "**11 · Knobs** (appendix K)" in summary and "**12 · Classes** (appendix K)" in summary
    assert "(an ablation, appendix K)" in summary


def test_repeated_sentences_said_once():
    text = nb.flat(nb.all_text(LESSON))
    assert text.count("a heuristic, not a measurement") == 1  # section 6: once, with its reasons
    assert text.count("three different patches") == 1  # section 5's finding, not again in its bullets
    assert "Attention flow (Abnar & Zuidema 2020, section 6) was not tested" not in text  # section 6 says it
    assert "Every block is above the chance share; against the image-blind map" not in text  # the chart says it
