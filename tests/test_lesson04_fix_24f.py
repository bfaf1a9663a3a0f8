"""Lesson 04, review r24e_04: the init caveat sits in 6a's set-up, the widget names the linear growth, 6c quotes the
intervals' lower ends, and section 0 separates the figure's 196 patches from a block's N = 197."""

from tests import _notebook as nb

LESSON = nb.ROOT / "notebooks" / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.ROOT / "notebooks" / "04_gelu_mlp_and_block_appendix.ipynb"


def _section(text: str) -> str:
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, text)])


def test_6a_setup_states_the_std_002_caveat_before_the_result() -> None:
    head = _section("**6a · The gradient against depth.**")
    assert "Xavier-uniform weights" in head
    assert "with std-0.02 weights, appendix B finds no detectable fall at D = 64)" in head
    assert "appendix B finds" not in _section("**Answer 6a.**")  # said once, before the result
    appendix = nb.all_text(APPENDIX)  # appendix B's own wording
    assert "timm's ViT init (truncated normal, std 0.02" in nb.flat(appendix)
    assert "Timm's arm at D = 64 shows no detectable fall" in nb.flat(appendix)


def test_widget_sentence_says_linear_not_sqrt() -> None:
    text = _section("**Explore the stacks**")
    assert "The norm grows linearly, not as $\\sqrt{L}$;" in text
    assert "over 2-16 blocks that also gives about $L^{-0.5}$:" in text
    printed = nb.all_printed(APPENDIX)
    assert "||x_L|| ~ 8.2 + 1.33 L over 2-16 blocks; 1 / (8.2 + 1.33 L) goes as L^-0.48 there" in printed
    assert "a + b L      = 8.2 + 1.33 L;  residuals: -0.10, -0.03, +0.23, -0.09" in printed


def test_6c_and_summary_quote_the_interval_lower_ends() -> None:
    answer = _section("**Answer 6c.**")
    assert "pre-norm 64-71 points higher (every 95 % interval above +51)." in answer
    assert "every interval above 0" not in answer
    summary = nb.flat(nb.all_text(LESSON).split("## Summary")[1].split("## What this lesson")[0])
    assert "64-71 points higher at every warm-up (every 95 % interval above +51)" in summary
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    at = nb.unique_index(sources, 'save_figure(fig, "04_norm_training")')
    printed = nb.printed(cells[at])
    for row in ("+64.4 [+51.0, +77.8]", "+70.7 [+58.8, +82.6]", "+69.1 [+55.1, +83.1]"):
        assert row in printed
    check = nb.source(cells[at + 1])
    assert nb.hidden(cells[at + 1]) and "assert min(t.low for t in high.values()) > 0.51" in check


def test_section_0_separates_the_figure_patches_from_n() -> None:
    intro = _section("## 0 · The block at a glance")
    assert "(the figure counts 196 patches; a block sees all 197 tokens)." in intro
    assert "the figure's N: patches only" not in intro
