"""Figures for the lessons. Importing this module imports matplotlib (the package top level does not).

Each lesson's plotting helpers live in a module of their own here; this file holds what all of
them share: where figures go and how they are saved so that the files are the same run after run.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt


def figures_dir(start: Path | None = None) -> Path:
    """The project's ``figures/`` folder: the nearest folder upwards from ``start`` (default:
    the working directory) that holds both ``figures/`` and ``notebooks/``; else ``./figures``."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "figures").is_dir() and (folder / "notebooks").is_dir():
            return folder / "figures"
    fallback = start / "figures"
    fallback.mkdir(exist_ok=True)
    return fallback


def save_figure(fig: plt.Figure, name: str, *, dpi: int = 100) -> Path:
    """Save ``fig`` as ``figures/<name>`` (``.png`` unless ``name`` has a suffix) with no
    timestamps or version strings in its metadata, so the file is identical run after run."""
    path = figures_dir() / (name if Path(name).suffix else f"{name}.png")
    fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return path
