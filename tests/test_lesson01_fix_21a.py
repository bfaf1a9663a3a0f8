"""Lesson 01, fix round 21a: a shorter main path (side probes moved to the appendix), the one-line library resize
calls with versions, the whole-patch shift through the trained ViT, exercise 5's kernel reason."""

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "01_patches_and_embeddings_solutions.ipynb"


def _main_path() -> list[dict]:
    visible = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    end = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    return visible[:end]


def test_the_main_path_is_at_most_52_visible_cells_and_3000_words() -> None:
    main = _main_path()
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 52 and words <= 3000  # was 63 cells, 3,845 words


def test_section_7_names_the_one_line_resize_calls_with_versions() -> None:
    sources = nb.sources(LESSON)
    seven = nb.flat(sources[nb.unique_index(sources, "## 7 · Going deeper")])
    assert "`resample_abs_pos_embed`" in seven and "`interpolate_pos_encoding`" in seven
    seven = nb.flat(sources[nb.unique_index(sources, "## Versions read")])  # 21f: the versions moved there
    assert "timm 1.0.28: `timm.layers.resample_abs_pos_embed(pos_embed, new_size=(24, 24))`" in seven
    assert "`timm.create_model(..., img_size=384)`" in seven
    assert "(transformers 5.23.0): `model(pixel_values, interpolate_pos_encoding=True)`" in seven
    assert "Neither line runs here: timm is not installed, and the package does not depend on transformers" in seven


def test_the_centre_neighbours_moved_to_appendix_b_and_the_widget_check_computes_its_own() -> None:
    assert not any("centre_of = {" in s for s in nb.sources(LESSON))
    appendix = nb.sources(APPENDIX)
    b, c = nb.unique_index(appendix, '<a id="appendix-b"></a>'), nb.unique_index(appendix, '<a id="appendix-c"></a>')
    code = nb.unique_index(appendix, "centre_of = {  # each table's centre patch")
    assert b < code < c and "all four more alike" in appendix[code + 1]
    check = next(s for s in nb.sources(LESSON) if s.startswith("# @title") and "resize_widget.line ==" in s)
    assert "two_d_c, one_d_c = (patch_position_similarity(tables[name], new_grid)[4, 4]" in check


def test_appendix_e_shifts_the_digits_by_one_patch_with_a_table_zeroed_control() -> None:
    cells = nb.cells(APPENDIX)
    sources = [nb.source(c) for c in cells]
    at = nb.unique_index(sources, "shifted = torch.roll(digits, shifts=4, dims=-1)")
    printed = nb.printed(cells[at])
    assert "patch tokens vs the old ones moved one grid column: largest difference 0.0" in printed
    assert "trained                97.4 %, 95 % interval [96.2, 98.2] % (n = 1000)" in printed
    assert "trained, shifted       88.2 %, 95 % interval [86.1, 90.1] % (n = 1000)" in printed
    assert "shifted one patch - unshifted: -9.2 points, 95 % interval [-11.2, -7.3]" in printed
    assert "table zeroed: 0 verdicts differ, shifted or not" in printed
    assert nb.hidden(cells[at + 1]) and "points == (-9.2, -11.2, -7.3)" in sources[at + 1]
    said = nb.flat(sources[at + 2])
    assert "falls 9.2 points [-11.2, -7.3] (97.4 % to 88.2 %; paired over the 1,000 digits, 95 %)" in said
    assert "shifts of up to 2 px" in said and "does not separate those" in said
    eight = nb.flat(nb.all_text(LESSON))
    said = (
        "in the trained mnist vit, a one-patch shift costs 9.2 points [7.3, 11.2] (1,000 digits, paired, 95 %)"  # 22a
    )
    assert said in eight.lower() and "the learned table, not the patch cut, breaks whole-patch equivariance" in eight
    assert len(re.findall(r"appendix\.ipynb#appendix-e\)", "\n".join(nb.sources(LESSON)))) == 2


def test_exercise_5_says_why_bilinear_without_aligned_corners_in_both_notebooks() -> None:
    def exercise_5(path):
        return next(s for s in nb.sources(path) if s.startswith("### Exercise 5"))

    text = exercise_5(LESSON)
    assert text == exercise_5(SOLUTIONS)
    visible = text.split("<details>")[0]
    # 22a: the same question and answer as full sentences
    assert "Why bilinear with `align_corners=False`, rather than bicubic or the paper's corner-aligned zoom?" in visible
    assert (
        "Bilinear is the\nsimplest 2-D kernel to write by hand, and `align_corners=False` is PyTorch's default."
        in visible
    )
