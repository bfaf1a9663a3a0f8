"""Lesson 08, review r24d_08: every number a main-path sentence states is printed by a main-path cell. The Summary
drops appendix K's class-map cosines and uses section 12's wording; the key-columns bullet, section 9's verdict and
the Summary's deletion bullet point to appendices D, G and K without their numbers; section 5 names and prints the
chance rate for a random key; section 11 says vit-explain's normalisation is corrected; section 8's toy has its own
raw-attention matrices; the main path does not grow."""

from __future__ import annotations

import torch

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
SOURCES = nb.sources(LESSON)
CELLS = nb.cells(LESSON)


def _at(text: str) -> int:
    return nb.unique_index(SOURCES, text)


def _summary_line(start: str) -> str:
    return next(line for line in SOURCES[_at("## Summary")].splitlines() if line.startswith(start))


def test_item_1_section_12_and_the_summary_say_one_thing_without_appendix_numbers():
    # 24f: the new wording
    wording = "the runner-up class's map differs from the likeliest class's map about as much as another digit's map"
    classes = _summary_line("- **12 · Classes**")
    assert wording in classes and wording in nb.flat(SOURCES[_at("## 12 · One map per class")])
    assert "0.37" not in classes and "0.40" not in classes and "more alike" not in classes


def test_item_3_no_unprinted_numbers_in_the_pointers():
    key_columns = nb.flat(SOURCES[_at("- **Key columns** (the grid")])
    assert "10.9" not in key_columns and "8.7" not in key_columns
    assert "value-weighted norm (Kobayashi et al. 2020) is compared with the other keys'" in key_columns
    verdict = nb.flat(SOURCES[_at("**Verdict** (ρ over 32 digits")])
    assert "47 to 48" not in verdict and "#appendix-g) prints how widely a re-drawn block's class token" in verdict
    deletion = _summary_line("- **10 · Deletion**")
    assert "most of its lag" not in deletion and "not all" not in deletion
    assert "lag behind rollout is tested by moving its blank patches last (an ablation, appendix K)" in deletion


def test_item_5_chance_rate_for_a_random_key_printed_where_first_used():
    text = nb.flat(SOURCES[_at("The 6 is a favourable case")])
    assert (
        "(**chance rate for a random key** among the 50, class token included: 33.0 %)" in text
        and "key rate" not in text
    )
    probe = _at("probe_images = data.test_images[:200]")
    assert probe == _at("The 6 is a favourable case") + 1
    assert "chance rate for a random key (50 keys, the class token included): 33.0 %" in nb.printed(CELLS[probe])
    check = CELLS[probe + 1]
    assert nb.hidden(check) and "abs(100 * chance_key - 33.0) < 0.05" in nb.source(check)


def test_item_6_section_11_says_the_normalisation_is_corrected():
    text = nb.flat(SOURCES[_at("## 11 · jacobgil/vit-explain's knobs")])
    link = "([appendix E](08_attention_maps_appendix.ipynb#appendix-e))"
    assert "With vit-explain's normalisation corrected " + link in text


def test_item_4_chefer_toy_has_its_own_raw_attention():
    toy = SOURCES[_at("toy_raw_0 = torch.tensor(")]
    assert "toy_block_0" not in toy and "toy_block_1" not in toy and "toy_raw_1" in toy
    namespace = {"torch": torch}
    exec("\n".join(line for line in toy.splitlines() if line.startswith("toy_raw_")), namespace)
    for raw in (namespace["toy_raw_0"], namespace["toy_raw_1"]):
        assert torch.allclose(raw.sum(-1), torch.ones(3))  # rows of raw attention
    section_6 = SOURCES[_at("toy_block_0 = torch.tensor(")]
    assert "toy_raw_" not in section_6
    section_8 = nb.flat(SOURCES[_at("## 8 · Maps weighted")])
    assert "A toy with its own raw attention, `toy_raw_0` and `toy_raw_1`" in section_8
    printed = nb.printed(CELLS[_at("toy_raw_0 = torch.tensor(")])
    assert "the class token's row of R: [1.0, 0.75, 0.375] (cls, p1, p2); sum 2.125" in printed


def test_main_path_does_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 53 and nb.markdown_words(main) <= 3512  # before: 53 visible cells, 3,523 words


def test_item_2_centred_rho_and_uniform_probe_moved_to_appendices_i_and_g():
    lesson = nb.all_text(LESSON)
    assert "centred_rank_correlation" not in lesson and "torch.full_like(weights_32[0]" not in lesson
    verdict = nb.flat(SOURCES[_at("**Verdict** (ρ over 32 digits")])
    assert "0.69-0.70" not in verdict and "0.885" not in verdict and "47 to 48" not in verdict
    assert "yet is below its floor (1.00)." in verdict
    nine = _summary_line("- **9 · Sanity check**")
    assert "(ρ 1.00); blocks 2-3 re-drawn change it beyond noise (ρ 0.98, below its floor)" in nine
    appendix = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"
    sources, cells = nb.sources(appendix), nb.cells(appendix)
    i_anchor, g_anchor = (nb.unique_index(sources, f'<a id="appendix-{x}"></a>') for x in ("i", "g"))
    h_anchor, j_anchor = (nb.unique_index(sources, f'<a id="appendix-{x}"></a>') for x in ("h", "j"))
    centred = nb.unique_index(sources, "centred_draws = [am.centred_rank_correlation(")
    uniform = nb.unique_index(sources, "uniform = torch.full_like(weights_32[0], 1 / tokens)")
    assert i_anchor < centred < j_anchor and g_anchor < uniform < h_anchor
    for at in (centred, uniform):
        assert nb.hidden(cells[at + 1]) and not nb.hidden(cells[at + 2])


def test_rule_numbers_the_prose_reads_are_printed_in_the_main_path():
    ink = nb.printed(CELLS[_at("own_maps, rollout_maps, spreads = am.class_token_maps_by_block(")])
    assert "rollout through all 4 blocks: 25.3 points above the chance share; its image-blind map already 19.8" in ink
    cascade = nb.printed(CELLS[_at("peaks_shown = [divmod(")])
    assert "  rollout's top patch: trained (2, 4), + blocks 1-3 re-drawn (4, 3)" in cascade
    assert "(printed above)" in nb.flat(SOURCES[_at("**How the table is read.**")])
