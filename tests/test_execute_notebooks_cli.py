"""tools/execute_notebooks.py as a command line: --help, a clean line for a bad path or a failing cell."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "execute_notebooks.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_help_names_the_modes_and_exits_cleanly():
    result = _run("--help")
    assert result.returncode == 0, result.stderr
    for option in ("--refresh", "--normalise-only", "--timeout", "NOTEBOOK"):
        assert option in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_missing_notebook_is_one_clean_line_naming_it(tmp_path):
    result = _run(str(tmp_path / "no_such.ipynb"))
    assert result.returncode == 2
    assert "no_such.ipynb" in result.stderr and ".ipynb file" in result.stderr
    assert "Traceback" not in result.stderr


def test_refresh_and_normalise_only_exclude_each_other(tmp_path):
    result = _run("--refresh", "--normalise-only", "x.ipynb")
    assert result.returncode == 2 and "not allowed with" in result.stderr


def test_a_failing_cell_is_named_and_nothing_is_stored(tmp_path):
    path = tmp_path / "fails.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("raise ValueError('bad value 3')")]
    nbformat.write(notebook, path)
    before = path.read_bytes()
    result = _run(str(path))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "WARNING" not in line and line.strip()]
    assert lines == [f"{path}: cell 1 raised ValueError: bad value 3 (nothing stored)"], result.stderr
    assert path.read_bytes() == before


def test_normalise_only_executes_nothing(tmp_path):
    path = tmp_path / "plain.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("raise SystemExit('would fail if run')")]
    nbformat.write(notebook, path)
    result = _run("--normalise-only", str(path))
    assert result.returncode == 0, result.stderr
    assert nbformat.read(path, as_version=4).cells[0].outputs == []
