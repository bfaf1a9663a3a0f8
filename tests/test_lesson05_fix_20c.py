"""Lesson 05, review r20b (fixes 20c): the main path's numbers cut to the chart and the Answer, the size of what
is left with every MLP route cut (||g_cut|| / ||g||) as a column of section 5's table, the width next to the
D = 32 gap, depth and width in the Answer, AMP's GradScaler beside clipping, a forward reference to section 4's
notation, and appendix I without a second copy of the chart's factor list."""

from __future__ import annotations

import re

import torch

from tests import _notebook as nb

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"


def _numbers(text: str) -> list[str]:
    """The numbers a sentence quotes (not the section, appendix and ablation labels)."""
    text = re.sub(r"\((?:appendix [A-I]|\d)\)|section \d|appendix [A-I]|[Bb]locks? \d|`[^`]*`|\$[^$]*\$", " ", text)
    return re.findall(r"-?\d+(?:\.\d+)?", text)


def test_section_4_keeps_the_formula_and_one_sentence():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    text = nb.flat(sources[nb.unique_index(sources, "**What this says about the question.**")])
    assert r"M = \tfrac1N \textstyle\sum_j K_j (V_j - \bar V)^\top" in text
    for number in ("1/320", "99.98", "1/4.1", "4.12", "Init ablations"):
        assert number not in text
    assert text.endswith(
        "as at std 0.02; the chart below draws it factor "  # 24c: M is a covariance over the tokens
        "by factor (appendix I counts it)."
    )


def test_cells_33_and_45_quote_at_most_three_numbers():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    chart = sources[nb.unique_index(sources, "Read the chart left to right")]
    chart = chart.split("A related mechanism is published")[0]  # 21c: the Noci paragraph's new first words
    chart = chart.split("`attention_backward` implements")[0]  # 21i: the Noci paragraph moved to appendix B
    bullets = sources[nb.unique_index(sources, "- **Freeze.**")].split("### The trained MNIST ViT")[0]
    assert len(_numbers(chart)) <= 3, _numbers(chart)
    assert len(_numbers(bullets)) <= 3, _numbers(bullets)


def test_cell_53_keeps_the_interval_and_the_replication_sentences():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    text = nb.flat(sources[nb.unique_index(sources, "**Fresh against trained copies of this architecture** (all 256")])
    before_widget = text.split("**Try it.**")[0]
    assert "3 trained runs of the same recipe" in before_widget  # 23b: new wording
    before_widget += nb.flat(sources[nb.unique_index(sources, "In this one checkpoint the share is above 50 %")])
    assert "86 to 95" not in before_widget and "94, 94 and 93" not in before_widget  # in the Answer
    assert "The interval covers batches of digits in this one checkpoint, not other training runs." in before_widget
    assert "That gap is measured at depth 4" not in before_widget


def test_cut_size_is_a_column_of_the_main_table_and_quoted():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    at = nb.unique_index(sources, "batch_share = [t_interval(")
    assert "trained_cut.qkv_cut_size" in sources[at]
    printed = nb.printed(cells[at])
    assert "trained ||g_cut|| / ||g||" in printed
    rows = [line.split() for line in printed.splitlines() if re.match(r"\s+[0-3]\s+\d+ %", line)][:4]
    assert [row[-2] for row in rows] == ["8", "23", "33", "53"]
    at = nb.unique_index(sources, "# one gradient over all 256 digits (appendix D")  # 23b: section 5's all-256 table
    rows = [line.split() for line in nb.printed(cells[at]).splitlines() if re.match(r"\s+[0-3]\s+\d+ %", line)]
    assert [row[-2] for row in rows] == ["8", "23", "33", "53"]
    assert nb.hidden(cells[at + 1]) and "assert cut_left == [8, 23, 33, 53]" in sources[at + 1]
    intro = nb.flat(sources[nb.unique_index(sources, "**Answer to the question:**")])  # 24a: the Answer first
    assert "with every MLP route cut, block 0's qkv keeps 8 % of its gradient" in intro  # 20e: plain words first
    assert "96/82/75/54 %" in nb.flat(sources[nb.unique_index(sources, "**Answer to the question:**")])  # 21c; 24c
    assert (
        "    1 |             23 % |" in nb.all_printed(LESSON)  # 22a: the Answer's printed table
    )  # 20e: named a second measure and "the MLP share, the projection of that part on $g$" in answer
    # appendix D reads the same package property
    assert "cut_size = trained_cut.qkv_cut_size" in sources[nb.unique_index(sources, "whole_share = [")]


def test_qkv_cut_size_is_the_length_of_the_cut_gradient():
    from vit_explained.gradient_experiments import small_digit_vit
    from vit_explained.gradient_hooks import cut_mlp_route, mlp_route_cut

    torch.manual_seed(0)
    images, labels = torch.rand(8, 1, 8, 8), torch.randint(0, 10, (8,))
    result = mlp_route_cut(lambda: small_digit_vit(1), images, labels)
    whole, severed = small_digit_vit(1), small_digit_vit(1)
    torch.nn.functional.cross_entropy(whole(images), labels).backward()
    with cut_mlp_route(severed):
        torch.nn.functional.cross_entropy(severed(images), labels).backward()
    direct = [
        (b.attn.qkv.weight.grad.double().norm() / a.attn.qkv.weight.grad.double().norm()).item()
        for a, b in zip(whole.blocks, severed.blocks, strict=True)
    ]
    got = result.qkv_cut_size
    assert all(abs(x - y) < 1e-4 for x, y in zip(got, direct, strict=True)), (got, direct)


def test_the_width_sits_beside_the_d_32_gap():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    short = nb.flat(sources[nb.unique_index(sources, "## 3 · Gradient norms per layer")])
    assert (
        "the q and k rows of qkv get hundreds of times less gradient than the v rows" in short  # 21a: shorter
    )
    surprise = nb.flat(sources[nb.unique_index(sources, "The right panel holds a surprise")])
    assert (
        "at least 232 times less gradient than the v rows** on this seed "
        "(185 to 464 over 3 seeds x 4 blocks, appendix B);"
        in surprise  # 22a: no (printed) tags; 22j: seed 0, with appendix B's 3-seed range
        and "the appendix measures width and input (B)" in surprise
    )
    text = nb.flat(sources[nb.unique_index(sources, "The right panel holds a surprise")])
    assert "ViT-B's width" not in text  # 21a: the width caveat is appendix B's (below), said once
    appendix_b = nb.flat(sources[nb.unique_index(sources, "Hundreds of times holds")])
    assert "Hundreds of times holds at D = 32 only" in appendix_b
    assert "the ratio is 14 to 16 (printed)" in "\n".join(sources)
    assert "D = 768, 12 heads:  14 to  16" in (nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX))


def test_answer_says_depth_raises_it_and_names_the_width():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    answer = nb.flat(sources[nb.unique_index(sources, "**Answer to the question:**")])
    assert "Depth drives" not in answer and "appendix D measures depth" in answer  # 21a: three sentences
    depth = nb.flat(sources[nb.unique_index(sources, "Deeper, block 0's share at initialisation")])  # appendix D
    assert "72 to 79 % with 4 blocks" in depth and "(D = 32 and 64, at most 63 %)" in depth
    printed = nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    assert " 4 blocks: block 0 72 to 79 %" in printed


def test_gradscaler_beside_clipping_and_a_forward_reference():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    update = nb.flat(sources[nb.unique_index(sources, "**The update in detail.**")])  # 22g: moved to appendix E
    assert "unless you clip by the global norm or use AMP's `GradScaler`" in update
    tokens = nb.flat(sources[nb.unique_index(sources, "**Which tokens carry it?**")])
    assert "borrow section 4's notation" not in tokens  # 20e: moved after section 4, no forward reference


def test_appendix_i_has_no_second_factor_list():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    appendix_i = nb.unique_index(sources, "### I · Section 4's count")
    text = "\n".join(sources[appendix_i:])
    assert "- an entry of $K$ is 0.103" not in text and "- the sums over tokens and images" not in text
    assert "Section 4's chart draws this chain factor by factor on block 0" in text
    assert "Why 4:" in text  # the extra explanation stays


def test_the_share_definition_names_the_second_main_line_measure():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    text = nb.flat(sources[nb.unique_index(sources, "**The MLP share**")])
    assert "It is the one measure the main line uses" not in text
    # 23c: the small-model table (section 5) now prints it too
    assert "The tables below also give the length left after the cut, $\\lVert g_\\text{cut}\\rVert" in text


def _summary_block() -> str:  # 23d: cell 0's measures and numbers moved to the Summary, before the Answer
    sources = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    return sources[
        nb.unique_index(sources, "**Answer to the question:**")
    ]  # 24c: one Summary cell (24a: the Answer first)
