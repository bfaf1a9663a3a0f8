"""Lesson 01 fixes for review r23a_01: section 6 leads with the 2-D evidence (picks above, below or diagonal against a
table of token order only, which picks left or right), its statistics beyond one sentence in appendix A; the
shuffle's largest change beside the output's size; fine-tuning after the resize named as untested; two prose splits;
the libraries' status; 2-D sin-cos named in appendix F."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
ADJACENT = "an adjacent patch above, below or diagonal"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"


def _cell(start: str, path=LESSON) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, start)])


def _summary() -> str:
    return _cell("## Summary")


# --- item 1 (MAJOR): the direction of each most-similar pick, against a table of token order only --------------


def test_section_6_prints_the_split_and_the_sequence_only_control() -> None:
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    at = nb.unique_index(sources, 'fine = stored_shifted_positions("lesson01_canvas_grid.safetensors")')
    out = nb.printed(cells[at])
    for _seed, (side, below, diagonal) in {0: (17, 12, 0), 1: (16, 12, 4), 2: (19, 8, 4)}.items():
        line = (
            f"right; the 36 inner patches' most similar position: left/right {side}, above/below {below} "
            f"(8 tokens away), diagonal {diagonal}; {ADJACENT} {below + diagonal}"  # 24g: what is counted
        )
        assert line in out, line
    control = "a table of token order only (1-D sinusoid): left/right 36, above/below 0, diagonal 0\n"
    assert control in out and f"a random pick: {ADJACENT} 10%, 3.4 of 36" in out  # 24g: the label says what is counted
    check = nb.source(cells[at + 1])
    assert nb.hidden(cells[at + 1])
    assert "assert split == {0: (17, 12, 0), 1: (16, 12, 4), 2: (19, 8, 4)}" in check
    assert "(sequence_only.left_right, sequence_only.above_below, sequence_only.diagonal) == (36, 0, 0)" in check


def test_the_counts_match_the_stored_tables() -> None:
    from vit_explained.positional import position_structure_report, sinusoid_encoding, stored_shifted_positions

    tables = {0: stored_shifted_positions("lesson01_canvas_grid.safetensors")["seed0"][0]}
    tables |= {s: stored_shifted_positions(f"lesson01_canvas_grid_seed{s}.safetensors")[f"seed{s}"][0] for s in (1, 2)}
    split = {}
    for seed, table in tables.items():
        report = position_structure_report(table, (8, 8), resamples=10)
        split[seed] = (report.left_right, report.above_below, report.diagonal)
        assert sum(split[seed]) == report.inner_nearest_neighbour
    assert split == {0: (17, 12, 0), 1: (16, 12, 4), 2: (19, 8, 4)}
    order_only = position_structure_report(sinusoid_encoding(65, 64)[None], (8, 8), resamples=10)
    assert (order_only.left_right, order_only.above_below, order_only.diagonal) == (36, 0, 0)


def test_section_6_and_the_summary_lead_with_the_2d_evidence() -> None:
    reading = _cell("A table of token order only (the sinusoid line) makes token i ± 1")
    assert reading.startswith("A table of token order only (the sinusoid line) makes token i ± 1 (left or right)")
    assert "0 of 36 above, below or diagonal" in reading
    assert "The trained tables pick above, below or diagonal for 12, 16 and 12 of the 36 (8x8 s0, s1, s2)" in reading
    assert "(8x8 s0, s1, s2), a random pick about 3.4;" in reading  # 24g
    assert "A 1-D table learned the 2-D neighbourhood" not in reading and "grid neighbour" not in reading
    bullet = next(b for b in _summary().split("- **") if b.startswith("Learned neighbours"))
    assert "a table of token order only gives 0 (it picks left or right)" in bullet
    assert "grid neighbour" not in bullet


# --- item 3: one sentence of section 6's statistics stays; the rest is in appendix A ----------------------------------


def test_section_6_keeps_one_reading_and_points_to_appendix_a() -> None:
    six = _cell("What you should now see: in the inner maps", APPENDIX)  # 24b: moved
    assert "distance-matched" not in six and "+0.329" not in six and "closeness gives" not in six
    assert "+0.29 to +0.46" not in six
    moved = _cell("### Section 6's readings beyond the nearest neighbours", APPENDIX)
    for said in (
        "These two readings measure closeness",
        "is detected on 8x8 s2 only, barely (+0.329 [+0.007, +0.644]",
        "8x8 s0, the band is not beyond what closeness gives: its same row - same column interval holds 0",
    ):
        assert said in moved, said
    at = nb.unique_index(nb.sources(APPENDIX), "grid_runs = {0: stored_shifted_positions(")  # 23d: moved
    assert "8x8 s0, same row - same column (matched distances): +0.239 [-0.096, +0.565]" in nb.printed(
        nb.cells(APPENDIX)[at]
    )
    readings = _cell("### Section 6's readings beyond", APPENDIX)  # 24f: the bullet moved to appendix A
    bullet = next(b for b in readings.split("- **") if b.startswith("A trained table"))
    assert "at equal distance" not in bullet and bullet.strip().count(". ") == 0


# --- items 5-8 ----------------------------------------------------------------------------------------------------


def test_the_largest_change_is_printed_beside_the_output_size() -> None:
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    at = nb.unique_index(sources, "change_bare, change_pos =")
    line = "with positions added after the shuffle     0.05 (the output's largest number: 3.4)"  # 24g: max vs max
    assert line in nb.printed(cells[at])
    assert 'f"{output_size:.1f}" == "3.4"' in sources[at + 1] and nb.hidden(cells[at + 1])
    said = "With them, the largest change is 0.05, against the output's largest number, 3.4."
    assert said in nb.flat(sources[at + 2])


def test_fine_tuning_after_the_resize_is_named_as_untested() -> None:
    said = "Whether fine-tuning at 36x36 recovers the lost points is not tested here."
    assert said in _cell("**What the accuracies show**", APPENDIX)  # 24f: moved to appendix B


def test_the_two_prose_fixes() -> None:
    assert (
        "A high correlation, or a glance at the tokens, would not catch it; comparing the numbers does."
        in _cell(  # 23c
            "The conv kernel **is** the `Linear` weight"
        )
    )
    assert "So the checks here, and exercise 4's checker" not in nb.flat(nb.all_text(LESSON))
    source = nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "In plain words: the patch cut follows only")]
    assert "breaks whole-patch equivariance there.\n\nAppendix E also has the paper's Figure 3" in source


def test_the_versions_cell_says_which_library_is_installed() -> None:
    said = (
        "Neither line runs here: timm is not installed, and the package does not depend on transformers "
        "(`requirements.txt` installs it for lesson 09)."
    )
    assert said in _cell("## Versions read")
    requirements = (nb.NOTEBOOKS.parent / "requirements.txt").read_text()
    assert "transformers==" in requirements and "timm" not in requirements
    assert "transformers" not in (nb.NOTEBOOKS.parent / "pyproject.toml").read_text()


def test_appendix_f_names_2d_sin_cos() -> None:
    text = _cell("### The sinusoid table (section 5)", APPENDIX)
    for said in ("`posemb_sincos_2d`", "arXiv:2205.01580", "arXiv:2111.06377", "`get_2d_sincos_pos_embed`"):
        assert said in text, said


def test_the_main_path_does_not_grow() -> None:
    main = nb.main_path(LESSON)
    assert len(main) <= 50 and nb.markdown_words(main) <= 2_957
