"""No notebook cell holds a control character: a sign of a "\\bar" or "\\tfrac" written in a normal Python string.

A script that edits a notebook with ``"... \\bar V ..."`` (not a raw string) stores a backspace, and ``"\\tfrac"`` or
``"\\top"`` a tab, where LaTeX was meant; the rendered markdown then shows "ar V" or a wide gap. This test reads every
notebook under notebooks/ (lessons, appendices, solutions) and names each notebook and cell that holds one.
Newline and carriage return are allowed everywhere; a tab only in code cells.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").rglob("*.ipynb"))
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # all but tab, newline and carriage return
CONTROL_OR_TAB = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f]")


def control_characters(notebook: dict) -> list[str]:
    """One line per cell with a forbidden character: cell index, type, the characters and their context."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        pattern = CONTROL if cell["cell_type"] == "code" else CONTROL_OR_TAB
        hits = list(pattern.finditer(source))
        if hits:
            context = ", ".join(repr(source[max(0, m.start() - 12) : m.end() + 12]) for m in hits[:3])
            found.append(f"cell {index} ({cell['cell_type']}): {len(hits)} control character(s), e.g. {context}")
    return found


def test_the_check_finds_a_backspace_and_a_markdown_tab():
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": "the small $V - \bar V$"},  # \b: a backspace, on purpose
            {"cell_type": "markdown", "source": ["$M = \tfrac1N$"]},  # \t: a tab, on purpose
            {"cell_type": "code", "source": "x = 1\tif True else 2\n"},  # a tab in code is allowed
            {"cell_type": "markdown", "source": r"$V - \bar V$, $\tfrac1N$, $K^\top$" + "\r\n"},
        ]
    }
    found = control_characters(notebook)
    assert [line.split(":")[0] for line in found] == ["cell 0 (markdown)", "cell 1 (markdown)"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.relative_to(p.parents[1]).as_posix() for p in NOTEBOOKS])
def test_no_control_characters_in_cells(path: Path):
    found = control_characters(json.loads(path.read_text(encoding="utf-8")))
    assert not found, f"{path.name}:\n" + "\n".join(found)
