"""Write pytest's assertion-rewritten bytecode of conftest.py and tests/test_*.py once, before `make test`.

pytest rewrites the `assert` statements of every test module it imports and caches the result in
__pycache__/*.cpython-3XX-pytest-X.Y.Z.pyc (git-ignored), but only where Python may write bytecode. Where
PYTHONDONTWRITEBYTECODE is set (many CI images and containers set it), every pytest-xdist worker and every
pytest run inside a test rewrites all the test modules again: about 5 CPU-seconds each on a 2-core machine
(2026-12-04: collecting the suite took 11.8 CPU-s without the cache, 6.5-7.5 with it). This script writes that
cache with pytest's own rewriter, whatever PYTHONDONTWRITEBYTECODE says; pytest reads it back either way. The cache
is keyed by each file's source hash, so an edited test is rewritten again, as usual.

    python tools/prime_pytest_cache.py        # (`make test` runs it)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from _pytest.assertion.rewrite import PYC_TAIL, _rewrite_test, _write_pyc, get_cache_dir

ROOT = Path(__file__).resolve().parents[1]


class _Quiet:
    """The slice of pytest's AssertionState that _write_pyc uses."""

    @staticmethod
    def trace(message: str) -> None:
        pass


def modules(root: Path = ROOT) -> list[Path]:
    """The files pytest rewrites in ``root``: the conftest.py files and the test modules."""
    return sorted([*root.glob("conftest.py"), *root.glob("tests/conftest.py"), *root.glob("tests/test_*.py")])


def prime(root: Path = ROOT) -> tuple[int, int]:
    """Write the rewritten bytecode of every module of ``root`` whose cache is missing or stale.
    Returns (written, modules)."""
    written, paths = 0, modules(root)
    for path in paths:
        source = path.read_bytes()
        cache = get_cache_dir(path)
        pyc = cache / (path.name[:-3] + PYC_TAIL)
        if pyc.exists() and pyc.read_bytes()[8:16] == importlib.util.source_hash(source)[:8]:
            continue  # already cached for this source
        cache.mkdir(exist_ok=True)
        # config=None: the rewrite pytest itself makes with its defaults (no assertion-pass hook); the verbosity
        # of assertion messages is read when a test fails, not here.
        _, code = _rewrite_test(path, None)  # type: ignore[arg-type]
        written += _write_pyc(_Quiet(), code, importlib.util.source_hash(source), pyc)  # type: ignore[arg-type]
    return written, len(paths)


def main() -> int:
    written, total = prime()
    print(f"pytest's rewritten bytecode: {written} of {total} test modules written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
