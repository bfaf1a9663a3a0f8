"""Re-execute notebooks in place from a fresh kernel, as nbval will re-run them.

    .venv/bin/python tools/execute_notebooks.py notebooks/01_patches_and_embeddings.ipynb [...]

Each notebook runs in its own folder (as in JupyterLab and nbval), execution counts come out
1..n, and only cells tagged ``raises-exception`` may raise. Prints each notebook's wall time.
"""

from __future__ import annotations

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
    notebook.metadata.pop("widgets", None)  # widget state holds random model ids
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps an older run of this tool stored
    nbformat.write(notebook, path)
    return seconds


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    for name in paths:
        seconds = execute(Path(name))
        print(f"{name}: executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
