"""tools/hide_checks.py on the command line: --help and a bad argument only print, they never fold a notebook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "hide_checks.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def _tracked_notebooks_changed() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--", "notebooks"], capture_output=True, text=True, cwd=ROOT
    ).stdout


def test_help_prints_the_usage_and_folds_nothing(tmp_path):
    before = _tracked_notebooks_changed()
    for flag in ("--help", "-h"):
        result = _run(flag)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "--check" in result.stdout and ": folded " not in result.stdout
        assert result.stderr == ""
    assert _tracked_notebooks_changed() == before


def test_unknown_option_and_missing_path_get_one_clean_line():
    for args, fragment in ((("--chek",), "unknown option '--chek'"), (("no/such.ipynb",), "is not a notebook file")):
        result = _run(*args)
        assert result.returncode == 2
        lines = result.stdout.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0], result.stdout
        assert "Traceback" not in result.stderr
