"""Lesson 03, review r24b: the shuffle-with-positions difference is read against the outputs it compares; the
batch_first check's comment names this seed's case; section 3's lead scopes "stop depending on d"; the init rows
moved to appendix G; section 3's table has plain rows from a package helper; cell 52 split in two."""

from __future__ import annotations

from tests import _notebook as nb
from vit_explained.plotting import lesson03 as plots
from vit_explained.softmax_scale import softmax_saturation, summarize_saturation

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APPENDIX_CELLS = nb.cells(APPENDIX)
APPENDIX_SOURCES = nb.sources(APPENDIX)
SUMMARY = nb.unique_index(SOURCES, "## Summary")


def test_item_3_the_difference_is_read_against_the_outputs_with_positions():
    code = nb.unique_index(SOURCES, "shuffled_with_positions = max_difference(")
    assert "with_positions = attn(x + positions)" in SOURCES[code]
    assert "shuffled_with_positions / positions_max" in SOURCES[code]
    printed = nb.printed(CELLS[code])
    assert "max |difference| 0.152, 69% of those outputs' max |value| 0.219" in printed and "103%" not in printed
    check = SOURCES[code + 1]
    assert nb.hidden(CELLS[code + 1]) and '== "69%"' in check and '== "0.219"' in check
    assert "as large as the output itself" not in check and "comparable to the outputs with positions" in check


def test_item_5_the_batch_first_check_names_this_seeds_case():
    check = SOURCES[nb.unique_index(SOURCES, "assert wrong_weights.shape == (N, B, B)")]
    assert "several times larger" not in check
    assert "> 5 * output_max  # this seed's output: larger, since each row averages 2 keys" in check


def test_item_7_the_lead_scopes_stop_depending_on_d_in_the_same_sentence():
    lead = nb.flat(SOURCES[nb.unique_index(SOURCES, "## 3 · Why divide by")])
    assert (
        "Dividing by $\\sqrt{d}$ brings the spread back to 1; for unit-variance $q$, $k$ and an i.i.d. upstream "
        "gradient, all three stop depending on $d$." in lead
    )


def test_item_6_the_init_rows_moved_to_appendix_g():
    main = "\n".join(SOURCES[:SUMMARY])
    assert "init_saturation" not in main and "init_shares" not in main and "init_scaled" not in main
    g = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-g"></a>')
    h = nb.unique_index(APPENDIX_SOURCES, '<a id="appendix-h"></a>')
    code = nb.unique_index(APPENDIX_SOURCES, "init_scaled = {init:")
    assert g < code < h
    assert APPENDIX_SOURCES[code - 1].startswith("Section 3's sentence on inits reads these three rows")
    assert "36.2 % (3 seeds: 35.0..37.0)" in nb.printed(APPENDIX_CELLS[code])
    assert nb.hidden(APPENDIX_CELLS[code + 1]) and '"36.2%", "0.4%", "0.8%"' in APPENDIX_SOURCES[code + 1]
    sentence = nb.flat(SOURCES[nb.unique_index(SOURCES, "The 37 % holds for unit-variance")])
    assert "36.2 %" in sentence and "0.4 %" in sentence and "0.8 %" in sentence and "(3 seeds: 35.0..37.0)" in sentence
    assert "[appendix G]" in sentence


def test_items_1_2_the_table_has_plain_rows_and_is_not_sliced_in_the_notebook():
    table = nb.unique_index(SOURCES, "saturation = summarize_saturation(runs)")
    assert "table_lines" not in SOURCES[table] and "[:4]" not in SOURCES[table]
    assert "plots.saturation_rows(saturation)" in SOURCES[table]
    printed = nb.printed(CELLS[table])
    assert "unless named" not in printed and "1 (the reference)" not in printed
    assert "other rows / saturated" not in printed
    assert "saturated rows, d = 64    37 % (5 seeds: 36..39)    0 %" in printed
    ratio = "no scale, d = 64, the gradient at the scores, unsaturated / saturated rows: 8.5 (5 seeds: 7.7..9.4)"
    assert ratio in printed
    assert "mean gradient at the scores over all rows" not in printed  # appendix G's
    # the prose follows the table directly, then its check
    # review r24e: the set-up sentence, moved from the lead, opens the prose under the table
    assert SOURCES[table + 1].startswith("Measured on random unit-variance")
    assert "Without the scale, 37 % of the rows saturate" in SOURCES[table + 1]
    assert nb.hidden(CELLS[table + 2])


def test_the_package_helper_labels_every_row():
    runs = {d: [softmax_saturation(d, seed=s) for s in range(2)] for d in (16, 64)}
    lines = plots.saturation_rows(summarize_saturation(runs, saturated_at=(16, 64), ratio_at=(64,))).splitlines()
    assert lines[0].split() == ["no", "scale", "with", "the", "scale"]
    assert lines[1].startswith("saturated rows, d = 64 ") and lines[2].startswith("saturated rows, d = 64 ")
    assert lines[3].startswith("no scale, d = 64, the gradient at the scores, unsaturated / saturated rows: ")
    assert lines[4].startswith("d = 64, the mean gradient reaching each query, no scale / with the scale: ")
    assert lines[5].startswith("with the scale, at every d: 0% saturated rows")


def test_items_1_2_cell_52_split_with_a_bold_takeaway():
    rows = nb.unique_index(SOURCES, "The saturated row (left) gives one key 0.98")
    assert "Averaged over" not in SOURCES[rows] and "14.1" not in SOURCES[rows]
    takeaway = SOURCES[rows + 1]
    assert takeaway.startswith(  # review r24c: the corrected fact (appendix G's layer gradient)
        "**With the scale, the softmax passes back the same share of the gradient it receives at every $d$**"
    )
    assert "14.1 times at $d = 64$" in takeaway


def test_the_main_path_did_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 47 and nb.markdown_words(main) <= 2472, (len(main), nb.markdown_words(main))
