"""Lesson 01, review r21b: no check cell hides an assert in a comment, section 6 prints and titles seed 0 (the
picture's run), the UvA and 1-D sentences say exactly what the sources do, plainer sentences, appendix F linked,
the 500 validation digits named, library versions, and the PatchEmbedding aside moved to appendix E."""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import tokenize

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"
APPF = "(01_patches_and_embeddings_appendix.ipynb#appendix-f)"


def _checks(path) -> list[str]:
    return [nb.source(c) for c in nb.cells(path) if nb.source(c).startswith("# @title A check")]


def _main_path_text() -> str:
    visible = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    end = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    return nb.flat("\n".join(nb.source(c) for c in visible[:end] if c["cell_type"] == "markdown"))


def test_no_check_cell_comments_out_an_assert() -> None:
    for path in (LESSON, APPENDIX):
        checks = _checks(path)
        assert len(checks) > 10, path
        for check in checks:
            ast.parse(check)  # valid Python
            tokens = tokenize.generate_tokens(io.StringIO(check).readline)
            comments = [t.string for t in tokens if t.type == tokenize.COMMENT]
            assert not [c for c in comments if "assert " in c], (path.name, comments)


def test_the_widget_check_asserts_left_and_right_alike() -> None:
    (check,) = [c for c in _checks(LESSON) if "resize_widget.compute(grid=9" in c]
    asserts = [ast.unparse(n) for n in ast.walk(ast.parse(check)) if isinstance(n, ast.Assert)]
    assert any("one_d_c[4, 3]" in a and "two_d_c[4, 5]" in a and "> 0.5" in a for a in asserts)


def test_section_6_prints_and_titles_seed_0_beside_the_new_runs() -> None:
    cells = nb.cells(LESSON)
    at = nb.unique_index(nb.sources(LESSON), 'fine = stored_shifted_positions("lesson01_canvas_grid.safetensors")')
    assert '"8x8 s0: 48x48 canvas, 8 x 8 grid"' in nb.source(cells[at])
    cells = nb.cells(APPENDIX)  # 24b: the interval lines (with their level), check and reading moved to appendix A
    at = nb.unique_index(nb.sources(APPENDIX), "section6_runs = {0: stored_shifted_positions(")
    out = nb.printed(cells[at])
    assert "8x8 s0, same row - neither: +0.433, 98.75 % interval [+0.208, +0.654]" in out
    assert "8x8 s0, same column - neither: +0.195, 98.75 % interval [+0.034, +0.371]" in out
    assert "8x8 s2, same column - neither: +0.150, 98.75 % interval [-0.007, +0.334]" in out
    assert "(0.433, 0.208, 0.654)" in nb.source(cells[at + 1]) and nb.hidden(cells[at + 1])
    prose = nb.flat(nb.source(cells[at + 2]))
    assert (
        "same-column ones on 8x8 s0 and, barely, on s1" in prose and "in many also down its column" not in prose
    )  # 22c


def test_uva_and_one_d_sentences_say_what_the_sources_do() -> None:
    text = _main_path_text()
    uva = (
        "tutorial 15 (`img_to_patch`: `reshape`, `permute(0, 2, 4, 1, 3, 5)`, two `flatten`s) flattens each patch "
        "the same way but returns `(B, N, C*P*P)`"
    )
    assert uva in text
    assert "`flatten`) does the same" not in text
    assert "Nobody resizes" not in text
    assert "Neither the paper's code, timm nor Hugging Face resizes in 1-D. It is here as the control" in text


def test_plainer_sentences() -> None:
    text = _main_path_text()
    assert "Token 14 that way (section 9's widget" not in text
    assert "Below, token 14 cut that way, each number in its channel's colour: one red strip, not a patch." in text
    assert "Only probably:" not in text
    assert "only probably, because the model never met a zeroed table in training."  # 24d: one sentence in text
    # 24d: said once, in section 5's Table 8 paragraph (the accuracies' repeat of it dropped); 24f: in appendix B
    said = "it removes the positions from a model trained with them; the paper trains without them."
    assert said in nb.flat(nb.all_text(nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"))


def test_appendix_f_is_linked_wherever_named() -> None:
    text = _main_path_text()
    linked = "[Appendix F]" + APPF
    assert text.count("ppendix F") == text.count(linked) == 1  # section 5's one appendix pointer, linked
    sources = nb.sources(LESSON)
    pointer = nb.flat(sources[nb.unique_index(sources, linked)])
    # 24d: the pointer opens its paragraph
    assert "[Appendix C](01_patches_and_embeddings_appendix.ipynb#appendix-c) scales the untrained model's" in pointer
    for topic in (
        "the class token's alternative",
        "why `(p1 p2 c)` is the paper's $E$",
        "**sinusoid encoding**",
        "why the table is **added**",  # 24d: shorter
    ):
        assert topic in pointer, topic


def test_the_mnist_split_names_the_validation_digits() -> None:
    sources = nb.sources(LESSON)
    assert "# 5,000 real MNIST digits: 3,500 to train on, 500 to validate, the model's 1,000 test digits" in nb.flat(
        sources[nb.unique_index(sources, "mnist = load_mnist()")]
    )
    code = "from vit_explained.data import load_mnist; m = load_mnist(); print(len(m.train_images), len(m.val_images))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["3500", "500"]


def test_library_versions_and_the_vit_s_name() -> None:
    # 21f: the versions moved to a note at the lesson's end
    versions = nb.flat(next(s for s in nb.sources(LESSON) if s.startswith("## Versions read")))
    assert "as of 1.23.6 and still in 1.26.14, also wraps the `Linear` in two LayerNorms" in versions
    assert "the name ViT-S came later, e.g. Steiner et al. 2021" in nb.flat(nb.all_text(APPENDIX))  # 21i: appendix F


def test_patch_embedding_aside_moved_to_appendix_e_with_its_check() -> None:
    lesson = nb.sources(LESSON)
    assert not any("<summary>The package's <code>PatchEmbedding</code></summary>" in s for s in lesson)
    pointer = lesson[nb.unique_index(lesson, "<summary>More in the appendix</summary>")]
    assert "the package's `PatchEmbedding`" in pointer
    cells = nb.cells(APPENDIX)
    sources = [nb.source(c) for c in cells]
    at = nb.unique_index(sources, "### The package's `PatchEmbedding` (section 4)")
    assert at > nb.unique_index(sources, "## E · Asides from sections 4 and 8")
    assert "`768 * 768 + 768 = 590,592` parameters" in nb.flat(sources[at])
    out = nb.printed(cells[at + 1])
    for method in ("conv", "unfold", "rearrange"):
        line = f"{method:<9} 590,592 parameters; kernel() is the conv's: True; tokens match Conv2d's below 1e-5: True"
        assert line in out
    assert nb.hidden(cells[at + 2]) and "== 590_592" in sources[at + 2]


def test_main_path_did_not_grow() -> None:
    visible = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    end = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    words = sum(len(nb.source(c).split()) for c in visible[:end] if c["cell_type"] == "markdown")
    assert end <= 51 and words <= 2998  # before this fix: 51 cells, 2,998 words (mainpath.py)
