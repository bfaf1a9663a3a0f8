"""Lesson 07, fixes for review r23b: the Summary states the Linear arm's printed 10-epoch gap (no learning speed was
measured) and calls the whole-stem run a different comparison; Table 7's hard-patch row: the 21.1M matches the
appendix's count without the stem and position table, only the 4.2G does not reproduce; the Performer formula with
its normaliser and v-skip; Table 7 changes the module or the backbone; the digit intervals cover seeds, not a new
draw of digits; the backbone's qk_scale with pretrained=True named beside the token scale; the ImageNet lines left
the digits cell."""

from __future__ import annotations

import pathlib

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"
RESULTS = nb.ROOT / "benchmarks" / "results"


def _cell(path: pathlib.Path, text: str) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, text)])


def _printed(text: str) -> str:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    return nb.printed(cells[nb.unique_index(sources, text)])


def test_the_summary_states_the_printed_ten_epoch_gap_not_a_learning_speed():
    printed = _printed("t2t_arm = [count / 180")  # 24a: the intervals cell, split from the counts
    assert "Linear | no attention, MLP, norms or nonlinearity; half the parameters | +8.8 [+4.3, +13.3]" in printed
    everywhere = [nb.all_text(LESSON), nb.all_text(APPENDIX)] + [p.read_text() for p in RESULTS.glob("lesson07*")]
    assert all("learns slower" not in nb.flat(text) for text in everywhere)
    summary = nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "## Summary")]
    # 24c (review r24b item 2): one recap line; the printed 10-epoch gap, its interval in section 6
    (linear,) = [b for b in summary.split("\n- **") if b.startswith("Does T2T help?**")]
    linear = nb.flat(linear)
    assert "is 8.8 points lower after 10 epochs;" in linear
    arms = _cell(LESSON, "**The `Linear` arm.**")
    assert "[whole-stem gap](07_tokens_to_token_vit_appendix.ipynb#whole-stem)" in arms
    # 24c (review r24b item 1): the numbers moved to the appendix's Sources, still called another comparison
    appendix = _cell(APPENDIX, "**Section 6's `Linear` arm.**")
    assert "is a different comparison: +27.1 points [+17.1, +37.0] at 10 epochs, +1.2 [-0.1, +2.5] at 93." in appendix
    assert "Such gaps can shrink" not in linear
    assert '<a id="whole-stem"></a>\n**The whole-stem run this appendix cites**' in "\n".join(nb.sources(APPENDIX))
    arm = _cell(APPENDIX, "**Section 6's `Linear` arm.**")
    assert "After 10 epochs it is 8.8 points lower (section 6)" in arm and "is a different comparison: +27.1" in arm


def test_table_7s_hard_patch_row_21_1m_matches_the_recount_without_stem_and_table():
    printed = nb.all_printed(APPENDIX)
    assert "= 21,078,376; hard patches without patch embedding, class token and table: 21,094,120 (Table 7: 21.1M)" in (
        printed
    )
    assert "hard 16x16 patches: 21,465,448 parameters (Table 7: 21.1M), 4.54 GMACs (Table 7: 4.2G)" in printed
    section_6 = _cell(LESSON, "## 6. Does T2T help?")
    assert (
        "² The appendix recounts that row with section 5's counters (21.5M, 4.54G as built). Its 21.1M matches a"
        " count without the stem and position table; its 4.2G does not reproduce." in section_6
    )
    assert "21.1M and 4.2G do not reproduce" not in section_6
    summary = _cell(LESSON, "## Summary")
    # 23d (review r23c item 3): the audit clause left the Summary for the appendix's Sources (asserted below)
    assert "2.0 points above hard patches on one backbone (one run each)." in summary and "21.1M" not in summary
    assert "sizes do not reproduce" not in summary
    table_7 = _cell(APPENDIX, "### The paper's Table 7")
    assert "The 21.1M matches a count without the stem and position table; the 4.2G does not reproduce." in table_7


def test_the_performer_formula_has_its_normaliser_and_v_skip_as_the_vendored_code():
    vendored = (nb.ROOT / "vit_explained" / "_upstream" / "t2t_vit" / "token_performer.py").read_text()
    assert "D = torch.einsum('bti,bi->bt', qp, kp.sum(dim=1))" in vendored  # phi(q) (phi(k)^T 1)
    assert "/ (D.repeat(1, 1, self.emb) + self.epsilon)" in vendored
    assert "y = v + self.dp(self.proj(y))" in vendored  # the same v-skip as the token transformer
    cost = _cell(LESSON, "The quadratic cost moved to the front.")
    assert "`phi(q) (phi(k)^T v)` divided by `phi(q) (phi(k)^T 1)`, with the same v-skip: no `N x N` matrix." in cost
    counted = _cell(APPENDIX, "<details><summary>How the Performer is counted")
    assert "`phi(q) (phi(k)^T v)` divided by `phi(q) (phi(k)^T 1)`" in counted


def test_table_7_changes_the_module_or_the_backbone():
    section_6 = _cell(LESSON, "## 6. Does T2T help?")
    assert "changes one thing per row of T2T-ViT-14, the module or the backbone (one run each):" in section_6
    assert "keeps T2T-ViT-14's backbone" not in section_6
    assert "| T2T-ViT-d768-4 | shallow-wide backbone instead: 4 blocks of width 768 |" in nb.all_text(APPENDIX)


def test_the_digit_intervals_cover_seeds_on_one_fixed_set_of_digits():
    # 24c (review r24b item 1): the sentence moved to the appendix's Sources, next to the arms' other caveats
    arms = _cell(APPENDIX, "**What section 6's token-layer arms leave out.**")
    assert "The intervals cover seeds on one fixed set of 180 validation digits, not a new draw of digits." in arms
    main_path = nb.flat("\n".join(nb.source(c) for c in nb.main_path(LESSON)))
    assert "binomial" not in main_path  # no cell computes a binomial standard error


def test_the_token_scale_cell_names_the_backbone_qk_scale_for_porters():
    scale = _cell(LESSON, "**The scale uses the input width: `qk_scale`.**")
    assert "(07_tokens_to_token_vit_appendix.ipynb#porters)" in scale
    # 23f (review r23d item 7) named the backbone's pretrained=True scale here; 24a (review r23f item 4) moved it
    # to the appendix's porters' note, where fact 3 covers it
    assert "pretrained=True" not in scale
    porters = _cell(APPENDIX, "## Appendix · For porters")
    assert "set the backbone's `qk_scale=384 ** -0.5`, only with `pretrained=True`" in porters


def test_the_imagenet_lines_left_the_digits_cell_and_the_main_path_did_not_grow():
    assert "ImageNet" not in _printed("# benchmarks/results/lesson07_token_transformer.md")
    imagenet = _cell(APPENDIX, "**On ImageNet**")  # 24c (review r24b item 1): moved to the appendix's Sources
    assert "Table 7's T2T-ViT_t-14 is 0.9 points above the convolution stem T2T-ViT_c-14 (81.7 against 80.8 %" in (
        imagenet
    )
    main = nb.main_path(LESSON)
    assert len(main) <= 50 and nb.markdown_words(main) <= 2946
