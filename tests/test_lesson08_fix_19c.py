"""Lesson 08, fix of 5 Dec 2026 (review r19b_08): section 9's verdict read on paired differences (2 of 3 classifier
draws pass, one stays closer); the sink-like cut stated (a chance line, each head's most frequent top key); the class
token's top patch told apart from the key column most queries read; cell 90 prints the family's 98.3 % column only;
the photo figure once (appendix E) and appendix B's stub gone; "about 0.02 (last block, 8 digits)"; vit-explain's
gradient rollout discards before mixing in the identity; the count 101 asserted; the digit sets listed in section 1."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"


def _cell(text: str, path=LESSON) -> dict:
    hits = [cell for cell in nb.cells(path) if text in nb.source(cell)]
    assert len(hits) == 1, (text, len(hits))
    return hits[0]


def _next_source(cell: dict, path=LESSON) -> str:
    cells = nb.cells(path)
    return nb.source(cells[[nb.source(c) for c in cells].index(nb.source(cell)) + 1])


def _main_path() -> list[dict]:
    cells = nb.cells(LESSON)
    end = next(i for i, c in enumerate(cells) if nb.source(c).startswith("## Summary"))
    return cells[:end]


def test_section_9_verdict_reads_paired_differences():
    # 19d: the reference is each digit against the 31 others (not roll(1)), and the classifier drawn 10 times
    table = _cell("paired_10 = [", APPENDIX)  # 20c: the 10-draw study moved to appendix I
    out = nb.printed(table)  # 20a: every draw's line moved to appendix I
    assert "draw 0 - other digits: +0.057, 95 % interval [+0.008, +0.107]" in out
    assert "draw 1 - other digits: +0.006, 95 % interval [-0.044, +0.059]: no detectable difference" in out
    assert "detectably closer on 8 of 10 draws" in out
    check = _next_source(table, APPENDIX)
    assert "closer_10 == [True, False, True, True, False, True, True, True, True, True]" in check
    assert "c.low < weighted_ref.high and weighted_ref.low < c.high" not in check  # no overlap of unpaired intervals
    text = nb.flat(nb.all_text(LESSON))
    assert "passes on our criterion" not in text and "roll(1, 0)" not in "\n".join(nb.sources(LESSON))
    draws = nb.flat(nb.source(_cell("Draw by draw (moved from the lesson's verdict)", APPENDIX)))
    assert "on 8 of 10 draws" in draws and "mean gap +0.096, 95 % interval [+0.069, +0.119]" in draws


def test_cascade_noise_floor_and_references_are_one_cell():
    # 23b (review r23a_08): one cell per topic, in order: the stored table, the live step, the references, the rule
    cells = [nb.source(c) for c in nb.cells(LESSON) if c["cell_type"] == "code" and not nb.hidden(c)]
    table, live = cells.index(nb.source(_cell("print(cascade)"))), cells.index(nb.source(_cell("reset_parameters()")))
    source = nb.source(_cell("am.noise_floor("))
    assert "am.noise_floor(" in source and "other_weighted =" in source
    assert table + 1 == live and cells[live + 1] == source and "rule_gaps = {" in cells[live + 2]
    assert "gap_table = {" in nb.source(_cell("gap_table = {", APPENDIX))


def test_sink_like_cut_is_stated_with_a_chance_line_and_the_top_key():
    table = _cell("mode_key = top_key.mode(0).values", APPENDIX)  # 19d: the table moved to appendix D
    out = nb.printed(table)
    assert "chance: a random key is on ink 33.0 %" in out
    assert "key 30 (126)" in out and "fixed-key: block 0, head 3: key 30 = patch (4, 1) on 126 of 200" in out
    assert out.count("often off-ink, above chance") == 3
    check = _next_source(table, APPENDIX)
    assert "assert fixed_key == [(0, 3)]" in check and "assert off_ink_heads == [(0, 0), (3, 0), (3, 2)]" in check
    assert ".low > chance_key" in check and ".high < chance_key" in check  # intervals against chance, same units
    text = nb.flat(nb.all_text(APPENDIX))
    assert "on ink on under 60 % of digits" not in nb.all_printed(LESSON) + nb.all_printed(APPENDIX)
    assert "The cut: one key is the head's top key on more than half the digits" in text
    assert "**often off-ink, above chance**" in text and "that head is a **fixed-key** head" in text


def test_top_patch_told_apart_from_the_key_column():
    text = nb.flat(nb.all_text(LESSON))  # 19d: the main path names the key column, appendix D both
    assert "**the key column most queries read** (not the class token's top patch)" in text
    appendix = nb.flat(nb.all_text(APPENDIX))
    assert "the class token's top patch" in appendix and "**the key column most queries read**" in appendix


def test_knob_table_prints_the_family_level_only():
    cell = _cell("knobs = am.compare_maps(  # the three settings", APPENDIX)  # 21b: section 11 in appendix K
    out = nb.printed(cell)
    assert "98.3 % interval" in out and "higher*" not in out and "unrounded" not in out and "at 95 %" not in out
    appendix = nb.printed(_cell("alone_low = knobs.at_95", APPENDIX))
    assert "A higher*" in appendix and "+0.0004" in appendix


def test_photo_once_and_no_empty_appendix_b():
    assert not any("plot_vit_explain_examples" in nb.source(c) for c in nb.cells(LESSON))
    assert sum("plot_vit_explain_examples" in nb.source(c) for c in nb.cells(APPENDIX)) == 1
    assert 'id="appendix-b"' not in nb.all_text(APPENDIX) and "**B ·" not in nb.all_text(APPENDIX)
    assert "#appendix-b" not in nb.all_text(LESSON)


def test_main_path_shorter():
    assert len(_main_path()) <= 90  # 105 cells before the Summary in the reviewed version


def test_class_token_on_itself_says_last_block_8_digits():
    text = nb.flat(nb.all_text(LESSON))
    appendix = nb.flat(nb.all_text(APPENDIX))  # 20c: the sink paragraph moved to appendix D
    assert "at most 0.02 of its row (head 3; the others 0.00-0.01; last block, 8 digits" in appendix  # 19d: per head
    assert "at most 0.02 of its row on average" not in text


def test_vit_explain_gradient_rollout_order():
    text = nb.flat(nb.all_text(APPENDIX))  # 21b: section 12's text moved to appendix K
    assert "discards the weakest weights as rollout does" not in text
    assert "discards the weakest weights (its class-token guard commented out), then mixes in half the identity" in text
    appendix = nb.flat(nb.all_text(APPENDIX))
    assert "mixes in half the identity as rollout does" not in appendix
    assert "discards the weakest weights first" in appendix


def test_count_101_not_a_float_tolerance():
    check = _next_source(_cell("probe_images = data.test_images[:200]"))
    assert "int(top_on_ink[:, -1, 0].sum()) == 101" in check
    assert "float().mean() - 0.50) < 0.005" not in check


def test_digit_sets_listed_in_section_1():
    section_1 = nb.flat(nb.source(_cell("## 1 · The model and the digits")))
    assert "**The digit sets**" in section_1
    rows = ("| test | 8 |", "| test | 32 |", "| test | 200 ", "| test | 500 ", "on the first 100")  # 20a: a table
    assert all(k in section_1 for k in rows)  # 19d: validation too
