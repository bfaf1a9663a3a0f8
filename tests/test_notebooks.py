"""Checks on the stored notebooks that nbval does not make: they run anywhere, not just here."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in ROOT.glob("notebooks/**/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_outputs_hold_no_absolute_paths_of_this_machine(path):
    """A path like /home/me/vit-explained/figures/x.png in a stored output fails nbval in any other clone."""
    notebook = json.loads(path.read_text())
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                continue  # tracebacks are not compared by nbval
            text = json.dumps({key: output.get(key) for key in ("text", "data")})
            assert str(ROOT) not in text, f"cell {index} of {path.name} shows a path inside {ROOT}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_executed_in_order_from_a_fresh_kernel(path):
    cells = [
        c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()
    ]
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))


from conftest import SEVERAL_FIGURES_TAG, count_images, figure_problems  # noqa: E402


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_figure_shows_as_one_picture(path):
    """Stored outputs: no `<Figure size ...>` text without a picture; one picture per cell unless the
    cell is tagged `several-figures`; every cell that calls a plot_* helper shows a picture."""
    problems = []
    for index, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        for problem in figure_problems(source, cell.get("metadata", {}).get("tags", []), cell.get("outputs", [])):
            problems.append(f"cell {index}: {problem}")
    assert problems == [], f"{path.name}:\n" + "\n".join(problems)


def test_the_figure_rules_catch_what_they_should():
    figure_text = {"output_type": "display_data", "data": {"text/plain": "<Figure size 1000x520 with 2 Axes>"}}
    picture = {"output_type": "display_data", "data": {"image/png": "iVBOR", "text/plain": "<Figure size 640x480>"}}
    assert figure_problems("fig = plot_grid(x)\nfig", [], [figure_text])  # text, no picture
    assert figure_problems("plot_a(x)\nplot_b(y)", [], [picture, picture])  # two pictures
    assert not figure_problems("plot_a(x)\nplot_b(y)", [SEVERAL_FIGURES_TAG], [picture, picture])
    assert figure_problems("fig = plot_grid(x)", [], [])  # drawn, never shown
    assert not figure_problems("fig = plot_grid(x)\nfig", [], [picture])
    assert not figure_problems("def plot_grid(x):\n    pass", [], [])
    assert count_images([picture, figure_text]) == 1


def test_a_fresh_run_that_stops_rendering_fails(tmp_path):
    """The nbval hook in conftest.py checks the fresh outputs too: a bare Figure (shown as text) fails
    even though the stored output, made the same way, matches it."""
    import subprocess
    import sys

    import nbformat

    build = ROOT / "build" / "figure-rule-check"
    build.mkdir(parents=True, exist_ok=True)
    source = (
        "from matplotlib.figure import Figure\n"
        "def plot_bare():\n    fig = Figure(figsize=(2, 2))\n    fig.add_subplot().plot([0, 1])\n    return fig\n"
        "plot_bare()"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "<Figure size 200x200 with 1 Axes>"}, execution_count=1)
    ]
    notebook.cells[0].execution_count = 1
    path = build / "bare_figure.ipynb"
    nbformat.write(notebook, path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout[-2000:]
    assert "as text, not as a picture" in result.stdout
