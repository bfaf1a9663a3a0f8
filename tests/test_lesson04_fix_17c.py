"""Lesson 04, fix round 17c: Xiong et al.'s Theorem 1 as upper bounds, the ReLU swap's paired interval, the gate
study in appendix H, the stream growth's two fits with residuals, the designs' shared seeds, and one token followed
through a block."""

import re
from pathlib import Path

import nbformat
import torch

from vit_explained import Block
from vit_explained.plotting.lesson04 import plot_token_through_block, token_through_block

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSON = NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"


def _cells(path: Path = LESSON) -> list:
    return nbformat.read(path, as_version=4).cells


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs)


def test_theorem_one_is_stated_as_upper_bounds() -> None:
    source = " ".join(next(c.source for c in _cells() if c.source.startswith("## 6 ·")).split())
    assert "Theorem 1 gives upper bounds, with high probability under their assumptions" in source
    assert r"$O(d\sqrt{\ln d})$ for post-norm" in source and r"$O(d\sqrt{\ln d / L})$ for pre-norm" in source


def test_gate_study_lives_in_appendix_h_with_its_figure() -> None:
    lesson = _cells()
    assert not any("plot_token_gates(" in c.source for c in lesson)
    assert any("**H** the MLP gates on one digit" in c.source for c in lesson)  # fix 19c: in the list of section 7
    appendix = _cells(APPENDIX)
    start = next(i for i, c in enumerate(appendix) if c.source.startswith("## H ·"))
    end = next(i for i, c in enumerate(appendix) if c.source.startswith("## I ·"))
    assert sum('save_figure(fig, "04_mlp_gates")' in c.source for c in appendix[start:end]) == 1


def test_stream_growth_prints_both_fits_residuals() -> None:
    appendix = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells  # 18d
    cell = next(c for c in appendix if "line_miss = [" in c.source)
    text = _text(cell)
    assert "a + b L      = 8.2 + 1.33 L;  residuals: -0.10, -0.03, +0.23, -0.09" in text
    assert "residuals: +0.94, -0.60, -1.05, +0.71" in text
    assert not any("stream_growth_summary(" in c.source and "plot_final_norm_ablation(" in c.source for c in _cells())


def test_shared_seeds_said_paired_and_welch_conservative() -> None:
    details = next(c.source for c in _cells(APPENDIX) if "<summary>How it was measured" in c.source)  # 18c, 20e
    flat = " ".join(details.split())
    assert "The two designs share seeds" in flat and "conservative" in flat


def test_token_through_block_matches_the_block() -> None:
    torch.manual_seed(0)
    block = Block(16, heads=2, mlp_dim=64).eval()
    x = torch.randn(1, 5, 16)
    steps = token_through_block(block, x, token=3)
    assert next(iter(steps)) == "input x" and list(steps)[-1] == "+ mlp: output" and len(steps) == 9
    with torch.no_grad():
        out = block(x)[0, 3]
        normed = block.norm1(x[0, 3])
    assert abs(steps["+ mlp: output"] - out.pow(2).mean().sqrt().item()) < 1e-6
    assert abs(steps["norm1"] - normed.pow(2).mean().sqrt().item()) < 1e-6
    fig = plot_token_through_block(steps)
    assert len(fig.axes) == 1 and len(fig.axes[0].patches) == 9


def test_token_picture_is_in_appendix_l_with_its_check_and_section_five_points_to_it() -> None:
    cells = _cells(APPENDIX)  # round 18c: moved out of the main path, to appendix L
    at = next(i for i, c in enumerate(cells) if 'save_figure(fig, "04_token_through_block")' in c.source)
    assert "hide-input" in cells[at + 1].metadata.get("tags", [])
    start = next(i for i, c in enumerate(cells) if c.source.startswith("## L ·"))
    end = next(i for i, c in enumerate(cells) if c.source.startswith("## M ·"))
    assert start < at < end
    main = _cells()
    five = next(i for i, c in enumerate(main) if c.source.startswith("## 5 ·"))
    six = next(i for i, c in enumerate(main) if c.source.startswith("## 6 ·"))
    seven = next(i for i, c in enumerate(main) if c.source.startswith("## 7 ·"))
    assert any("**L** follows one token" in c.source for c in main[seven:])  # fix 19c: the pointers in one list
    assert five < six
    assert not any("04_token_through_block" in c.source for c in main)


def test_mlp_paragraph_has_the_n_token_sentence() -> None:
    # fix 19b: the aside moved to appendix N with its check
    prose = next(c.source for c in _cells(APPENDIX) if c.source.startswith("## N · Why an MLP at all?"))
    assert re.search(r"With N tokens, one head's output for token \$i\$", prose)
