"""Lesson 04, fix 21i (review r21i_04): the Summary's post-norm normalises after each residual addition; one meaning
of N (tokens a block sees); section 6b's ablation and the stream slope print per-seed t-intervals (pooled ones in
appendix A) and the verdicts quote them; Lemma 2 stated as a formula, the L^0.96 fit explained by the intercept of
the RMS norm's line, the stream below the band at 2 and 4 blocks printed; increments moved to appendix A."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"


def _section_six() -> list[str]:
    sources = nb.sources(LESSON)
    start = nb.unique_index(sources, "## 6 · Where the norm sits")
    end = nb.unique_index(sources, "## 7 · Dropout, DropPath and LayerScale")
    return sources[start:end]


def test_summary_post_norm_after_each_residual_addition() -> None:
    sources = nb.sources(LESSON)
    summary = nb.flat(sources[nb.unique_index(sources, "## Summary")])
    assert "normalises the sum after each residual addition (twice per block)" in summary
    assert "normalises the sum after each block" not in summary


def test_one_meaning_of_n() -> None:
    sources = nb.sources(LESSON)
    section0 = nb.flat(sources[nb.unique_index(sources, "## 0 · The block at a glance")])
    assert "`(N, D) = (197, 768)` tokens it receives" in section0  # 22a: N defined once, in the letters
    letters = nb.flat(sources[nb.unique_index(sources, "**Letters**")])
    assert "N tokens (197 in ViT-B/16: 196 patches and the class token)" in letters
    assert "N = 197 tokens," in nb.flat(sources[nb.unique_index(sources, "**Why 4x?**")])
    assert nb.flat(sources[nb.unique_index(sources, "63.9 % of a block's arithmetic")]).startswith("At N = 197 tokens,")


def test_ablation_prints_per_seed_intervals_and_answer_quotes_them() -> None:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    at = nb.unique_index(sources, "ablation = final_norm_ablation(")
    printed = nb.printed(cells[at])
    assert "t-interval over the 3 seeds' slopes" in printed
    assert "final LayerNorm         L^-0.468 [-0.618, -0.319]" in printed
    moved = nb.cells(APPENDIX)[nb.unique_index(nb.sources(APPENDIX), "lesson_arms = final_norm_ablation(")]
    assert "LayerNorm, σ detached   L^-0.468 [-0.612, -0.323]" in nb.printed(moved)  # 24b: moved to appendix A
    assert "[-0.004, +0.165]" not in printed  # the pooled interval lives in appendix A
    check = nb.source(cells[at + 1])
    assert nb.hidden(cells[at + 1])
    assert '[round(v, 3) for v in ablation_slope["none"]] == [0.081, -0.073, 0.234]' in check
    answer = nb.flat(sources[nb.unique_index(sources, "**Answer 6b.**")])
    app_sources = nb.sources(APPENDIX)
    moved_answer = nb.flat(app_sources[nb.unique_index(app_sources, "**Section 6b's other arms, answered.**")])
    assert "(per seed [-0.62, -0.32] and [-0.61, -0.32])" in moved_answer and "just holds 0" not in answer  # 24b: moved
    answer_a = nb.flat(sources[nb.unique_index(sources, "**Answer 6a.**")])
    assert "about as $L^{-0.47}$" in answer_a and "[-0.62, -0.32]" not in answer_a  # 24d: intervals printed only
    printed_a = nb.all_printed(LESSON)
    assert "pre-norm   L^-0.47 [-0.62, -0.32]" in printed_a and "post-norm  L^-0.02 [-0.29, +0.26]" in printed_a
    pooled = nb.all_printed(APPENDIX)
    assert "no final step          L^+0.081 [-0.004, +0.165]; per seed L^+0.081 [-0.073, +0.234]" in pooled


def test_stream_per_seed_slope_lemma_2_formula_intercept_and_band() -> None:
    sources = nb.sources(LESSON)
    widget = nb.unique_index(sources, "stream_explorer = residual_stream_widget(")
    # 22a (r21l_04 item 3): the fit, the line and Lemma 2's band moved to appendix A with their checks (lookups moved)
    app_cells, app_sources = nb.cells(APPENDIX), nb.sources(APPENDIX)
    fit_at = nb.unique_index(app_sources, "squared_seed = t_interval(")
    printed = nb.printed(app_cells[fit_at])
    assert "||x_L||^2 ~ L^+0.96 [+0.83, +1.10] over 2-16 blocks (95 % t over the 3 seeds' slopes)" in printed
    line = "||x_L|| ~ 8.2 + 1.33 L over 2-16 blocks; 1 / (8.2 + 1.33 L) goes as L^-0.48 there"
    assert line in nb.all_printed(APPENDIX)
    assert "2  117 (114..120)          10.8                128 to 256" in printed
    check = nb.source(app_cells[fit_at + 1])
    assert nb.hidden(app_cells[fit_at + 1]) and 'all(row["squared"] < row["band"][0] for row in growth[:2])' in check
    text = nb.flat(nb.all_text(APPENDIX))
    assert "(1 + L/2)\\,d \\le \\mathbb{E}\\|x_L\\|^2 \\le (1 + 3L/2)\\,d" in text
    assert "It lies below the lemma's band at 2 and 4 blocks" in text and "$8.2 + 1.33\\,L$" in text
    assert "section 6's per-seed interval, [-0.62, -0.32]" in text and "matching 6a" not in nb.all_text(LESSON)
    assert "the squared norm fits $L^{0.96}$ [0.83, 1.10]" in text
    assert "fit equally well, so they do not show which route the stream takes" in text
    prose = nb.flat(sources[widget - 1])
    assert "quadratic" not in prose  # r21l_04: appendix A's 16-128 blocks rule the line out
    section = "\n".join(_section_six())
    assert "33, 45, 62" not in section and "0.72" not in section  # increments and band slopes: appendix A
    assert "33, 48, 53; 32, 41, 59; 34, 47, 74" in nb.all_printed(APPENDIX)


def test_section_six_shorter() -> None:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    start = nb.unique_index(sources, "## 6 · Where the norm sits")
    end = nb.unique_index(sources, "## 7 · Dropout, DropPath and LayerScale")
    markdown = [nb.source(c) for c in cells[start:end] if c["cell_type"] == "markdown"]
    assert sum(len(s.split()) for s in markdown) < 511  # 511 words before, the probe's <details> included
    assert "<details>" not in "\n".join(markdown)  # the probe description moved to appendix A


def test_main_path_did_not_grow() -> None:
    visible = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    summary = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    main = visible[:summary]
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 56 and words <= 2724


def test_bert_quote_moved_to_appendix_c() -> None:
    assert "following OpenAI GPT" not in nb.all_text(LESSON)
    assert "following OpenAI GPT" in nb.flat(nb.all_text(APPENDIX))
