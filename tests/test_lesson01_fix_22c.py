"""Lesson 01 fixes for review r22b_01: section 6's readings named as closeness, with a closeness-only control and the
distance-matched contrast; Table 8 without a run count; section 8's shift caveat and patch-embedding panel; the
untrained shuffle cut to its two lines (the rest in appendix C); the main path no longer than before."""

from __future__ import annotations

import json
import re

import torch

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"


def _cell(start: str, path=LESSON) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, start)])


def _summary() -> str:
    return nb.flat(next(s for s in nb.sources(LESSON) if s.startswith("## Summary")))


# --- item 1 (MAJOR): row/column - neither measure closeness; the matched contrast in the main text ---------------


def test_section_6_prints_the_distance_matched_contrast_for_the_three_runs() -> None:
    sources = nb.sources(LESSON)
    at = nb.unique_index(sources, 'fine = stored_shifted_positions("lesson01_canvas_grid.safetensors")')
    out = nb.printed(nb.cells(LESSON)[at])
    # 23d: the three matched-distance lines moved to appendix A, with their check
    moved = nb.unique_index(nb.sources(APPENDIX), "grid_runs = {0: stored_shifted_positions(")
    moved_out = nb.printed(nb.cells(APPENDIX)[moved])
    for line in (
        "8x8 s0, same row - same column (matched distances): +0.239 [-0.096, +0.565]",
        "8x8 s1, same row - same column (matched distances): +0.275 [-0.079, +0.616]",
        "8x8 s2, same row - same column (matched distances): +0.329 [+0.007, +0.644]",
    ):
        assert line in moved_out
    # 22f: the family bookkeeping left the printed output for a comment in the same cell
    assert "98.75" not in out  # 24b: the family comment moved to appendix A with the interval lines
    moved_lines = nb.sources(APPENDIX)[nb.unique_index(nb.sources(APPENDIX), "section6_runs = {0:")]
    assert "row - column and below - right above) are one family" in moved_lines
    check = nb.cells(APPENDIX)[moved + 1]
    assert nb.hidden(check) and "2: (0.329, 0.007, 0.644)" in nb.source(check)


def test_section_6_says_the_two_readings_measure_closeness_without_repeating_the_intervals() -> None:
    six = _cell("What you should now see: in the inner maps", APPENDIX)  # 24b: moved
    moved = _cell("### Section 6's readings beyond the nearest neighbours", APPENDIX)  # 23b: moved to appendix A
    said = "These two readings measure closeness: a table whose similarity only falls with distance passes both"
    assert said in moved
    assert "control above: +0.29 to +0.46 for rows, +0.31 to +0.48 for columns" in moved
    assert "same row minus same column, is detected on 8x8 s2 only, barely (+0.329 [+0.007, +0.644]" in moved
    said = "finds it on no 6x6 run (`8x8` patches), only in the shipped centred-digit model"
    assert said in moved  # 22i: the grid and its patch size named
    for repeated in ("+0.433", "+0.451", "+0.479", "+0.176", "+0.150 [-0.007"):  # printed by the cell above
        assert repeated not in six, repeated


def test_the_appendix_prints_the_closeness_only_control_with_its_check() -> None:
    sources = nb.sources(APPENDIX)
    at = nb.unique_index(sources, "closeness_report = position_structure_report(")
    out = nb.printed(nb.cells(APPENDIX)[at])
    rows = re.findall(r"row - neither ([+-]\d\.\d\d) \[([+-]\d\.\d\d), ([+-]\d\.\d\d)\]", out)
    columns = re.findall(r"column - neither ([+-]\d\.\d\d) \[([+-]\d\.\d\d), ([+-]\d\.\d\d)\]", out)
    matched = re.findall(r"row - column ([+-]\d\.\d\d) \[([+-]\d\.\d\d), ([+-]\d\.\d\d)\]", out)
    assert [r[0] for r in rows] == ["+0.29", "+0.39", "+0.46"] and all(float(r[1]) > 0 for r in rows)
    assert [c[0] for c in columns] == ["+0.31", "+0.40", "+0.48"] and all(float(c[1]) > 0 for c in columns)
    assert len(matched) == 3 and all(float(lo) < 0 < float(hi) for _, lo, hi in matched)
    assert nb.hidden(nb.cells(APPENDIX)[at + 1]) and "matched.low < 0 < matched.high" in sources[at + 1]
    said = nb.flat(sources[at + 2])
    assert "So these two readings measure closeness" in said and "the control puts it at 0" in said
    assert nb.unique_index(sources, "### A closeness-only control (section 6)") == at - 1


def test_the_summary_claims_closeness_and_the_matched_contrast_only() -> None:
    summary = _summary()
    assert "same-row positions come out alike in every table" not in summary
    said = "its interval holding 0). Closeness alone gives both; at equal distance rows beat columns on 8x8 s2 only."
    assert said in _cell("### Section 6's readings beyond the nearest neighbours", APPENDIX)  # 23b: moved
    # 23c: appendix A named in the bracket
    readings = "### Section 6's readings beyond"  # 24f: the Summary's trained-table bullet moved to appendix A
    kept = nb.flat(next(s for s in nb.sources(APPENDIX) if s.startswith(readings)))
    assert "(fragile under appendix A's stricter correction); closeness alone gives both." in kept


# --- item 2: Table 8 --------------------------------------------------------------------------------------------------


def test_table_8_reports_no_error_bars_and_no_run_count() -> None:
    text = _cell("Shuffling the patches costs")
    assert "(64.0 % each, against 64.2 %; no error bars reported)" in text and "(61.4 %)" in text
    assert "one run" not in text


# --- item 3: the 9.2 points' caveat -----------------------------------------------------------------------------------


def test_the_one_patch_shift_cost_carries_the_training_and_wrap_caveat() -> None:
    text = _cell("In plain words: the patch cut follows only whole-patch shifts")
    assert (
        "#appendix-e), though it trained with shifts of at most 2 px and the roll wraps ink onto the left edge." in text
    )
    recipe = nb.printed(nb.cells(LESSON)[nb.unique_index(nb.sources(LESSON), "about = checkpoint_info()")])
    assert "shifts up to 2 px" in recipe


# --- item 6: the locality picture's patch-embedding panel; the x's colour ------------------------------------------


def test_the_pixel_reach_picture_has_the_patch_embedding_panel() -> None:
    from vit_explained import ViT
    from vit_explained.plotting.lesson01 import one_pixel_reach, plot_pixel_reach

    torch.manual_seed(0)
    image = torch.rand(1, 3, 32, 32)
    vit = ViT(image_size=32, patch_size=8, num_classes=10, dim=32, depth=1, heads=2, mlp_dim=64)
    reach = one_pixel_reach(image, vit, pixel=(10, 20))
    fig = plot_pixel_reach(image[0], reach, pixel=(10, 20))
    titles = [ax.get_title() for ax in fig.axes]
    assert "after the input step (z0): 1 of 17 tokens" in titles  # 22f: z0, not the embedding
    assert "white x" not in fig._suptitle.get_text()
    import matplotlib.pyplot as plt

    plt.close(fig)
    cell = nb.cells(LESSON)[nb.unique_index(nb.sources(LESSON), "reach = one_pixel_reach(")]
    pngs = [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(pngs) == 1  # the stored picture, redrawn with four panels


# --- item 5: the untrained shuffle cut to zero against non-zero -------------------------------------------------------


def test_the_untrained_shuffle_prints_only_its_two_changes_and_appendix_c_has_the_rest() -> None:
    sources = nb.sources(LESSON)
    at = nb.unique_index(sources, "change_bare, change_pos =")
    lines = nb.printed(nb.cells(LESSON)[at]).strip().splitlines()
    assert len(lines) == 3 and "typical" not in "".join(lines) and "mean change" not in "".join(lines)
    said = nb.flat(sources[at + 2])
    assert "With them, the largest change is 0.05" in said  # 24d: its own sentence and "0.013" not in said
    appendix = nb.all_printed(APPENDIX)
    assert "typical |output|, for scale                0.8" in appendix
    assert "encoder(shuffled) == shuffle(encoder(x)), to float32 rounding: True" in appendix


# --- the main path does not grow ----------------------------------------------------------------------


def test_the_main_path_stays_within_its_cap() -> None:
    main = nb.main_path(LESSON)
    words = nb.markdown_words(main)
    assert len(main) <= 50 and words <= 2959, (len(main), words)
    assert json.loads(LESSON.read_text())["nbformat"] == 4
