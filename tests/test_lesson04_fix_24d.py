"""Lesson 04, review r24c_04: the Summary's post-norm bullet says what section 6a's per-block picture shows (no
"clean identity path"); 6a names the qkv init and calls -0.5 the bound's rate; 6b's table became one sentence per
arm; 6c says its regime is not Xiong et al.'s; section 6 and the Summary quote no intervals (printed only), one
appendix pointer per part; the 2-128-block product moved to appendix A; the main path did not grow."""

from __future__ import annotations

import math
import re

import torch

from tests import _notebook as nb
from vit_explained import Block
from vit_explained.norm_placement import xavier_init

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"
INTERVAL = re.compile(r"\[[-+]?\d")
POINTER = re.compile(r"\bappendix\b", re.IGNORECASE)  # not the notebook's file name in a link


def _between(sources: list[str], start: str, end: str) -> list[str]:
    return sources[nb.unique_index(sources, start) : nb.unique_index(sources, end)]


def _summary() -> str:
    sources = nb.sources(LESSON)
    return sources[nb.unique_index(sources, "## Summary")]


def test_profile_picture_in_6a_printed_and_asserted() -> None:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    at = nb.unique_index(sources, "profiles = cached_gradient_profiles(16, seeds)")
    assert nb.unique_index(sources, "**Answer 6a.**") < at < nb.unique_index(sources, "**6b · What makes")
    assert "plot_gradient_profile(profiles)" in sources[at] and 'save_figure(fig, "04_gradient_profile")' in sources[at]
    printed = nb.printed(cells[at])
    assert "pre-norm: block 15 / block 0, per seed: 0.25, 0.20, 0.27" in printed
    assert "post-norm: block 15 / block 0, per seed: 0.88, 0.41, 1.11" in printed
    assert any("image/png" in output.get("data", {}) for output in cells[at]["outputs"])
    check = sources[at + 1]
    assert nb.hidden(cells[at + 1]) and "assert all(0.15 < r < 0.3 for r in pre_ratio)" in check
    assert "assert min(post_ratio) < 1 < max(post_ratio)" in check
    answer = nb.flat(sources[at + 2])
    assert answer.startswith("Pre-norm's gradient at block 15 is 0.20-0.27 times block 0's, on every seed;")
    assert "post-norm's shows no consistent direction." in answer
    # shown once: appendix J prints the ratios, the lesson draws the picture
    assert not any("plot_gradient_profile(" in s for s in nb.sources(APPENDIX))
    saved = [s for path in (LESSON, APPENDIX) for s in nb.sources(path) if '"04_gradient_profile"' in s]
    assert len(saved) == 1


def test_summary_bullet_says_what_the_picture_shows() -> None:
    summary = nb.flat(_summary())
    assert "identity path" not in summary
    bullet = summary[summary.index("**Post-norm**") : summary.index("**At initialisation**")]
    assert "pre-norm's `fc2` gradient at the last block is 0.20-0.27 times the first block's" in bullet
    assert "post-norm's shows no consistent direction over 3 seeds" in bullet


def test_6a_names_the_qkv_init_and_the_bound_rate() -> None:
    sources = nb.sources(LESSON)
    head = nb.flat(sources[nb.unique_index(sources, "**6a · The gradient against depth.**")])
    assert "`xavier_init` draws `qkv` as three D x D matrices, bound $\\sqrt{6/2D}$" in head
    blocks = [Block(64, heads=4, mlp_dim=256)]
    torch.manual_seed(0)
    xavier_init(blocks)
    bound, qkv = math.sqrt(6 / (2 * 64)), blocks[0].attn.qkv.weight
    assert qkv.abs().max() <= bound and qkv.abs().max() > 0.95 * bound  # the stated bound, not sqrt(6 / 4D)
    answer = nb.flat(sources[nb.unique_index(sources, "**Answer 6a.**")])
    assert "$-0.5$ is the rate of Xiong et al.'s bound, not an expected value." in answer
    assert "with std-0.02 weights, appendix B finds no detectable fall" in head  # 24f: in 6a's set-up, tightened
    assert "timm            0.16  0.16  0.16  0.32   L^-0.044 [-0.104, +0.017]" in nb.all_printed(APPENDIX)


def test_6b_one_sentence_per_arm_no_table() -> None:
    sources = nb.sources(LESSON)
    text = sources[nb.unique_index(sources, "**6b · What makes pre-norm's fall?**")]
    assert "| arm |" not in text and "|---|" not in text
    for arm, rules_out in (
        ("**No final step** removes the division", "the blocks alone do not make the fall"),
        ("**/ 1.33** ($\\sigma$ at L = 2) keeps a division, not its growth", "a fixed divisor does not make it"),
        ("**/ 1.33 after centring** also centres", "the centring does not make it either"),
    ):
        line = next(line for line in text.splitlines() if line.startswith(arm))
        assert f"if flat, {rules_out}." in line


def test_6c_names_the_regime_gap_with_xiong() -> None:
    answer = nb.flat(nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "**Answer 6c.**")])
    assert "This regime (Adam at 5e-3, a warm-up of 50-150 of 300 steps) is not Xiong et al.'s" in answer
    assert "it does not contradict their finding that post-norm needs a warm-up." in answer


def test_section_6_and_summary_quote_no_intervals_one_pointer_per_part() -> None:
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    start, end = nb.unique_index(sources, "## 6 · Where the norm sits"), nb.unique_index(sources, "## 7 · Dropout")
    prose = [s for s, c in zip(sources[start:end], cells[start:end], strict=True) if c["cell_type"] == "markdown"]
    assert not any(INTERVAL.search(s) for s in prose)
    assert not INTERVAL.search(_summary()) and "appendix" not in _summary().lower()
    text = "\n".join(prose)
    parts = re.split(r"\*\*6[abc] · ", text)
    assert len(parts) == 4 and all(len(POINTER.findall(part)) <= 1 for part in parts)
    section4 = "\n".join(_between(sources, "## 4 · LayerNorm", "## 5 · The block"))
    assert len(POINTER.findall(section4)) == 1
    section7 = "\n".join(_between(sources, "## 7 · Dropout", "## Summary"))
    assert "the appendix checks both" not in section7


def test_product_moved_to_appendix_a() -> None:
    assert not any("product_slope = seed_slope(seeds_0_2)" in s for s in nb.sources(LESSON))
    appendix, cells = nb.sources(APPENDIX), nb.cells(APPENDIX)
    at = nb.unique_index(appendix, "product_slope = seed_slope(seeds_0_2)")
    assert nb.unique_index(appendix, "## A ·") < at < nb.unique_index(appendix, "## B ·")
    assert "L = 2: 10.4, L = 4: 9.5, L = 8: 9.5, L = 16: 10.6, L = 32: 9.6, L = 64: 9.7, L = 128: 9.6" in nb.printed(
        cells[at]
    )
    assert nb.hidden(cells[at + 1]) and "== (9.5, 10.6)" in appendix[at + 1]


def test_main_path_did_not_grow() -> None:
    visible = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    summary = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    main = visible[:summary]
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 56 and words < 2638, (len(main), words)
