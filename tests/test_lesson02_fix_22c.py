"""Lesson 02, review r22b_02 (round 22c): section 3 prints the window-size and overlap controls; the footprint's
attention caveat beside its claim; the cost's head widths; lucidrains' token length; PVTv2's (7, 4, 3); one idea per
sentence in section 7 and the cost; the coverage picture before `coverage`; the main path within its cap."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"


def _at(text: str) -> int:
    return nb.unique_index(nb.sources(LESSON), text)


def _text(text: str) -> str:
    return nb.flat(nb.sources(LESSON)[_at(text)])


def test_main_path_within_the_cap():
    cells = nb.cells(LESSON)
    main = [c for c in cells[: _at("## Summary\n")] if not nb.hidden(c)]
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 48 and words <= 2204, (len(main), words)


def test_item_2_section_3_prints_the_two_controls_and_checks_them():
    cells = nb.cells(LESSON)
    code = _at("whole = {split: share_held_whole(224")
    printed = nb.printed(cells[code])
    assert "controls, window size against overlap: (7, 7, 0) 49.9 %, (5, 2, 2) 100.0 %" in printed
    assert "share_held_whole(224, piece, *split) for split in ((7, 7, 0), (5, 2, 2))" in nb.source(cells[code])
    check = nb.source(cells[code + 1])
    assert nb.hidden(cells[code + 1]) and "for share in controls_3.values()] == [49.9, 100.0]" in check
    held = _text("### Held whole, counted")  # round 22e: moved to the appendix, item 1 reworded
    assert "The second line varies window size and overlap apart, but the stride and the grid change too." in held
    assert "`(7, 7, 0)`, T2T's window without overlap, has stride 7 and a 32 x 32 grid; it holds fewer." in held
    assert "`(5, 2, 2)`, a smaller window that overlaps, has a 112 x 112 grid; it holds all." in held


def test_item_3_the_footprint_claim_says_splits_only():
    prose = _text("At ViT's stride 16, T2T's final tokens hold 100 %")
    assert "That counts the splits only: with the token layers' attention every token sees every pixel," in prose
    assert "as ViT's tokens do after one block (checked above)." in prose
    check = nb.source(nb.cells(LESSON)[_at("assert list(at_16) == [(16, 16, 0)")])
    assert "assert pixels_used(small_stem(seen)[0, 0], seen).all()" in check
    assert "assert pixels_used(one_block.forward_features(seen)[0, 1], seen).all()" in check


def test_item_4_cost_names_the_head_width_and_what_is_not_counted():
    cost = _text("### What the chain costs")
    assert "Every head here is 64 wide: a token layer's one head of `token_dim = 64`, a main block's" in cost
    assert "a main block's 384 / 6 = 64." in cost
    assert "So the multiply-adds of `QKᵀ`, 64 per entry, follow the same ratios." in cost
    assert "The `qkv` and MLP `Linear`s are not counted." in cost
    cells = nb.cells(LESSON)
    code = _at("heads_token, heads_main = 1, 6")
    assert "a main block (6 heads of width 384 / 6 = 64) 230,496: 43 times as many" in nb.printed(cells[code])
    check = nb.source(cells[_at("assert (split_1, main) == (3136, 196)")])
    assert '"head_dim = dim // num_heads" in block_file' in check and "self.num_heads, self.in_dim)" in check


def test_item_5_lucidrains_token_length():
    note = _text('<a id="note-02-versions"></a>**Note 1: versions**')
    assert "**Token length in lucidrains' `T2TViT`** (at `69d24fe`): it never narrows tokens to 64." in note
    assert "`layer_dim *= kernel_size ** 2` makes the token layers 3·7·7 = 147 and 147·3·3 = 1,323 wide" in note
    assert "takes tokens 1,323·3·3 = 11,907 long" in note
    check = nb.source(nb.cells(LESSON)[_at("ours = t2t_chain(224, 224, 3)[-1].grid.total")])
    assert "1323 * 3 * 3 == 11907" in check


def test_item_6_one_idea_per_sentence_in_section_7_and_the_cost():
    chain = _text("T2T-ViT makes three soft splits")
    assert "lines 44-103" not in chain and "(the repo's" not in chain
    module = _text("The T2T module takes their place.")
    assert "A reshape then turns the tokens into a 64-channel image for the next split." in module
    assert "uses Performer token layers instead" not in module  # said once, in the section's first cell
    cost = _text("### What the chain costs")
    assert "These ratios leave the class token out; with it, 197 tokens, they are 253 and 42.2" in cost
    assert "(lines 57-58 and 246)" not in cost


def test_item_7_coverage_picture_before_the_function():
    picture, defined = _at("plot_coverage(8, 8"), _at("def coverage(")
    assert _at("A pixel's *coverage* is the number of windows") == picture - 1 < defined
    assert "drawn in the coverage figure above" in nb.sources(LESSON)[defined + 1]
    assert "window_coverage(4, 6, 3, 2, 1).unique().tolist()" in nb.sources(LESSON)[picture]


def test_item_8_pvt_v2_tied_to_the_centring_note():
    text = _text("**T2T's 7 x 7 split** on 224 pixels pads 2")
    assert "PVTv2's first overlapping patch embedding is this split, `(7, 4, 3)`" in text
    assert "commit `81f0659`: kernel 7, stride 4, `padding=patch_size // 2`" in text
    check = nb.source(nb.cells(LESSON)[_at("assert pads == {0: 55, 1: 55, 2: 56, 3: 56}")])
    assert "count_tokens(224, 224, 7, 4, 7 // 2).rows == 56" in check
