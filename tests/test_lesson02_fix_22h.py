"""Lesson 02, review r22g_02 (round 22h): the footprint's caveat spelled out (no dangling "stride-4 caveat"), the
Sec. 3.1 sentence quoted whole, the telegraphic sentence pairs of the T2T module and the footprint joined; the main
path no longer."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"


def _text(text: str) -> str:
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, text)])


def test_item_3_the_footprint_caveat_is_one_explicit_sentence():
    prose = _text("At ViT's stride 16, T2T's final tokens hold 100 %")
    assert "stride-4 caveat" not in nb.flat(" ".join(nb.sources(LESSON)))
    assert "the 100 % follows from the run rule, `31 - 16 + 1 = 16` >= 4: it is geometry, not accuracy" in prose
    assert "illustrates window size against overlap" not in prose and prose.count("](#held-whole)") == 1
    footprint = _text("### What each token holds")
    assert "as the appendix does at stride 4" not in footprint
    assert "the last line counts how often each holds a 2 x 4-pixel piece whole:" in footprint


def test_item_5_sec_3_1_is_quoted_whole():
    lead = _text("## 3 · Why overlap")
    assert (
        '"to avoid information loss in generating tokens from the re-structurizated image, we split it into patches'
        " with overlapping. As such, each patch is correlated with surrounding patches to establish a prior that"
        " there should be stronger correlations between surrounding tokens\". In the paper's argument," in lead
    )


def test_item_7_sentence_pairs_joined():
    module = _text("The T2T module takes their place.")
    assert (
        'Each soft split merges neighbours into one token ("tokens-to-token"): the first split merges pixels, '
        "the later ones merge tokens." in module
    )
    prose = _text("At ViT's stride 16, T2T's final tokens hold 100 %")
    assert "77.6 % of the placements do" not in prose
    assert "ViT's 16 x 16 patches hold the piece whole in 77.6 % of the placements" in prose


def test_main_path_did_not_grow():
    cells = nb.cells(LESSON)
    summary = nb.unique_index(nb.sources(LESSON), "## Summary\n")
    main = [c for c in cells[:summary] if not nb.hidden(c)]
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 47 and words <= 2180, (len(main), words)


def test_the_shared_row_sentence_moved_to_the_appendix_with_its_check():
    sources = nb.sources(LESSON)
    fold, appendix = nb.unique_index(sources, '<a id="fold-identity"></a>'), nb.unique_index(sources, "## Appendix")
    assert fold > appendix and "On section 1's 4 x 6 image, a soft-split pixel on a shared row or" in sources[fold]
    assert "a shared corner" not in " ".join(sources[:appendix])
    assert "coverage(4, 6, 3, 2, 1).unique().tolist() == [1, 2, 4]" in sources[fold + 2]
    assert nb.hidden(nb.cells(LESSON)[fold + 2])


def test_hidden_checks_import_each_name_once():
    sources = nb.sources(LESSON)
    checks = [s for s, c in zip(sources, nb.cells(LESSON), strict=True) if nb.hidden(c)]
    assert sum("import window_coverage" in s for s in checks) == 1
    assert sum("import pathlib" in s for s in checks) == 1 and sum("import vit_explained\n" in s for s in checks) == 1
