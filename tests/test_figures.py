"""The tracked figures/ are the pictures the lesson notebooks store, byte for byte (tools/figures.py)."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("figures_tool", ROOT / "tools" / "figures.py")
figures_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(figures_tool)


def test_every_tracked_figure_is_the_picture_stored_in_its_notebook():
    assert figures_tool.differences() == [], "run `make figures` after re-executing a lesson"


def test_every_lesson_with_figures_names_them():
    names = figures_tool.all_figures()
    for lesson in sorted((ROOT / "notebooks").glob("0[1-9]_*.ipynb")):
        assert any(name.startswith(lesson.name[:3]) for name in names), f"{lesson.name} names no figure"


def test_the_tool_refuses_a_named_cell_without_one_picture(tmp_path):
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": 'save_figure(fig, "01_x")\nfig'}
    path = tmp_path / "01_x.ipynb"
    path.write_text(json.dumps({"cells": [cell]}))
    with pytest.raises(figures_tool.FigureError, match="shows 0 pictures"):
        figures_tool.named_figures(path)


def test_a_tagged_gif_cell_is_found(tmp_path):
    cell = {
        "cell_type": "code",
        "metadata": {"tags": ["figure:02_anim"]},
        "outputs": [{"output_type": "execute_result", "data": {"image/gif": "R0lGODlh"}}],
        "source": "Image(data=gif)",
    }
    path = tmp_path / "02_x.ipynb"
    path.write_text(json.dumps({"cells": [cell]}))
    assert figures_tool.named_figures(path) == {"02_anim.gif": b"GIF89a"[:6]}


def test_running_a_lesson_saves_outside_the_tracked_figures(tmp_path, monkeypatch):
    from vit_explained.plotting import figures_dir, new_figure, save_figure

    (tmp_path / "figures").mkdir()
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    monkeypatch.delenv("VIT_EXPLAINED_SAVE_FIGURES")  # as a learner runs it (conftest.py sets it to 0)
    path = save_figure(new_figure(figsize=(1, 1)), "01_probe")
    assert path == tmp_path / "build" / "figures" / "01_probe.png" == figures_dir() / "01_probe.png"
    assert path.read_bytes().startswith(b"\x89PNG")
    assert list((tmp_path / "figures").iterdir()) == []
    with pytest.raises(ValueError, match="file name"):
        save_figure(new_figure(figsize=(1, 1)), "figures/01_probe")


def test_the_test_run_checks_the_name_but_writes_no_copy(tmp_path, monkeypatch):
    """conftest.py sets VIT_EXPLAINED_SAVE_FIGURES=0 for the suite and the kernels it starts: save_figure still
    refuses a bad name and returns the path, but draws and writes nothing (the copy would be thrown away)."""
    from vit_explained.plotting import new_figure, save_figure

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VIT_EXPLAINED_SAVE_FIGURES", "0")
    path = save_figure(new_figure(figsize=(1, 1)), "01_probe")
    assert path.name == "01_probe.png" and not path.exists()
    with pytest.raises(ValueError, match="file name"):
        save_figure(new_figure(figsize=(1, 1)), "figures/01_probe")
