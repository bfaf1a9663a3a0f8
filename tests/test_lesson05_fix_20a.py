"""Lesson 05, review r19e (fixes 20a): the fixed-patch N sweep (appendix B), the factor-chain chart in section 4,
the solutions notebook's parts, and what Noci et al. 2022 state next to the lesson's width law."""

from __future__ import annotations

import pytest

from tests import _notebook as nb

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "05_where_gradients_flow_solutions.ipynb"


def test_fixed_patch_sweep_is_printed_checked_and_read_in_appendix_b():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    at = nb.unique_index(sources, "fixed_patch = {}")
    appendix_b = nb.unique_index(sources, "### B · Ten times larger weights")
    appendix_c = nb.unique_index(sources, "### C · The same ratio")
    assert appendix_b < at < appendix_c
    printed = nb.printed(cells[at])
    assert "patch 2 fixed, digits resized to 8 / 14 / 28 px (N = 17 / 50 / 197): " in printed
    assert "(N = 17 / 50 / 197): 19 to 22; 23 to 29; 19 to 25" in printed
    assert "patch 4 fixed, digits resized to 16 / 28 / 56 px (N = 17 / 50 / 197): " in printed
    assert "(N = 17 / 50 / 197): 10 to 18; 10 to 13; 14 to 21" in printed
    check = cells[at + 1]
    assert nb.hidden(check) and "(2, 17): (19, 22)" in nb.source(check) and "(4, 197): (14, 21)" in nb.source(check)
    assert "(197 / 17) ** 0.5" not in nb.source(check)
    text = nb.flat(sources[at + 3])
    assert text.startswith("Holding the patch size fixed and resizing the digits separates the two")
    assert "At a fixed patch size N changes it little and not in one direction" in text
    assert "smaller patches raise the ratio" in text
    assert "19 to 22, 23 to 29 and 19 to 25" in text and "10 to 18, 10 to 13 and 14 to 21" in text
    assert "sqrt" not in text and "\\sqrt N" not in nb.flat(sources[at + 2])


def test_section_3_keeps_one_sentence_and_no_sweep():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    section_3 = nb.unique_index(sources, "## 3 · Gradient norms")
    section_4 = nb.unique_index(sources, "## 4 · Inside attention")
    main = "\n".join(sources[section_3 : section_4 + 1])  # section 4's heading opens the same cell
    assert "width_ratio" not in main and "by_tokens" not in main and "Is that true of any ViT?" not in main
    assert "the appendix measures width and input (B)" in nb.flat(main)  # 21a: cell 21 in one sentence


def test_factor_chain_chart_sits_in_section_4_with_appendix_i_numbers():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    at = nb.unique_index(sources, "plot_factor_chain(chain")
    section_4 = nb.unique_index(sources, "## 4 · Inside attention")
    section_5 = nb.unique_index(sources, "## 5 · Cut the MLP route")
    assert section_4 < at < section_5
    assert "**What this says about the question.**" in sources[at - 1]
    assert 'save_figure(fig, "05_factor_chain")' in sources[at]
    printed = nb.printed(
        cells[nb.unique_index(sources, "# section 4's count on block 0, line by line")]
    )  # 24c: the count moved to appendix I
    for number in ("1/459", "1/319", "1.4x", "1.3 %"):  # 23b: two lines; the chart draws the rest
        assert number in printed, number
    for pinned in ("(0.103, 0.058, 2.8)", "(78, 4.0, 314)"):
        assert pinned in sources[at + 1], pinned
    assert nb.hidden(cells[at + 1]) and "(459, 319, 4.1)" in sources[at + 1]
    assert any(o.get("output_type") in ("display_data", "execute_result") for o in cells[at]["outputs"])


def test_factor_chain_helper_draws_two_log_panels():
    torch = pytest.importorskip("torch")
    from vit_explained.data import load_digits
    from vit_explained.gradient_experiments import qk_factor_chain, small_digit_vit
    from vit_explained.plotting.lesson05 import plot_factor_chain

    digits = load_digits()
    with torch.random.fork_rng():
        chain = qk_factor_chain(small_digit_vit(), digits.train_images[:64], digits.train_labels[:64])
    assert round(1 / chain["M"]) == 459 and round(chain["dW_v / dW_q"]) == 314
    fig = plot_factor_chain(chain)
    assert [ax.get_yscale() for ax in fig.axes] == ["log", "log", "log"]  # 22a: sizes and ratios to dO split


def test_what_this_says_is_split():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    what = nb.flat(sources[nb.unique_index(sources, "**What this says about the question.**")])
    assert "Noci" not in what and "$\\operatorname{diag}(a)" not in what
    assert "the chart below draws it factor by factor (appendix I counts it)" in what  # 20c: one sentence


def test_noci_sentence_states_only_the_abstract():
    text = nb.flat("\n".join(nb.sources(LESSON) + nb.sources(APPENDIX)))
    # 21a (cut round): the abstract's unchecked side remark is gone; the paper's result stays beside the chart
    assert "Their abstract adds" not in text and "was not checked here" not in text
    assert "the gradients of the queries and keys vanish at initialisation" in text


def test_solutions_print_the_exercise_parts():
    cells = nb.cells(SOLUTIONS)
    assert "lesson05.PARTS" in nb.source(cells[1]) and "PARAMETER_PARTS" not in nb.source(cells[1])
    assert "'norm1'" in nb.printed(cells[1]) and "'norms'" not in nb.printed(cells[1])


def test_appendix_i_checks_the_chart_against_its_own_count():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    check = sources[nb.unique_index(sources, "assert round(averaging, 1) == 2.8")]
    assert 'chain["M"] / entry_size(m)' in check and 'chain["dW_v / dW_q"] / weight_ratio' in check
