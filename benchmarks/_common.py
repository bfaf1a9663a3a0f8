"""What every benchmark shares: the machine description and writing a result table."""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def machine(threads: str | None = None) -> str:
    """One line describing where the numbers were measured (``threads``: how many torch threads,
    when it is not simply ``torch.get_num_threads()``)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    threads = threads or str(torch.get_num_threads())
    return (
        f"{os.cpu_count()} cores ({cpu}), torch {torch.__version__}, {threads} torch threads, "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}"
    )


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_result(name: str, title: str, body: str, threads: str | None = None) -> Path:
    """Write ``benchmarks/results/<name>.md`` (title, machine, body) and print it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    day = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    text = f"# {title}\n\nMeasured on {day} (UTC) on: {machine(threads)}.\n\n{body.strip()}\n"
    path = RESULTS / f"{name}.md"
    path.write_text(text)
    print(text)
    return path


def write_stored_run(results: dict, name: str) -> Path:
    """Write ``results`` to ``benchmarks/results/<name>.json`` and the same bytes to the copy shipped with the
    package, ``vit_explained/checkpoints/<name>.json`` (a pip or Colab install reads that one); the results path."""
    text = json.dumps(results, indent=1) + "\n"
    path = RESULTS / f"{name}.json"
    path.write_text(text)
    (ROOT / "vit_explained" / "checkpoints" / f"{name}.json").write_text(text)
    return path


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def mnist_vit_and_data() -> tuple[torch.nn.Module, object]:
    """Lesson 08's benchmarks' start: ``torch.manual_seed(0)``, then the trained MNIST ViT (``load_mnist_vit()``,
    eval mode) and the MNIST splits (``load_mnist()``)."""
    from vit_explained.data import load_mnist  # lazily: the other benchmarks import this module without them
    from vit_explained.pretrained import load_mnist_vit

    torch.manual_seed(0)
    return load_mnist_vit(), load_mnist()


def stored_run_header(what: str, seconds: float, threads: str | None = None) -> dict:
    """The first fields of a stored run (``write_stored_run``): what it holds, the UTC day, the machine and its
    seconds (one decimal)."""
    return {
        "what": what,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine(threads),
        "seconds": round(seconds, 1),
    }
