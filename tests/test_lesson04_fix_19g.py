"""Lesson 04, fix 19g (review r19d_04): pre-norm ViTs still warm up (ViT 10k steps, DeiT 5 epochs); the Monte-Carlo
'±' is one standard error; timm's DropPath schedule is Huang et al.'s shifted by one block and stretched; the parallel
block credited to GPT-J, PaLM and ViT-22B with appendix M; attention reweights only whole head slices."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"


def _text(start: str) -> str:
    cell = next(c for c in nb.cells(LESSON) if nb.source(c).startswith(start))
    return " ".join(nb.source(cell).split())


def test_pre_norm_still_warms_up_in_practice() -> None:
    appendix = nb.sources(nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb")  # 21a: moved to appendix A
    head = " ".join(appendix[nb.unique_index(appendix, "**Why pre-norm won, which models")].split())
    assert 'Yet ViT warms up 10k steps and DeiT 5 epochs: "needs none" does not follow.' in head


def test_plus_minus_is_one_standard_error() -> None:
    text = _text("**Why this shape: a gate")
    assert "each mean ± one standard error, e.g. -0.0458 ± 0.0007" in text


def test_drop_path_schedule_shifted_and_stretched() -> None:
    cell = next(c for c in nb.cells(LESSON) if "**Two more things timm" in nb.source(c))  # 24d: merged cell
    text = " ".join(nb.source(cell).split())
    assert "shifted by one block and stretched" in text
    assert "`linspace(0, r, L)`" in text
    assert "$(\\ell/L)\\,r$" in text


def test_parallel_block_sources_named() -> None:
    missing = _text("## What this lesson does not show")
    assert "from GPT-J, PaLM and ViT-22B: appendix M" in missing
    exercise = _text("### Exercise 4 · A parallel block")
    for name in ("GPT-J 2021", "PaLM (Chowdhery et al. 2022)", "ViT-22B (Dehghani et al. 2023)", "appendix M"):
        assert name in exercise


def test_attention_reweights_whole_head_slices_only() -> None:
    text = next(
        " ".join(nb.source(c).split())
        for c in nb.cells(LESSON)
        if "only step with an input-dependent gate on single features" in " ".join(nb.source(c).split())  # 21f
    )  # 21a: the argument itself is appendix N's; the lesson keeps one line and the pointer
    assert "(why LayerNorm and attention cannot: appendix N)" in text
