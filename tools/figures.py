"""Write the tracked ``figures/`` from the pictures the lesson notebooks *store*: re-executes nothing.

A figure gets a name in its notebook in one of two ways:
- the cell that displays it calls ``save_figure(fig, "NN_name")`` (the name, a string literal), or
- the cell carries the tag ``figure:NN_name`` (e.g. a GIF shown with ``IPython.display.Image``).

The cell must show exactly one picture; its stored bytes (PNG, or GIF for ``image/gif``) become
``figures/NN_name.png`` (or ``.gif``). Because the bytes come from the stored outputs, the files change
only when someone re-executes a lesson and commits it, never because a lesson ran on another CPU.

    python tools/figures.py            # write figures/ (make figures)
    python tools/figures.py --check    # exit 1, naming the files, if figures/ differs from the notebooks
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "figures"
_SAVED = re.compile(r"""save_figure\(\s*[\w.\[\]]+\s*,\s*["']([\w.-]+)["']""")
_TAG = "figure:"
_SUFFIX = {"image/png": ".png", "image/gif": ".gif"}


class FigureError(Exception):
    """A named figure cell that does not show exactly one picture, or a name used twice."""


def named_figures(notebook_path: Path) -> dict[str, bytes]:
    """``{file name: bytes}`` for every named figure cell of one notebook, from its stored outputs."""
    notebook = json.loads(notebook_path.read_text())
    found: dict[str, bytes] = {}
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        names = _SAVED.findall(source)
        names += [tag[len(_TAG) :] for tag in cell.get("metadata", {}).get("tags", []) if tag.startswith(_TAG)]
        if not names:
            continue
        pictures = [
            (kind, output["data"][kind])
            for output in cell.get("outputs", [])
            for kind in _SUFFIX
            if kind in output.get("data", {})
        ]
        if len(names) != 1 or len(pictures) != 1:
            raise FigureError(
                f"{notebook_path.name} cell {index}: names {names} and shows {len(pictures)} pictures; "
                "a named figure cell shows exactly one picture (re-execute the notebook?)"
            )
        kind, data = pictures[0]
        name = Path(names[0]).stem + _SUFFIX[kind]
        if name in found:
            raise FigureError(f"{notebook_path.name}: the figure {name} is named by two cells")
        found[name] = base64.b64decode("".join(data) if isinstance(data, list) else data)
    return found


def all_figures() -> dict[str, bytes]:
    """Every named figure of every lesson notebook (solutions never make figures)."""
    figures: dict[str, bytes] = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for name, data in named_figures(path).items():
            if name in figures:
                raise FigureError(f"the figure {name} is named in two notebooks")
            figures[name] = data
    return figures


def differences() -> list[str]:
    """What differs between figures/ and the notebooks' stored pictures (empty when in step)."""
    wanted = all_figures()
    problems = [
        f"figures/{name} {'differs from' if (FIGURES / name).exists() else 'is missing; it is'} its stored picture"
        for name, data in wanted.items()
        if not (FIGURES / name).exists() or (FIGURES / name).read_bytes() != data
    ]
    problems += [
        f"figures/{path.name} is named by no notebook cell"
        for path in sorted(FIGURES.iterdir())
        if path.is_file() and path.name not in wanted
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report differences; write nothing")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = differences()
            print("\n".join(problems) if problems else "figures/ matches the notebooks' stored pictures")
            return 1 if problems else 0
        FIGURES.mkdir(exist_ok=True)
        wanted = all_figures()
        changed = 0
        for name, data in wanted.items():
            path = FIGURES / name
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
                changed += 1
        stale = [p for p in FIGURES.iterdir() if p.is_file() and p.name not in wanted]
        for path in stale:
            path.unlink()
        print(f"figures/: {len(wanted)} figures from the stored outputs, {changed} written, {len(stale)} removed")
        return 0
    except FigureError as error:
        print(f"make figures: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
