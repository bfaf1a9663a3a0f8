"""Re-execute notebooks in place from a fresh kernel, as nbval will re-run them.

    .venv/bin/python tools/execute_notebooks.py notebooks/01_patches_and_embeddings.ipynb [...]

Each notebook runs in its own folder (as in JupyterLab and nbval), execution counts come out
1..n, and only cells tagged ``raises-exception`` may raise. Prints each notebook's wall time.

What is stored is normalised so that re-executing a notebook rewrites it byte for byte on any machine
(tests/test_notebooks.py checks every stored notebook is in this form):
- no per-cell timestamps and no widget state (its model ids are random);
- consecutive stream outputs of one name merged (how a kernel splits its stdout into messages depends on
  timing; nbval merges them before it compares, so nothing it checks changes);
- a widget view's model id derived from the notebook, the cell and the output (the state it pointed to is
  not stored, so the id only has to be the same from run to run).

    .venv/bin/python tools/execute_notebooks.py --normalise-only NOTEBOOK [...]   # rewrite, execute nothing

Where this run says the same as the stored notebook, the stored bytes are kept, so executing every notebook
in a fresh clone leaves `git status` empty on any machine:
- a picture that differs from the stored one only by last-bit shades (conftest.same_picture: same size, at
  most 0.5 % of the pixels) keeps the stored PNG;
- a cell tagged ``nbval-ignore-output`` (its output differs from run to run: timings, a benchmark) keeps its
  stored outputs when this run gives outputs of the same kinds (stream names, MIME types).
The tool names the cells whose stored outputs it kept. After changing such a cell's code, store this run's
outputs with ``--refresh``:

    .venv/bin/python tools/execute_notebooks.py --refresh notebooks/03_attention_shapes.ipynb
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import conftest  # (same environment variables as the test run)


def execute(path: Path, timeout: int = 600, refresh: bool = False) -> tuple[float, list[int]]:
    """Run ``path`` and store it; the seconds it took and the cells whose stored outputs were kept."""
    notebook = nbformat.read(path, as_version=4)
    stored = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,  # no per-cell timestamps: each run would change every cell's metadata in git
    )
    try:
        client.execute()  # raises CellExecutionError unless the cell is tagged raises-exception
    except CellExecutionError as error:
        error.notebook = notebook  # (main names the cell that raised)
        raise
    seconds = time.perf_counter() - start
    kept = [] if refresh else keep_where_the_same(notebook, stored)
    nbformat.write(normalised(notebook, path.name), path)
    return seconds, kept


def _kinds(outputs: list) -> list:
    return [(o.output_type, o.get("name"), sorted(o.get("data", {}))) for o in outputs]


def keep_where_the_same(fresh: nbformat.NotebookNode, stored: nbformat.NotebookNode) -> list[int]:
    """Put the stored outputs back into ``fresh`` where they say the same (module docstring); return those cells."""
    if len(fresh.cells) != len(stored.cells):
        return []
    kept = []
    for index, (new, old) in enumerate(zip(fresh.cells, stored.cells, strict=True)):
        if new.cell_type != "code" or new.source != old.source:
            continue
        new_outputs, old_outputs = _merged(new.outputs), _merged(old.outputs)
        if _kinds(new_outputs) != _kinds(old_outputs):
            continue
        if "nbval-ignore-output" in new.metadata.get("tags", []):
            same = True
        else:
            same = all(_same_output(a, b) for a, b in zip(new_outputs, old_outputs, strict=True))
        if same:
            if _without_widget_ids(new_outputs) != _without_widget_ids(old_outputs):
                kept.append(index)  # named: the stored outputs differ from this run's in more than a widget's id
            new.outputs = old.outputs
    return kept


def _same_output(new: dict, old: dict) -> bool:
    """Equal, but for a PNG that shows the same picture (conftest.same_picture) and a widget view's random id."""
    if new.get("text") != old.get("text"):
        return False
    new_data, old_data = new.get("data", {}), old.get("data", {})
    for key, value in new_data.items():
        if key == "image/png":
            if not conftest.same_picture(value, old_data[key]):
                return False
        elif key != WIDGET_VIEW and value != old_data[key]:
            return False
    return True


def _without_widget_ids(outputs: list) -> list:
    plain = [nbformat.from_dict(json.loads(json.dumps(o))) for o in outputs]
    for output in plain:
        output.get("data", {}).pop(WIDGET_VIEW, None)
    return plain


def _merged(outputs: list) -> list:
    cell = nbformat.v4.new_code_cell(outputs=[nbformat.from_dict(dict(o)) for o in outputs])
    return _merge_streams(cell).outputs


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def normalised(notebook: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """``notebook`` in the stored form (module docstring): the same on every run and every machine."""
    notebook.metadata.pop("widgets", None)  # widget state holds random model ids
    for index, cell in enumerate(notebook.cells):
        cell.metadata.pop("execution", None)  # timestamps an older run of this tool stored
        if cell.cell_type != "code":
            continue
        _merge_streams(cell)
        for number, output in enumerate(cell.outputs):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                view["model_id"] = hashlib.sha1(f"{name}/{index}/{number}".encode()).hexdigest()[:32]
    return notebook


def _merge_streams(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Consecutive stream outputs of one name as one (how a kernel splits them depends on timing)."""
    merged: list = []
    for output in cell.outputs:
        previous = merged[-1] if merged else None
        if (
            output.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == output.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    cell.outputs = merged
    return cell


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tools/execute_notebooks.py",
        description="Re-execute notebooks in place from a fresh kernel and store them in one form "
        "(see the module docstring for what is kept).",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--refresh", action="store_true", help="store this run's outputs everywhere (keep nothing)")
    mode.add_argument("--normalise-only", action="store_true", help="rewrite in the stored form, execute nothing")
    parser.add_argument("--timeout", type=int, default=600, help="seconds a cell may run (default 600)")
    parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="an .ipynb file")
    return parser


def _failed_cell(notebook: nbformat.NotebookNode) -> int | None:
    """The index of the first cell that stored an error without the ``raises-exception`` tag."""
    for index, cell in enumerate(notebook.cells):
        allowed = "raises-exception" in cell.metadata.get("tags", [])
        if cell.cell_type == "code" and not allowed and any(o.output_type == "error" for o in cell.get("outputs", [])):
            return index
    return None


def main(argv: list[str]) -> int:
    """Execute (or only normalise) each notebook; one line per notebook, one clean line on failure."""
    parser = _parser()
    args = parser.parse_args(argv)
    for name in args.notebooks:
        path = Path(name)
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"{name!r} is not an existing .ipynb file (e.g. notebooks/01_patches_and_embeddings.ipynb)")
    for name in args.notebooks:
        path = Path(name)
        if args.normalise_only:
            nbformat.write(normalised(nbformat.read(path, as_version=4), path.name), path)
            continue
        try:
            seconds, kept = execute(path, timeout=args.timeout, refresh=args.refresh)
        except CellExecutionError as error:
            where = _failed_cell(error.notebook) if hasattr(error, "notebook") else None
            cell = f"cell {where}" if where is not None else "a cell"
            print(f"{name}: {cell} raised {error.ename}: {error.evalue} (nothing stored)", file=sys.stderr)
            return 1
        note = f"; kept the stored outputs of cells {', '.join(map(str, kept))} (--refresh: this run's)" if kept else ""
        print(f"{name}: executed in {seconds:.1f} s{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
