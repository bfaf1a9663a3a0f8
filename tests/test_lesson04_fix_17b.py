"""Lesson 04, fix round 17b: the gate count beside its random-gate baseline, one printed line for the ReLU swap and
the trained seeds, the depth probe's stacks independent per (seed, depth), section 6's statistics folded, and the
block as a class near the top of section 5."""

import re
from pathlib import Path

import nbformat
import torch

from vit_explained.norm_placement import _random_stack

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "04_gelu_mlp_and_block.ipynb"


def _cells() -> list:
    return nbformat.read(LESSON, as_version=4).cells


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs)


def _visible_words(source: str) -> int:
    return len(re.sub(r"<details>.*?</details>", "", source, flags=re.S).split())


def test_gate_count_claims_no_selectivity() -> None:
    """Fix round 17c: the gate study moved to appendix H; its prose still claims no token selectivity."""
    cells = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells
    at = next(i for i, c in enumerate(cells) if "gate = mlp_gates(gate_model, digit, block=0)" in c.source)
    assert "67 of 128\nindependent random gates at these rates: 73.2 ± 5.6" in _text(cells[at])
    prose = next(c.source for c in cells if c.source.startswith("Each token opens a minority of the units"))
    assert "no detectable departure" in prose and "a look at the mechanism" not in prose


def test_relu_swap_and_trained_seeds_printed() -> None:
    """Fix round 17c: the swap's paired difference with its interval replaces McNemar's p in the visible lines.
    Fix 19c: the swap moved, with its checks, to appendix C."""
    appendix = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells
    cell = next(c for c in appendix if c.source.startswith("swap = stored_mlp_knockout()"))
    lines = _text(cell).strip().splitlines()
    assert len(lines) == 3 and "22 of 1,000 predictions changed" in lines[0] and "97.4 -> 96.4 %" in lines[0]
    assert "GELU - ReLU: +1.0 points, 95 % interval [+0.1, +1.9]" in lines[1] and "McNemar" not in _text(cell)
    assert not any(c.source.startswith("swap = stored_mlp_knockout()") for c in _cells())  # fix 19c
    assert "over 3 seeds: -1.4..+1.4 points" in lines[2]


def test_depth_stacks_share_no_block() -> None:
    for seed in (0, 1, 2):
        short, deep = _random_stack(2, seed, 64, True), _random_stack(16, seed, 64, True)
        assert not torch.equal(short[0][0].mlp.fc2.weight, deep[0][0].mlp.fc2.weight)
    appendix = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells  # 20e
    details = next(c.source for c in appendix if "<summary>How it was measured" in c.source)  # 18c: first words cut
    assert "the 12 points are independent" in details


def test_section_six_short_with_statistics_folded() -> None:
    cells = _cells()
    start = next(i for i, c in enumerate(cells) if c.source.startswith("## 6 · Where the norm sits"))
    end = next(i for i, c in enumerate(cells) if c.source.startswith("## 7 ·"))
    markdown = [c.source for c in cells[start:end] if c.cell_type == "markdown"]
    assert sum(_visible_words(s) for s in markdown) < 480  # 760 before this round
    visible = "\n".join(re.sub(r"<details>.*?</details>", "", s, flags=re.S) for s in markdown)
    for folded in ("Welch", "Fisher", "pooled", "13.9", "LLaMA"):
        assert folded not in visible, folded
    assert "(the arms below test this)" in " ".join(visible.split()) and "fit by hand" not in visible  # 18d, 20a
    shown = "".join(_text(c) for c in cells[start:end] if c.cell_type == "code")
    assert "3 of 3 / 0 of 3" in shown  # round 17e: the counts the prose quotes print as plain text (18a: a table)


def test_block_class_near_the_top_of_section_five() -> None:
    """Round 18a: the block as a class, stacked, moved to appendix K; section 5 keeps a pointer near its top."""
    cells = _cells()
    start = next(i for i, c in enumerate(cells) if c.source.startswith("## 5 · The block"))
    at = next(i for i, c in enumerate(cells) if "appendix K prints" in c.source)  # 21a
    assert start <= at < start + 6 and not any(c.source.startswith("## Recap") for c in cells)
    appendix = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells
    assert any(c.source.startswith("class RecapBlock(nn.Module):") for c in appendix)


def test_checker_messages_name_the_slip_without_the_answer() -> None:
    import math

    import pytest

    from vit_explained.exercises import ExerciseFailed, lesson04

    with pytest.raises(ExerciseFailed, match=r"phi\(x\) alone: .*Phi\(x\)"):
        lesson04.check_gelu_slope(lambda x: torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi))
    with pytest.raises(ExerciseFailed, match=r"the term Phi\(x\) is missing"):
        lesson04.check_gelu_slope(lambda x: x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi))
    suspects = lesson04._post_norm_suspects(lesson04.Block(8, heads=2, mlp_dim=16), torch.randn(1, 3, 8))
    assert "norm1(x + attn(x))" not in suspects[0][1]  # the pre-norm slip's message does not hand out the answer
