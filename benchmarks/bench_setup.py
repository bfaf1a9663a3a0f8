"""Set-up and import: time and disk size of the fresh install the README's commands do, and the
time `import vit_explained` takes beyond `import torch`.

    .venv/bin/python benchmarks/bench_setup.py [--no-install]

The install runs `make setup` in a fresh clone with pip's cache switched off, so every wheel is
read and unpacked again (from this machine's package index; a real network adds download time).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, markdown_table, write_result

IMPORT_CODE = (
    "import time; import torch; start = time.perf_counter(); import vit_explained; print(time.perf_counter() - start)"
)


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def fresh_install() -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        clone = Path(folder) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        start = time.perf_counter()
        subprocess.run(
            ["make", "setup"],
            cwd=clone,
            check=True,
            capture_output=True,
            env={**os.environ, "PIP_NO_CACHE_DIR": "1"},
        )
        seconds = time.perf_counter() - start
        size = folder_bytes(clone / ".venv")
        shutil.rmtree(clone / ".venv")
    return seconds, size


def import_seconds(runs: int = 7) -> float:
    times = [
        float(subprocess.run([sys.executable, "-c", IMPORT_CODE], capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(times)


def main() -> int:
    rows = []
    if "--no-install" not in sys.argv:
        seconds, size = fresh_install()
        rows.append(["fresh install (`make setup`, no pip cache)", f"{seconds:.0f} s", f"{size / 2**30:.2f} GiB"])
    rows.append(["`import vit_explained` beyond `import torch` (median of 7)", f"{import_seconds() * 1e3:.0f} ms", ""])
    write_result("setup", "Set-up and import", markdown_table(["what", "time", "disk"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
