"""Lesson 01 fix round x: section 7 prints the centre patch's neighbours per table, the widget text quotes them,
the pooled column test is explained, a non-divisible image, the hybrid ViT, the filters move to appendix D."""

from __future__ import annotations

from pathlib import Path

from tests import _notebook as nb
from tests._notebook import printed as _printed
from tests._notebook import source as _source

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "01_patches_and_embeddings.ipynb"
APPENDIX = LESSON.with_name("01_patches_and_embeddings_appendix.ipynb")


def _cells(path: Path) -> list[dict]:
    return nb.cells(path)


def _start(cells: list[dict], heading: str) -> int:
    return next(i for i, c in enumerate(cells) if _source(c).startswith(heading))


def test_section_7_prints_the_centre_patchs_four_neighbours_for_each_table() -> None:
    cells = _cells(APPENDIX)  # 21a: moved to appendix B
    b, c_ = _start(cells, '<a id="appendix-b"></a>'), _start(cells, '<a id="appendix-c"></a>')
    (cell,) = [c for c in cells[b:c_] if c["cell_type"] == "code" and "centre_of = {" in _source(c)]
    printed = _printed(cell)
    assert "trained, 7 x 7             centre (3, 3) vs below +0.22, above +0.01, left +0.30, right +0.31" in printed
    assert "2-D bicubic (timm), 9 x 9  centre (4, 4) vs below +0.41" in printed
    assert "1-D stretch, 9 x 9         centre (4, 4) vs below +0.10" in printed
    assert "hide-input" not in cell["metadata"].get("tags", [])


def test_the_widget_text_says_what_section_7_prints() -> None:
    text = next(_source(c) for c in _cells(LESSON) if "\nCarry the same learned table" in _source(c))
    assert "from +0.41 to +0.10, as appendix B prints" in text  # 21a: the neighbours' lines moved to appendix B
    assert "as in the trained table" not in text and "section 7's printed 1-D value" not in text


def test_the_pooled_column_test_and_the_patch_below_are_reconciled() -> None:
    cells = _cells(LESSON)
    text = "\n".join(_source(c) for c in cells[_start(cells, "## 6 ·") : _start(cells, "## 7 ·")])
    appendix = "\n".join(_source(c) for c in _cells(APPENDIX))  # round 18d: the matched test's detail in appendix A
    assert "The pooled column test mixes such near pairs with far ones" in appendix
    said = "Columns** are detected on 8x8 s0 (+0.19) and pooled over the three 6x6 runs"
    assert said in appendix  # 20a; 20c: section 6's reading of the five tables moved to appendix A
    assert "no detectable 2-D" not in text


def test_a_230_pixel_image_shows_the_quiet_and_the_loud_route() -> None:
    (cell,) = [
        c for c in _cells(APPENDIX) if "odd = torch.rand(1, 3, 230, 230" in _source(c)
    ]  # fix round y: appendix E
    printed = _printed(cell)
    assert "Conv2d(stride=16): (1, 768, 14, 14), the last 6 rows and columns never read" in printed
    assert "patchify (reshape): ValueError: image height 230 is not divisible by patch size 16" in printed


def test_the_hybrid_vit_paragraph_and_the_filters_in_appendix_d() -> None:
    lesson = "\n".join(_source(c) for c in _cells(LESSON))
    aside = "\n".join(_source(c) for c in _cells(APPENDIX))  # fix round y: the hybrid ViT moves to appendix E
    assert "The **hybrid ViT** (the paper's section 3.1)" in aside and "With `1x1` patches" in aside
    assert "the paper's **hybrid ViT** (a CNN before the patch embedding)" in lesson  # 21a: in section 8's one link
    assert "filter_components(" not in lesson and "01_patches_and_embeddings_appendix.ipynb#appendix-d)" in lesson
    appendix = [_source(c) for c in _cells(APPENDIX)]
    assert any(s.startswith('<a id="appendix-d"></a>\n## D ·') for s in appendix)
    assert any('save_figure(fig, "01_filter_smoothness")' in s for s in appendix)
    assert any("That is consistent\nwith the paper's smooth, low-frequency components" in s for s in appendix)
    assert not any("That is a trace of" in s for s in appendix)
