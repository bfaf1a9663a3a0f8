"""Lessons: wall time and peak memory (the kernel's peak RSS) of running each notebook top to bottom,
then the whole test suite's wall time.

    .venv/bin/python benchmarks/bench_lessons.py [--no-suite]

Targets: each lesson under 45 s and 1 GB on 2 cores; the whole test suite under 5 minutes.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from _common import ROOT, markdown_table, verdict, write_result

sys.path.insert(0, str(ROOT))
import conftest  # noqa: F401  (same kernel environment as the tests)

LESSON_SECONDS, LESSON_BYTES, SUITE_SECONDS = 45, 2**30, 300
# `make test`'s pytest arguments, read from the Makefile (its one home).
MAKE_TEST_PYTEST_ARGS = next(
    line.split("?=", 1)[1].split()
    for line in (ROOT / "Makefile").read_text().splitlines()
    if line.startswith("PYTEST_ARGS ?=")
)


def peak_rss_bytes(pid: int) -> int:
    """The process's peak resident set size (VmHWM), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def run_notebook(path: Path) -> tuple[float, int]:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
        rss = peak_rss_bytes(client.km.provisioner.process.pid)
    return seconds, rss


def main() -> int:
    notebooks = sorted(ROOT.glob("notebooks/[0-9][0-9]_*.ipynb")) + sorted(ROOT.glob("notebooks/solutions/*.ipynb"))
    rows, all_met, total = [], True, 0.0
    for path in notebooks:
        seconds, rss = run_notebook(path)
        total += seconds
        met = seconds < LESSON_SECONDS and rss < LESSON_BYTES
        all_met &= met
        rows.append([path.relative_to(ROOT / "notebooks"), f"{seconds:.1f}", f"{rss / 2**20:.0f}", verdict(met)])
        print(f"{path.name}: {seconds:.1f} s, {rss / 2**20:.0f} MiB", flush=True)
    body = markdown_table(["notebook", "seconds", "peak RSS MiB", "< 45 s and < 1 GB"], rows)
    body += (
        f"\n\nAll notebooks one after another: {total:.0f} s. Every notebook within its targets: {verdict(all_met)}.\n"
    )
    if "--no-suite" not in sys.argv:
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *MAKE_TEST_PYTEST_ARGS],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        suite = time.perf_counter() - start
        summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "no output"
        body += (
            f"\nThe whole test suite (`make test`'s pytest, after ruff, on an installed `.venv`): "
            f"{suite:.0f} s ({summary}); "
            f"target under {SUITE_SECONDS // 60} minutes: {verdict(suite < SUITE_SECONDS)}.\n"
        )
    write_result("lessons", "Lessons: time and memory", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
