"""Lesson 01 fix round 17c: section 8 quotes the paper's "without strong regularization" and names DeiT's recipe;
the headline evidence is printed by visible cells; sections 6-7 are slim with one appendix pointer each; a stored
benchmark (digits anywhere on a canvas, three seeds) gives a second learned table, drawn beside the shipped one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import torch

from tests import _notebook as nb
from tests._notebook import printed as _printed
from tests._notebook import source as _source
from vit_explained.plotting.lesson01 import plot_position_similarity_pair
from vit_explained.positional import position_structure_report, stored_shifted_positions

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "01_patches_and_embeddings.ipynb"
CANVAS = "lesson01_canvas_positions.safetensors"


def _cells() -> list[dict]:
    return nb.cells(LESSON)


def _hidden(cell: dict) -> bool:
    return "hide-input" in cell.get("metadata", {}).get("tags", [])


def _sections() -> dict[str, str]:
    out, name = {}, ""
    for cell in _cells():
        text = _source(cell)
        if cell["cell_type"] == "markdown" and text.startswith("## "):
            name = text.splitlines()[0]
        if cell["cell_type"] == "markdown":
            out[name] = out.get(name, "") + "\n" + text
    return out


def test_section_8_quotes_the_regularisation_caveat_and_deits_recipe() -> None:
    text = next(v for k, v in _sections().items() if k.startswith("## 8 "))
    assert '"without strong regularization"' in text
    assert "81.8 %" in text and "recipe" in text and "extra" in text


def test_the_headline_differences_are_printed_by_a_visible_cell_right_before_the_claim() -> None:
    cells = _cells()
    claim = next(i for i, c in enumerate(cells) if _source(c).startswith("**In one sentence**"))  # 24f: the rest moved
    printer = next(i for i, c in enumerate(cells) if "paired_difference(bilinear, one_d" in _source(c))
    assert not _hidden(cells[printer]) and printer < claim
    assert all(c["cell_type"] == "code" and _hidden(c) for c in cells[printer + 1 : claim])  # only hidden checks
    assert "+45.8 points, 99 % interval [+41.6, +50.2]" in _printed(cells[printer])


def test_the_equivariance_line_is_visible() -> None:
    line = "encoder(shuffled) == shuffle(encoder(x)), to float32 rounding: True"
    appendix = nb.cells(LESSON.with_name("01_patches_and_embeddings_appendix.ipynb"))  # 22c: moved to appendix C
    assert any(line in _printed(c) and not nb.hidden(c) for c in appendix)


def test_one_appendix_pointer_per_section() -> None:
    for name, text in _sections().items():
        if name.startswith("## ") and not name.startswith("## Summary"):
            links = set(re.findall(r"\]\(01_patches_and_embeddings_appendix\.ipynb#appendix-[a-e]\)", text))
            paragraphs = [p for p in text.split("\n\n") if "01_patches_and_embeddings_appendix.ipynb" in p]
            assert len(paragraphs) <= 1, (name, len(links), paragraphs)


def test_section_6_prints_two_lines_under_the_shipped_table() -> None:
    # 19c: one table; 20a: moved to appendix A as the family of 20
    appendix = nb.cells(LESSON.with_name("01_patches_and_embeddings_appendix.ipynb"))
    report = next(c for c in appendix if "reports_20 = {name: position_structure_report(" in _source(c))
    lines = _printed(report).strip().splitlines()
    assert len(lines) == 7  # header, 5 tables, the column means (19d: the widths line is gone)
    assert lines[1].startswith(
        "shipped, 7 x 7       +0.37 [+0.10, +0.62]*   +0.08 [-0.09, +0.29]    +0.29 [-0.04, +0.59]"
    )


def test_the_canvas_tables_are_stored_in_float16_for_three_seeds() -> None:
    from safetensors import safe_open

    path = ROOT / "vit_explained" / "checkpoints" / CANVAS
    with safe_open(str(path), framework="pt") as handle:
        assert sorted(handle.keys()) == ["seed0", "seed1", "seed2"]
        names = sorted(handle.keys())
        assert all(handle.get_tensor(k).dtype == torch.float16 for k in names)
    stored = json.loads((ROOT / "benchmarks" / "results" / "lesson01_canvas.json").read_text())
    for name, (table, record) in stored_shifted_positions(CANVAS).items():
        assert tuple(table.shape) == (1, 37, 64) and record == stored[name]
        report = position_structure_report(table, (6, 6), confidence=0.99)
        d = report.differences["same column - neither"].difference
        assert [round(v, 3) for v in (d.estimate, d.low, d.high)] == record["same column - neither"]
        assert report.inner_nearest_neighbour == record["inner_nearest_neighbour"]


def test_plot_position_similarity_pair_draws_both_grids() -> None:
    torch.manual_seed(0)
    fig = plot_position_similarity_pair({"a": (torch.randn(1, 50, 8), (7, 7)), "b": (torch.randn(1, 37, 8), (6, 6))})
    images = [ax.images[0].get_array().shape for ax in fig.get_axes() if ax.images]
    assert images == [(7 * 8 - 1, 7 * 8 - 1), (6 * 7 - 1, 6 * 7 - 1)]  # one mosaic per table, blank lines between maps
    plt.close(fig)
    with pytest.raises(ValueError, match="one or two"):
        plot_position_similarity_pair({})
