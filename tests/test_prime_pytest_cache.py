"""tools/prime_pytest_cache.py writes the cache pytest itself reads, and pytest's rewritten asserts come out of it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import prime_pytest_cache  # noqa: E402


def test_primed_cache_is_what_pytest_reads_and_keeps_the_assert_rewriting(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_sample.py").write_text("def test_sum():\n    left = [1, 2]\n    assert sum(left) == 4\n")
    (tmp_path / "conftest.py").write_text("")
    assert prime_pytest_cache.prime(tmp_path) == (2, 2)
    assert prime_pytest_cache.prime(tmp_path) == (0, 2)  # up to date: nothing written again
    cached = list((tests / "__pycache__").glob("test_sample.*-pytest-*.pyc"))
    assert len(cached) == 1

    # pytest, not allowed to write bytecode, reads the primed file: a failing assert shows pytest's introspection
    # (the rewritten code), and the cache file is the one used (same bytes after the run).
    before = cached[0].read_bytes()
    run = subprocess.run(
        [sys.executable, "-B", "-m", "pytest", "-p", "no:cacheprovider", "-q", "-o", "addopts=", str(tests)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": ""},
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "where 3 = sum([1, 2])" in run.stdout, run.stdout
    assert cached[0].read_bytes() == before

    # And pytest really runs what the cache holds: a cached module carrying the source's hash but other code.
    import importlib.util

    from _pytest.assertion.rewrite import _rewrite_test, _write_pyc

    other = tmp_path / "other.py"
    other.write_text("def test_sum():\n    assert False, 'read from the primed cache'\n")
    _, code = _rewrite_test(other, None)
    source_hash = importlib.util.source_hash((tests / "test_sample.py").read_bytes())
    assert _write_pyc(prime_pytest_cache._Quiet(), code, source_hash, cached[0])
    run = subprocess.run(
        [sys.executable, "-B", "-m", "pytest", "-p", "no:cacheprovider", "-q", "-o", "addopts=", str(tests)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": ""},
    )
    assert "read from the primed cache" in run.stdout, run.stdout

    # An edited test is rewritten again.
    (tests / "test_sample.py").write_text("def test_sum():\n    assert sum([1, 2]) == 3\n")
    assert prime_pytest_cache.prime(tmp_path) == (1, 2)
