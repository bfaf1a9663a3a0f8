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
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import conftest  # noqa: F401  (same environment variables as the test run)


def execute(path: Path, timeout: int = 600) -> float:
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,  # no per-cell timestamps: each run would change every cell's metadata in git
    )
    client.execute()  # raises CellExecutionError unless the cell is tagged raises-exception
    seconds = time.perf_counter() - start
    nbformat.write(normalised(notebook, path.name), path)
    return seconds


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def normalised(notebook: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """``notebook`` in the stored form (module docstring): the same on every run and every machine."""
    notebook.metadata.pop("widgets", None)  # widget state holds random model ids
    for index, cell in enumerate(notebook.cells):
        cell.metadata.pop("execution", None)  # timestamps an older run of this tool stored
        if cell.cell_type != "code":
            continue
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
        for number, output in enumerate(merged):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                view["model_id"] = hashlib.sha1(f"{name}/{index}/{number}".encode()).hexdigest()[:32]
    return notebook


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    if paths[0] == "--normalise-only":
        for name in paths[1:]:
            path = Path(name)
            nbformat.write(normalised(nbformat.read(path, as_version=4), path.name), path)
        return 0
    for name in paths:
        seconds = execute(Path(name))
        print(f"{name}: executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
