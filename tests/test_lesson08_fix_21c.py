"""Lesson 08, fix of 5 Dec 2026 (review r21d_08): the + blocks 1-3 panel's own ρ (+0.86) beside the 32 digits'
mean; section 11 says discarding concentrates the map, and one small cell prints the knobs' spread and the 100
closest calls' cosine with a hidden check; the summary's section 9 follows appendix I's draws; timm's per-module
switch; the cascade's suptitle shortened (the near-flat rule in its key) and near-flat head panels labelled; the
per-head key-column table printed in section 5, where it is read."""

from __future__ import annotations

import torch

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"
FAMILY_8 = "By the rule, read as a family of 8 at 99.4 % (Bonferroni)"  # 23c: appendix I's moved verdict
SUMMARY_9_RULE = (
    "the gradient-weighted map at once. By the rule (plain ρ against another digit's map) both move only from"
    " blocks 1-3."
)


def _text(text: str, path=LESSON) -> str:
    return nb.flat(nb.sources(path)[nb.unique_index(nb.sources(path), text)])


def test_cascade_reading_names_the_panels_rho():
    rule = _text("**How the table is read.**")
    assert "changes at ρ +0.86 with blocks 1-3 re-drawn (this digit; +0.88 the 32 digits' mean)" in rule
    assert "ρ 0.88 with blocks 1-3" not in rule
    at = nb.unique_index(nb.sources(LESSON), "print(cascade.digit_lines(shown_digit))")
    assert "classifier + blocks 1-3  rollout +0.86 / +0.88" in nb.printed(nb.cells(LESSON)[at])


def test_sections_11_and_12_print_their_numbers():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    stub = _text("## 11 · jacobgil/vit-explain's knobs") + " " + _text("## 12 · One map per class")  # 24a: split
    assert "concentrates the map on about 13 (max) and 14 (mean) patches" in stub and "spreads" not in stub  # 21f
    assert "cosine 0.19" in stub  # 24c: section 12 is one cell; its 0.37 is printed and read in appendix K
    moved = nb.sources(APPENDIX)[nb.unique_index(nb.sources(APPENDIX), "The two maps of the 7 share little")]
    assert "mean cosine of 0.37" in nb.flat(moved)
    at = nb.unique_index(sources, "knob_spread = {")
    assert at == nb.unique_index(sources, "## 11 · jacobgil/vit-explain's knobs") + 1 and not nb.hidden(cells[at])
    out = nb.printed(cells[at])
    assert "max, discard 0.9  spread over 12.6" in out and "mean, discard 0.9 spread over 14.2" in out
    assert "rollout           spread over 37.1" in out
    check = cells[at + 1]
    assert nb.hidden(check) and "12.5 < spread_means" in nb.source(check)
    assert len(nb.source(cells[at]).splitlines()) <= 12  # one small cell for both sections (24a: one each)
    appendix, appendix_cells = nb.sources(APPENDIX), nb.cells(APPENDIX)  # 24c: section 12's cell moved to appendix K
    at = nb.unique_index(appendix, "same_100 = am.closest_call_neighbour_cosines(")
    assert "cosine 0.37, 95 % interval [0.34, 0.40] (n = 100)" in nb.printed(appendix_cells[at])
    assert nb.hidden(appendix_cells[at + 1]) and "abs(runner_c.estimate - 0.37) < 0.005" in appendix[at + 1]
    twelve = nb.unique_index(sources, "## 12 · One map per class")  # 24f: one printing cell and its check, then 13
    assert sources[twelve + 1].startswith("closest = am.stored_draws()") and sources[twelve + 3].startswith("## 13")


def test_summary_section_9_follows_appendix_i():
    summary = nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "## Summary")]
    bullet = next(line for line in summary.splitlines() if line.startswith("- **9 · Sanity check**"))
    assert "stays nearer the trained map until blocks 2-3" not in bullet
    # 21j: the referent and the draws named
    assert SUMMARY_9_RULE in bullet  # 22i, 23b; 23c: the rule named for the move only
    assert "by plain ρ; by centred ρ, undecided" in _text(FAMILY_8, APPENDIX)  # 23c: appendix I
    draws = _text("Draw by draw (moved from the lesson's verdict)", APPENDIX)
    assert "on\n  8 of 10 draws" in nb.sources(APPENDIX)[nb.unique_index(nb.sources(APPENDIX), "Draw by draw")]
    assert "with blocks 2-3 on none" in draws


def test_timm_switch_after_creation():
    text = _text("## 4 · Hooks, not a monkey-patch")
    assert "or after creation set `block.attn.fused_attn = False` per block" in text
    assert "v0.9.0 to v1.0.28" in text


def test_cascade_suptitle_two_lines_and_rule_in_the_key():
    from vit_explained.plotting.lesson08 import plot_cascade

    maps = torch.rand(5, 3, 3, generator=torch.Generator().manual_seed(0)) ** 4
    maps[3:] = 1.0  # two flat re-drawn maps
    steps = ["classifier", "classifier + block 3", "classifier + blocks 2-3", "every layer"]
    fig = plot_cascade(torch.zeros(1, 6, 6), {"rollout": maps}, steps, shared=False, columns=4)
    assert len(fig._suptitle.get_text().splitlines()) == 2 and "near-flat" not in fig._suptitle.get_text()
    keys = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert any(k.startswith("near-flat panel: grey scale") and "under 2× its mean" in k for k in keys)


def test_near_flat_head_panel_is_labelled():
    from vit_explained.plotting.lesson08 import plot_class_token_heads

    maps = torch.full((2, 2, 3, 3), 0.01)
    maps[0, 0, 1, 1] = 0.9  # peaked
    maps[1, 1, 0, 0] = 0.9  # peaked; maps[0, 1] and maps[1, 0] flat
    fig = plot_class_token_heads(torch.zeros(2, 1, 6, 6), maps)
    labelled = [i for i, ax in enumerate(fig.axes) if any(t.get_text() == "near-flat" for t in ax.texts)]
    assert labelled == [2, 4]  # row 0 head 1, row 1 head 0 (each row: the input, then the heads)


def test_key_column_table_printed_in_section_5():
    sources, cells = nb.sources(APPENDIX), nb.cells(APPENDIX)  # 22a: the table moved to appendix D
    section_5 = nb.unique_index(sources, '<a id="appendix-d"></a>')
    section_6 = nb.unique_index(sources, '<a id="appendix-e"></a>')
    at = nb.unique_index(sources, "mode_count = (top_key == mode_key).sum(0)")
    assert section_5 < at < section_6 and "block 0:  51.5 % (4, 3) x 58" in nb.printed(cells[at])
    assert nb.hidden(cells[at + 1]) and "int(mode_count[0, 3]) == 126" in nb.source(cells[at + 1])
    favourable = _text("The 6 is a favourable case for this head")
    assert "the class token counted as a key" not in favourable and len(favourable.split()) <= 46  # before: 72
    assert "(the grid, 200 test digits)" in _text("**Key columns**")  # 22a: the tables drawn as one grid
