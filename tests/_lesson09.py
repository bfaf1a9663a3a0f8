"""Lesson 09's tests read the lesson and its appendix notebook as one list of cells.

Appendices A-C and three side parts of the main path (Hugging Face's eager path, the shipped checkpoints, how
alike the two maps are) live in ``09_deit_distillation_appendix.ipynb``. ``cells(LESSON)`` is the lesson's cells
followed by the appendix's, without the appendix's title, install and setup cells, so a check finds a moved
cell where it now lives; any other path reads as ``tests._notebook`` reads it.
"""

from __future__ import annotations

from pathlib import Path

from tests import _notebook
from tests._notebook import NOTEBOOKS, ROOT, flat, hidden, printed, source, unique_index

LESSON = NOTEBOOKS / "09_deit_distillation.ipynb"
APPENDIX = NOTEBOOKS / "09_deit_distillation_appendix.ipynb"
SETUP = 3  # the appendix's title, install and setup cells, not part of the joined list

__all__ = ["APPENDIX", "LESSON", "NOTEBOOKS", "ROOT", "all_printed", "all_text", "cells", "flat", "hidden"]
__all__ += ["printed", "source", "sources", "unique_index"]


def cells(path: Path) -> list[dict]:
    """The notebook's cells; for the lesson, its cells then the appendix's (from its first section on)."""
    if Path(path).resolve() == LESSON.resolve():
        return _notebook.cells(LESSON) + _notebook.cells(APPENDIX)[SETUP:]
    return _notebook.cells(path)


def sources(path: Path) -> list[str]:
    return [source(cell) for cell in cells(path)]


def all_text(path: Path) -> str:
    return "\n".join(sources(path))


def all_printed(path: Path) -> str:
    code = [cell for cell in cells(path) if cell["cell_type"] == "code"]
    return "\n".join("".join(output.get("text", "")) for cell in code for output in cell["outputs"])
