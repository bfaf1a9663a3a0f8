"""What every benchmark shares: the machine description and writing a result table."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def machine() -> str:
    """One line describing where the numbers were measured."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), torch {torch.__version__}, {torch.get_num_threads()} torch threads, "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}"
    )


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_result(name: str, title: str, body: str) -> Path:
    """Write ``benchmarks/results/<name>.md`` (title, machine, body) and print it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = f"# {title}\n\nMeasured on: {machine()}.\n\n{body.strip()}\n"
    path = RESULTS / f"{name}.md"
    path.write_text(text)
    print(text)
    return path


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"
