"""Read a stored lesson notebook in tests: one copy of the helpers every lesson test file needs.

The tests read the notebook JSON as stored (its outputs are the executed run), never execute it.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def cells(path: Path) -> list[dict]:
    """The notebook's cells as stored (dicts with "cell_type", "source", "outputs", "metadata")."""
    return json.loads(Path(path).read_text())["cells"]


def source(cell: dict) -> str:
    """A cell's source as one string."""
    return "".join(cell["source"])


def sources(path: Path) -> list[str]:
    """Every cell's source, in order."""
    return [source(cell) for cell in cells(path)]


def flat(text: str) -> str:
    """Whitespace collapsed to single spaces, so a test can quote a sentence that wraps."""
    return " ".join(text.split())


def printed(cell: dict) -> str:
    """What a code cell printed (its stream outputs), as one string; "" for a markdown cell."""
    return "".join("".join(output.get("text", "")) for output in cell.get("outputs", []))


def all_text(path: Path) -> str:
    """Every cell's source joined by newlines."""
    return "\n".join(sources(path))


def all_printed(path: Path) -> str:
    """Every code cell's outputs' text, one output after another, joined by newlines."""
    code = [cell for cell in cells(path) if cell["cell_type"] == "code"]
    return "\n".join("".join(output.get("text", "")) for cell in code for output in cell["outputs"])


def unique_index(sources: list[str], text: str) -> int:
    """The index of the one source that contains ``text`` (fails, naming the hits, when there are none or several)."""
    hits = [i for i, s in enumerate(sources) if text in s]
    assert len(hits) == 1, (text, hits)
    return hits[0]


def hidden(cell: dict) -> bool:
    """Is the cell a folded check (tagged hide-input)?"""
    return "hide-input" in cell["metadata"].get("tags", [])


def main_path(path: Path) -> list[dict]:
    """The lesson's main path: its visible cells (not folded checks) before the Summary heading."""
    visible = [c for c in cells(path) if not hidden(c)]
    end = next(
        i for i, c in enumerate(visible) if c["cell_type"] == "markdown" and re.match(r"#+ .*Summary", source(c))
    )
    return visible[:end]


def markdown_words(notebook_cells: list[dict]) -> int:
    """Words in the markdown cells among ``notebook_cells``: whitespace-separated tokens, except a table's pipes and
    rules (a token of only ``|``, ``-`` and ``:`` holding a pipe), so a table counts the same however it is spaced."""
    return sum(
        sum(1 for token in source(c).split() if not ("|" in token and set(token) <= set("|-:")))
        for c in notebook_cells
        if c["cell_type"] == "markdown"
    )


@functools.cache
def sections_by_heading(path: Path) -> dict[str, dict[str, str]]:
    """Heading line -> that section's prose ("md"), code, folded-check code ("hidden"), outputs ("printed": streams
    and text/plain results) and streams alone ("stream": what ``print`` wrote).

    A section runs from one markdown heading line to the next, across cells; "(top)" is what comes before the first.
    """
    found: dict[str, dict[str, list[str]]] = {}
    kinds = ("md", "code", "hidden", "printed", "stream")
    current = found.setdefault("(top)", {kind: [] for kind in kinds})
    for cell in cells(path):
        text = source(cell)
        if cell["cell_type"] == "markdown":
            for line in text.splitlines(keepends=True):
                if line.startswith("#"):
                    current = found.setdefault(line.strip(), {kind: [] for kind in kinds})
                current["md"].append(line)
            continue
        current["code"].append(text)
        if hidden(cell):
            current["hidden"].append(text)
        outputs = cell.get("outputs", [])
        current["stream"].append(printed(cell))
        current["printed"].append(
            "".join(printed(cell)) + "".join("".join(o.get("data", {}).get("text/plain", "")) for o in outputs)
        )
    return {h: {k: "\n".join(v) for k, v in parts.items()} for h, parts in found.items()}
