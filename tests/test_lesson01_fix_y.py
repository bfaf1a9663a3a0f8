"""Lesson 01 fix round y: the row reading agrees with the matched-distance test, the shuffle's change is compared
with the measured no-positions change, Hugging Face's resize is named beside timm's, asides move to appendix E."""

from __future__ import annotations

from pathlib import Path

from tests import _notebook as nb
from tests._notebook import printed as _printed
from tests._notebook import source as _source

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "01_patches_and_embeddings.ipynb"
APPENDIX = LESSON.with_name("01_patches_and_embeddings_appendix.ipynb")


def _cells(path: Path) -> list[dict]:
    return nb.cells(path)


def test_the_row_reading_prints_and_states_the_matched_distance_test() -> None:
    cells = _cells(LESSON)
    appendix = _cells(APPENDIX)  # 20c: the reading of the five tables moved to appendix A; section 6 points there
    (reading,) = [c for c in appendix if "**Rows** are detected in every table: the shipped model" in _source(c)]  # 20a
    start = appendix.index(reading)  # round 18d: the canvas runs, then the pointer to appendix A; 19c: in the reading
    after = " ".join(" ".join(_source(c) for c in appendix[start : start + 4]).split())
    assert "horizontal > vertical" not in after and "may explain the rows" not in after  # round 18d
    text = [_source(c) for c in cells]
    six, seven = (next(i for i, s in enumerate(text) if s.startswith(h)) for h in ("## 6 ·", "## 7 ·"))
    assert "appendix-a" in "".join(text[six:seven])
    printed = "".join(_printed(c) for c in _cells(APPENDIX))
    assert "3 tokens apart, within a row - 3 tokens apart, across rows: +0.00, 99 % interval [-0.40, +0.34]" in printed
    summary = next(_source(c) for c in cells if _source(c).startswith("## Summary"))
    readings = "### Section 6's readings beyond"  # 24f: the Summary's trained-table bullet moved to appendix A
    kept = nb.flat(next(s for s in nb.sources(APPENDIX) if s.startswith(readings)))
    assert "same-row positions are more alike than neither" in kept and "shows rows" not in summary  # 18b; 20e; 22c


def test_the_shuffle_change_is_compared_with_the_measured_change_without_positions() -> None:
    cells = _cells(LESSON)
    (cell,) = [c for c in cells if "change_bare, change_pos =" in _source(c)]  # 24d: in the picture's cell
    printed = _printed(cell)
    assert "without positions (float32 rounding only)  below 1e-5" in printed
    assert "with positions added after the shuffle     0.05" in printed
    assert "times the change without them" not in printed  # round 17a: the two changes side by side, no ratio
    text = "\n".join(_source(c) for c in cells)
    assert "rounding bound" not in text and "1e-4` bound" not in text


def test_hugging_face_resize_is_named_beside_timm() -> None:
    # round 18a: the kernels' list moved from section 7 to appendix B; section 7 points there
    seven = next(_source(c) for c in _cells(LESSON) if _source(c).startswith("## 7 ·"))
    assert "timm, and Hugging Face" not in seven and "(appendix B\nlists them)" in seven
    appendix = "\n".join(_source(c) for c in _cells(APPENDIX))
    assert "transformers 5.23.0 (`ViTEmbeddings.interpolate_pos_encoding`)" in appendix
    assert (
        "`align_corners=False`" in appendix
        and "square\n  trained grid" in appendix
        and "timm** (`timm.layers.resample_abs_pos_embed`" in appendix
    )


def test_the_asides_live_in_appendix_e_with_one_line_links() -> None:
    lesson = "\n".join(_source(c) for c in _cells(LESSON))
    appendix = "\n".join(_source(c) for c in _cells(APPENDIX))
    assert lesson.count("01_patches_and_embeddings_appendix.ipynb#appendix-e") == 2  # 17c: one pointer per section
    for moved in ("<details><summary>Why 0.80?", "Dual PatchNorm**", "odd = torch.rand(", "arXiv:2302.01327"):
        assert moved not in lesson
    assert '<a id="appendix-e"></a>\n## E ·' in appendix and "**Dual PatchNorm** (Kumar et al. 2023" in appendix
    assert "flag near the top" not in lesson and "The two only coincide" not in lesson
