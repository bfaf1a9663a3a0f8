"""Figures for the lessons. Importing this module imports matplotlib (the package top level does not).

Each lesson's plotting helpers live in a module of their own here; this file holds what all of
them share: how a figure is made, where figures go, and how they are saved so that the files are
the same run after run.

**One convention.** Every helper makes its figure with :func:`new_figure` and returns it. A
notebook shows it by ending the cell with the figure (or ``display(fig)``): exactly one picture,
in JupyterLab, Colab and the stored outputs, whichever cell runs first. Why: a figure made by
pyplot activates the notebook's inline backend (which teaches IPython to draw any ``Figure`` as
a PNG), and closing it at once keeps that backend from showing it a second time at the cell's end.
A bare ``matplotlib.figure.Figure`` would show as ``<Figure size ...>`` text until some pyplot
figure had been made in the kernel.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure


def new_figure(*, figsize: tuple[float, float], **kwargs: Any) -> Figure:
    """A new figure of ``figsize`` inches that a notebook shows exactly once (end the cell with it).

    ``kwargs`` go to :func:`matplotlib.pyplot.figure` (``dpi``, ``layout``, ...). Add axes with
    ``fig.subplots(...)`` or ``fig.add_subplot(...)``.
    """
    fig = plt.figure(figsize=figsize, **kwargs)
    plt.close(fig)  # not left open for the inline backend to show again when the cell ends
    return fig


def figures_dir(start: Path | None = None) -> Path:
    """Where a lesson saves its figures: ``build/figures/`` of the project (the nearest folder upwards
    from ``start``, default the working directory, that holds both ``figures/`` and ``notebooks/``),
    else ``./vit-explained-figures`` (e.g. on Colab). Created if missing.

    Never the tracked ``figures/``: float results differ in their last bits from one CPU to another,
    and so would the PNG bytes, so running a lesson must not write a tracked file. The README's
    ``figures/`` are copied from the notebooks' *stored* outputs by ``make figures``
    (``tools/figures.py``), which re-executes nothing.
    """
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "figures").is_dir() and (folder / "notebooks").is_dir():
            target = folder / "build" / "figures"
            break
    else:
        target = start / "vit-explained-figures"
    target.mkdir(parents=True, exist_ok=True)
    return target


def save_figure(fig: Figure, name: str, *, dpi: int = 100) -> Path:
    """Save ``fig`` as ``<figures_dir()>/<name>`` (``.png`` unless ``name`` has a suffix) with no
    timestamps or version strings in its metadata, and return the path.

    The name also marks the cell: ``make figures`` copies the picture this cell *displays* (its stored
    output) to the tracked ``figures/<name>.png``, so call it in the cell that ends with ``fig``.

    With the environment variable ``VIT_EXPLAINED_SAVE_FIGURES=0`` (the test run sets it) the name is checked
    and the path returned, but nothing is drawn or written: the copy would be thrown away, and drawing each
    figure a second time costs about a tenth of a lesson's run time.
    """
    if not isinstance(name, str) or not name or "/" in name:
        raise ValueError(f"name must be a file name such as '01_patch_grid' (no folder), got {name!r}")
    path = figures_dir() / (name if Path(name).suffix else f"{name}.png")
    if os.environ.get("VIT_EXPLAINED_SAVE_FIGURES", "1") != "0":
        fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return path


def as_image(image: object, *, name: str = "image") -> torch.Tensor:
    """The one image validator for every plotting helper: a picture ``(C, H, W)`` with C = 1 or 3,
    or ``(H, W)`` (gray), returned as float ``(C, H, W)`` on the CPU, detached.

    Raises ``TypeError`` for a non-tensor and ``ValueError`` (naming the shape and what would work)
    for a batch or a channels-last picture.
    """
    if not isinstance(image, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (C, H, W) or (H, W), got {type(image).__name__}")
    if image.dim() == 2:
        image = image.unsqueeze(0)
    if image.dim() != 3:
        hint = f" (for a batch, pass one picture: {name}s[0])" if image.dim() == 4 else ""
        raise ValueError(f"{name} must be 3-D (C, H, W), got {image.dim()}-D shape {tuple(image.shape)}{hint}")
    if image.shape[0] not in (1, 3):
        raise ValueError(
            f"{name} must have 1 (gray) or 3 (RGB) channels first, (C, H, W), got C = {image.shape[0]} "
            f"(shape {tuple(image.shape)}); a (H, W, C) picture needs .permute(2, 0, 1)"
        )
    return image.detach().float().cpu()


def to_display(image: torch.Tensor) -> np.ndarray:
    """``(C, H, W)`` in ``[0, 1]`` -> what ``imshow`` draws: ``(H, W)`` for gray, ``(H, W, 3)`` for RGB."""
    array = as_image(image).clamp(0, 1).numpy()
    return array[0] if array.shape[0] == 1 else array.transpose(1, 2, 0)
