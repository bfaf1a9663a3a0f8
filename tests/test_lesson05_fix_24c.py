"""Lesson 05, review r24b_05: one Summary with its numbers, the two measures defined in section 5, M as a
covariance (the chart's first bar is the centred K), section 4's count carried by appendix B's ablation (the
bookkeeping moved to appendix I), the gap at ViT-B's width, and the fresh ViT-Ti shares by depth."""

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"
SOURCES, CELLS = nb.sources(LESSON), nb.cells(LESSON)
APP_SOURCES, APP_CELLS = nb.sources(APPENDIX), nb.cells(APPENDIX)


def _text(anchor: str) -> str:
    return nb.flat(SOURCES[nb.unique_index(SOURCES, anchor)])


def _main_path() -> tuple[list[dict], int]:
    visible = [c for c in CELLS if not nb.hidden(c)]
    end = next(i for i, c in enumerate(visible) if c["cell_type"] == "markdown" and "## Summary" in nb.source(c))
    main = visible[:end]
    return main, sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")


def test_item_2_and_7_one_summary_opening_with_its_numbers():
    at = nb.unique_index(SOURCES, "**Answer to the question:**")
    answer, bullets = nb.flat(SOURCES[at].split("\n\n- ")[0]), "- " + SOURCES[at].split("\n\n- ", 1)[1]
    for number in ("96/82/75/54 %", "(3 runs: 90..96 % in block 0)", "block 0's qkv keeps 8 % of its gradient"):
        assert number in answer, number
    assert "the tables above give" not in answer
    assert "**Two measures:**" not in bullets and "**Two measures:**" not in SOURCES[at]
    items = [line for line in bullets.splitlines() if line.startswith("- ")]
    assert len(items) <= 5 and not bullets.strip().splitlines()[-1].startswith("**")
    flat = nb.flat(bullets)
    assert "under half through the MLPs" in flat and "one gradient over 256 or 512 digits" in flat
    assert "31-63 %" not in flat and "at most 40 %" not in flat  # the batch-dependent figures stay in section 5


def test_item_2_and_7_the_two_measures_are_defined_where_they_first_appear():
    measures = _text("**The MLP share**")
    assert "what the MLP route *carries*" in measures and "what the cut gradient *keeps*" in measures
    assert "the share is a ratio of summed gradients and depends on the batch" in measures
    assert nb.unique_index(SOURCES, "**The MLP share**") < nb.unique_index(SOURCES, "batch_0 = [")


def test_item_1_m_is_a_covariance_and_the_chart_draws_the_centred_keys():
    what = _text("**What this says about the question.**")
    assert r"= \tfrac1N \textstyle\sum_j (K_j - \bar K)(V_j - \bar V)^\top" in what
    assert r"as $\sum_j (V_j - \bar V) = 0$" in what and "**cross-covariance** of keys and values" in what
    assert "tokens are alike (section 3's related effect)" in what
    at = nb.unique_index(SOURCES, "chain = qk_factor_chain(")
    check = SOURCES[at + 1]
    assert (
        nb.hidden(CELLS[at + 1])
        and '(round(chain["K - Kbar"], 3), round(chain["averaging, centred"], 1)) == (0.064, 1.7)' in check
    )
    assert "k_centred_0.mT @" in check  # the covariance identity, checked numerically


def test_item_1_factor_chain_helper_returns_and_draws_the_centred_keys():
    torch = __import__("pytest").importorskip("torch")
    from vit_explained.data import load_digits
    from vit_explained.gradient_experiments import qk_factor_chain, small_digit_vit
    from vit_explained.plotting.lesson05 import plot_factor_chain

    digits = load_digits()
    with torch.random.fork_rng():
        chain = qk_factor_chain(small_digit_vit(), digits.train_images[:64], digits.train_labels[:64])
    assert round(chain["K - Kbar"], 3) == 0.064 and round(chain["averaging, centred"], 1) == 1.7
    assert abs(chain["K - Kbar"] * chain["V - Vbar"] / chain["averaging, centred"] - chain["M"]) < 1e-12
    fig = plot_factor_chain(chain)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[0] == "K - K\u0304" and "K" not in labels
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "0.064" in texts and any("(/1.7)" in t for t in texts)


def test_item_3_section_4_keeps_the_idea_and_prints_appendix_b_ablation():
    chart = _text("Read the chart left to right")
    assert "second order" in chart and "$dV$ is not second order" in chart
    assert "from 403 to 3.1 (means over three seeds, printed above)" in chart
    for moved in ("1.4 times", "1.3 %", "an estimate from that mean", r"s\sqrt d = 1"):
        assert moved not in chart, moved
    at = nb.unique_index(SOURCES, "chain = qk_factor_chain(")
    printed = nb.printed(CELLS[at])
    assert "block 0, v / max(q, k), as initialised: 403 (3 seeds: 316..464)" in printed
    said = "block 0, v / max(q, k), q, k, v rows x 10: 3.1 (3 seeds: 1.2..4.3) (second order predicts 4)"
    assert said in printed
    assert "shared_mean" not in "\n".join(SOURCES) and "class_row" not in "\n".join(SOURCES)
    code = nb.unique_index(APP_SOURCES, "# section 4's count on block 0, line by line")
    assert "1.4x more; uniform-A formula: 1.3 % from autograd" in nb.printed(APP_CELLS[code])
    assert "1.7x with K - Kbar, 2.8x with K" in nb.printed(APP_CELLS[code])
    assert nb.hidden(APP_CELLS[code + 1]) and "(0.064, 1.7, 2.8)" in APP_SOURCES[code + 1]
    assert nb.unique_index(APP_SOURCES, "### I ·") < nb.unique_index(
        APP_SOURCES, "**Section 4's count, line by line.**"
    )


def test_item_4_and_8_the_gap_at_a_standard_width_and_goal_3_qualified():
    assert "3. Gradient norms per layer: at timm's init, in this D = 32 model, q and k rows" in nb.flat(SOURCES[0])
    surprise = _text("The right panel holds a surprise")
    said = "; at D = 768 with 12 heads (ViT-B's; one fresh block, 3 seeds) it is 14 to 16 times on these digits, "
    assert said + "8 to 10 on 224 px digits, 129 to 143 on noise." in surprise
    printed = nb.all_printed(APPENDIX)
    assert "D = 768, 12 heads:  14 to  16" in printed and "129 to  143" in printed and "8 to   10" in printed


def test_item_5_fresh_vit_ti_by_depth_without_a_causal_claim():
    fresh = _text("**Fresh against trained copies of this architecture**")
    assert "block 0's share is 84-89 % and block 11's 4-9 % (appendix F)" in fresh
    assert "in these fresh models the share is larger the more blocks lie above" in fresh
    assert "because" not in fresh.split("block 11's")[1].split(".")[0]
    assert "block 0: 84 to 89 %; block 11: 4 to 9 %" in nb.all_printed(APPENDIX)
    bullets = nb.flat(SOURCES[nb.unique_index(SOURCES, "**Answer to the question:**")])  # 24c: one Summary cell
    assert (
        "ViT-Ti-shaped model (12 blocks, MLP 4D, timm init; 3 seeds, 64 digits in one gradient): 84-89 % in block 0"
        in bullets
    )


def test_main_path_stays_within_the_cap():
    main, words = _main_path()
    assert len(main) <= 40 and words <= 2392
