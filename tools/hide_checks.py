"""Fold every assertion cell of the lessons out of the learner's way, in every place a lesson is read.

    python3 tools/hide_checks.py            # rewrite the notebooks that need it (cell sources and metadata only)
    python3 tools/hide_checks.py --check    # exit 1 and name the cells that are not folded
    python3 tools/hide_checks.py notebooks/03_attention_shapes.ipynb   # only these notebooks

An assertion cell (tag ``hide-input``) checks the claim just above it. It is folded:
- in JupyterLab and Jupyter Notebook by ``metadata.jupyter.source_hidden``;
- in Google Colab by ``metadata.cellView = "form"`` with a ``# @title`` first line (Colab shows the title and
  hides the code; the line is a comment everywhere else);
- in the book by the tag itself (MyST-NB collapses ``hide-input`` cells behind a "Show code cell source" toggle).
Outputs and execution counts are left as they are, so nbval's stored outputs do not change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAG = "hide-input"
TITLE = "# @title A check of the claim above (hidden; run it as any cell)"


def _source(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def problems(cell: dict) -> list[str]:
    """What keeps one code cell tagged ``hide-input`` from being folded everywhere (empty when all is well)."""
    if cell["cell_type"] != "code" or TAG not in cell.get("metadata", {}).get("tags", []):
        return []
    found = []
    if not cell["metadata"].get("jupyter", {}).get("source_hidden"):
        found.append("metadata.jupyter.source_hidden is not true (JupyterLab shows the code)")
    if cell["metadata"].get("cellView") != "form" or not _source(cell).startswith("# @title "):
        found.append('no cellView "form" with a "# @title" first line (Colab shows the code)')
    return found


def fold(cell: dict) -> None:
    cell["metadata"].setdefault("jupyter", {})["source_hidden"] = True
    cell["metadata"]["cellView"] = "form"
    source = _source(cell)
    if not source.startswith("# @title "):
        source = f"{TITLE}\n{source}"
    lines = source.splitlines(keepends=True)
    cell["source"] = lines


def notebooks() -> list[Path]:
    return sorted(ROOT.glob("notebooks/[0-9][0-9]_*.ipynb")) + sorted(ROOT.glob("notebooks/solutions/*.ipynb"))


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):
        print(__doc__.split("\n\n")[1])  # the usage lines: --help only prints, it folds nothing
        return 0
    unknown = [arg for arg in argv if arg.startswith("-") and arg != "--check"]
    if unknown:
        print(f"hide_checks: unknown option {unknown[0]!r}: use --check, --help or notebook paths")
        return 2
    check = "--check" in argv
    chosen = [Path(arg).resolve() for arg in argv if not arg.startswith("-")]
    missing = [str(path) for path in chosen if path.suffix != ".ipynb" or not path.is_file()]
    if missing:
        print(f"hide_checks: {missing[0]} is not a notebook file: give paths to .ipynb files, or none for all")
        return 2
    failing = []
    for path in chosen or notebooks():
        text = path.read_text()
        notebook = json.loads(text)
        cells = [(i, cell) for i, cell in enumerate(notebook["cells"]) if problems(cell)]
        if not cells:
            continue
        if check:
            failing += [f"{path.relative_to(ROOT)} cell {i}: {'; '.join(problems(cell))}" for i, cell in cells]
            continue
        for _, cell in cells:
            fold(cell)
        # as nbformat writes it (keys sorted), so the stored form tools/execute_notebooks.py keeps stays the same
        path.write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        print(f"{path.relative_to(ROOT)}: folded {len(cells)} assertion cells")
    if failing:
        print("\n".join(failing))
        print("Fold them: python3 tools/hide_checks.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
