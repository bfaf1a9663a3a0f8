"""Lesson 01 fixes for review r23e_01: the Summary's last bullet names translation equivariance beside locality;
section 6's resampling note and its appendix-A pointer are plain sentences; section 7's family names its fifth
comparison (appendix B); section 4's hidden check calls the overlapping split linearly projected windows; section 5
says the untrained shuffle's 0.05 is small partly because the fresh table is (appendix C scales it); the main path
does not grow."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"


def _text(start: str, path=LESSON) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, start)])


def test_item1_the_summary_names_translation_equivariance_as_appendix_e_prints_it() -> None:
    summary = _text("## Summary")
    bullet = next(b for b in summary.split("- **") if b.startswith("More data (8)"))
    # 24b: the paper's section 3.1 named in full, as in section 8
    said = "names three things a CNN has in every layer: locality, the 2-D neighbourhood structure and translation "
    assert said + "equivariance" in bullet
    # 24d: bullet 8 cut to two sentences; the trained model's 9.2 points stay in section 8's text
    eight = _text("In plain words: the patch cut follows only whole-patch shifts")
    assert "a one-patch shift costs 9.2 points [7.3, 11.2]" in eight
    assert "So the learned table, not the patch cut, breaks whole-patch equivariance there." in eight
    assert "shifted one patch - unshifted: -9.2 points, 95 % interval [-11.2, -7.3]" in nb.all_printed(APPENDIX)
    assert "table zeroed: 0 verdicts differ, shifted or not" in nb.all_printed(APPENDIX)


def test_item2_section_6_says_plainly_what_the_intervals_resample() -> None:
    six = _text("## 6 · Going deeper")
    assert "(resampling one table's 36 inner patches, not runs)" not in six
    six = _text("### Section 6's interval lines", APPENDIX)  # 24b: the sentence moved with the intervals
    assert "Each interval resamples one table's 36 inner patches; it does not cover other training runs." in six
    tail = _text("What you should now see: in the inner maps", APPENDIX)  # 24b: moved to appendix A
    assert "a table of distance alone passes both readings; rows against columns at equal distance" not in tail
    assert "a table whose similarity only falls with distance also passes both readings." in tail
    assert "a table whose similarity only falls with distance passes both" in nb.flat(nb.all_text(APPENDIX))


def test_item6_the_fifth_comparison_and_the_split_comment() -> None:
    seven = _text("# What does each table do")
    assert "five comparisons on the same digits (the fifth, 1-D vs none, in appendix B)" in seven
    assert '"any positions": paired_difference(one_d, none' in nb.flat(nb.all_text(APPENDIX))
    check = _text("overlap_conv = nn.Conv2d(")
    assert "T2T-ViT's first split, as a conv" not in check and "# the split's windows, projected linearly" in check


def test_item4_the_small_change_is_tied_to_the_small_fresh_table() -> None:
    said = _text("Without positions, the output moves only by float32 rounding")  # 24b: a whole sentence
    assert "With them, the largest change is 0.05, against a mean size of 0.8."  # 24d: no bare "(appendix C)" in said
    # 24b: the causal 'partly because' left for what appendix C does
    tested = "The fresh table is small (std 0.02), and appendix C tests whether a larger table moves the output more."
    assert tested in said
    appendix = nb.all_printed(APPENDIX)
    assert "table x  1: spread 0.02, largest change 0.05" in appendix  # appendix C: the table as initialised
    assert "x 3 against x 1, seed by seed: 1.78 to 2.23 times the change" in appendix  # larger table, larger change


def test_the_main_path_does_not_grow() -> None:
    main = nb.main_path(LESSON)
    assert len(main) <= 50 and nb.markdown_words(main) <= 2952
