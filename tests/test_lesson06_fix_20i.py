"""Lesson 06, review r20h: the q/k sentence rests on a paired t-interval, not on "every seed"; appendix D gives
its family of six a word of its own; the benchmark's hybrid row is printed; label smoothing's smaller rise is no
"behind"."""

from __future__ import annotations

from pathlib import Path

from tests import _notebook as nb

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "06_train_a_vit.ipynb"
APPENDIX = ROOT / "notebooks" / "06_train_a_vit_appendix.ipynb"


def _cell_after(path: Path, text: str) -> tuple[dict, dict]:
    cells = nb.cells(path)
    i = nb.unique_index(nb.sources(path), text)
    return cells[i], cells[i + 1]


def test_1_qk_interval_printed_asserted_and_worded():
    cell, check = _cell_after(APPENDIX, "qk = paired_seeds(")  # review r21i: moved to appendix A
    out = nb.printed(cell)
    assert "after 100 steps" in out and "paired 95 % t-interval [+13.7, +24.8] (3 seeds)" in out
    assert nb.hidden(check) and "(13.7, 24.8)" in nb.source(check)
    assert "timm init with torch's q/k" in out
    prose = nb.flat(nb.sources(APPENDIX)[nb.unique_index(nb.sources(APPENDIX), "Back to the lesson's plateau")])
    assert "on every seed" not in prose and "after 100 steps" in prose and "13.7 to 24.8 points" in prose
    # round 21b: the sentence now starts with it
    assert "Timm's init with torch's q/k also stays below torch's, so other init differences matter too" in prose


def test_2_appendix_d_family_of_six_has_its_own_word():
    text = nb.all_text(APPENDIX)
    assert "(section 5: **ahead**)" not in text and "(the latter just)" not in text
    assert "the 1,860-step lead would clear its own family's noise (97.5 %" in nb.flat(text)
    assert "| **clears its family's noise** |" in text
    cell, check = _cell_after(APPENDIX, "equal_steps_rows = verdict_rows(")
    out = nb.printed(cell)
    # 23c (brief item 6): one verdict per comparison, section 5's twenty; the six alone are an illustration, no word
    assert "verdict (section 5's twenty)" in out and "clears its family's noise" not in out
    assert [line.split()[-1] for line in out.splitlines() if line.startswith(("CNN-8 - ViT", "CNN-32 - ViT"))] == [
        "leans",
        "ahead",
    ]
    assert nb.hidden(check) and "in section 5's twenty\n# it leans against both (printed)" in nb.source(check)


def test_3_benchmark_hybrid_row_and_summary():
    cell, check = _cell_after(APPENDIX, "bench = clinic.training_benchmark(")  # round 21b: moved to appendix D
    hybrid = "hybrid ViT (3x3 conv stem, 32 channels) 99.3% (98.6%..99.7%) against the plain ViT's 97.7%"
    assert hybrid in nb.printed(cell)
    assert nb.hidden(check) and '"99.3% (98.6%..99.7%)"' in nb.source(check)
    summary = nb.flat(nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "## Summary")])
    assert "a one-conv stem does not reproduce it" not in summary
    assert "an 8-channel stem's lead did not grow measurably on fewer digits" in summary


def test_4_label_smoothing_a_smaller_rise():
    summary = nb.flat(nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "## Summary")])
    assert "(**behind**; expected" not in summary
    assert "stopped the validation loss's rise on all three seeds (exploratory" in summary  # 23b: 3 seeds, exploratory
    assert "the rise is **behind**" not in nb.all_text(LESSON)
    assert "(3 seeds): a smaller rise: exploratory (corrected interval below 0)" in nb.all_printed(LESSON)
