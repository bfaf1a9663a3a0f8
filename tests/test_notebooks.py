"""Checks on the stored notebooks that nbval does not make: they run anywhere, not just here."""

import json
import re
import sys
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_stored_in_the_form_a_re_execution_writes(path):
    """tools/execute_notebooks.py stores a notebook in one form (streams merged, no timestamps, no widget state,
    widget ids derived from the cell): running it again rewrites the same bytes, so `git status` stays clean."""
    import nbformat

    sys.path.insert(0, str(ROOT / "tools"))
    from execute_notebooks import normalised

    stored = path.read_text()
    again = nbformat.writes(normalised(nbformat.reads(stored, as_version=4), path.name)) + "\n"
    assert again == stored, f"{path.name} is not in stored form: run tools/execute_notebooks.py --normalise-only {path}"


def test_the_stored_form_merges_split_streams_and_fixes_widget_ids():
    import nbformat

    sys.path.insert(0, str(ROOT / "tools"))
    from execute_notebooks import normalised

    view = {"application/vnd.jupyter.widget-view+json": {"model_id": "random", "version_major": 2}}
    cell = nbformat.v4.new_code_cell(
        "",
        outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="a\n"),
            nbformat.v4.new_output("stream", name="stdout", text="b\n"),
            nbformat.v4.new_output("stream", name="stderr", text="w\n"),
            nbformat.v4.new_output("display_data", data=view),
            nbformat.v4.new_output("stream", name="stdout", text="c\n"),
        ],
    )
    cell.metadata["execution"] = {"iopub.execute_input": "2026-12-04T05:00:00Z"}
    notebook = nbformat.v4.new_notebook(cells=[cell], metadata={"widgets": {"state": {}}})
    first = normalised(json.loads(json.dumps(notebook), object_hook=nbformat.NotebookNode), "x.ipynb")
    outputs = first.cells[0].outputs
    assert [o.get("text") for o in outputs] == ["a\nb\n", "w\n", None, "c\n"]  # a display in between stays between
    assert "widgets" not in first.metadata and "execution" not in first.cells[0].metadata
    model_id = outputs[2].data["application/vnd.jupyter.widget-view+json"]["model_id"]
    second = normalised(
        nbformat.NotebookNode(json.loads(json.dumps(notebook), object_hook=nbformat.NotebookNode)), "x.ipynb"
    )
    assert (
        model_id != "random"
        and model_id == second.cells[0].outputs[2].data["application/vnd.jupyter.widget-view+json"]["model_id"]
    )


def _png(draw) -> str:
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    draw(ax)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _shaded(png: str, pixels: int) -> str:
    import base64
    import io

    import numpy as np
    from PIL import Image

    image = np.array(Image.open(io.BytesIO(base64.b64decode(png))).convert("RGBA"))
    rows, cols = np.nonzero(image[..., :3].min(axis=2) < 250)  # pixels of the drawing, not the background
    image[rows[:pixels], cols[:pixels], 0] ^= 1  # one level of red
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_a_re_execution_keeps_stored_outputs_only_where_they_say_the_same():
    """tools/execute_notebooks.py: a last-bit shade or a timing keeps the stored bytes; a real change is stored."""
    import nbformat

    sys.path.insert(0, str(ROOT / "tools"))
    from execute_notebooks import keep_where_the_same

    line = _png(lambda ax: ax.plot([0, 1], [0, 1.0]))
    shade = _shaded(line, pixels=20)  # a last-bit change of a float: a few anti-aliased edge pixels, a shade off
    border = _png(lambda ax: (ax.plot([0, 1], [0, 1.0]), ax.axvline(0.5, lw=3)))  # a change a reader sees

    def picture(png, text="x"):
        return nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})

    def notebook(*cells):
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("c", outputs=list(o)) for o in cells])

    stored = notebook(
        [picture(line)],
        [picture(line)],
        [nbformat.v4.new_output("stream", name="stdout", text="1.5 ms\n")],
        [nbformat.v4.new_output("stream", name="stdout", text="acc 0.91\n")],
    )
    stored.cells[2].metadata["tags"] = ["nbval-ignore-output"]
    fresh = notebook(
        [picture(shade)],
        [picture(border)],
        [nbformat.v4.new_output("stream", name="stdout", text="2.1 ms\n")],
        [nbformat.v4.new_output("stream", name="stdout", text="acc 0.92\n")],
    )
    fresh.cells[2].metadata["tags"] = ["nbval-ignore-output"]
    from conftest import same_picture

    assert same_picture(line, shade) and not same_picture(line, border)
    assert keep_where_the_same(fresh, stored) == [0, 2]
    assert fresh.cells[0].outputs[0].data["image/png"] == line  # the stored PNG back
    assert fresh.cells[1].outputs[0].data["image/png"] == border  # a changed picture is stored
    assert fresh.cells[2].outputs[0].text == "1.5 ms\n"  # a timing: the stored one kept
    assert fresh.cells[3].outputs[0].text == "acc 0.92\n"  # a compared number that changed is stored


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


def test_nbval_comparison_of_a_run_made_in_the_browser(tmp_path):
    """conftest.nbval_differences judges a run made elsewhere as nbval does: same text passes, changed text
    fails, pictures and widget ids are not compared, sanitized text passes, ignored cells are not compared."""
    from conftest import nbval_differences

    ids = iter(range(100))

    def code(outputs, tags=()):
        return {
            "id": f"cell-{next(ids)}",  # nbformat 5 wants an id per cell
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {"tags": list(tags)},
            "source": "x",
            "outputs": outputs,
        }

    stream = {"output_type": "stream", "name": "stdout", "text": ["loss 0.25\n", "at 0x7f00aa\n"]}
    picture = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBOR", "text/plain": "<Figure>"}}
    notebook = {
        "cells": [code([stream]), code([picture]), code([stream], tags=["nbval-ignore-output"])],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps(notebook))
    same = [
        [
            {"output_type": "stream", "name": "stdout", "text": "loss 0.25\n"},
            {"output_type": "stream", "name": "stdout", "text": "at 0x55aa01\n"},
        ],  # split stream, other address
        [{"output_type": "display_data", "metadata": {}, "data": {"image/png": "", "text/plain": "<Figure>"}}],
        [{"output_type": "stream", "name": "stdout", "text": "anything\n"}],
    ]
    assert nbval_differences(path, same) == []
    changed = json.loads(json.dumps(same))
    changed[0][0]["text"] = "loss 0.26\n"
    problems = nbval_differences(path, changed)
    assert len(problems) == 1 and problems[0].startswith("cell 0:") and "0.26" in problems[0]
    assert nbval_differences(path, same[:2]) == ["2 code cells ran, the stored notebook has 3"]
    no_text = [same[0], [{"output_type": "display_data", "metadata": {}, "data": {"image/png": ""}}], same[2]]
    assert nbval_differences(path, no_text)[0].startswith("cell 1: Missing output fields")


def test_make_test_runs_each_lesson_once(tmp_path):
    """With the browser tests selected (and Chromium present), the lessons' nbval items are deselected: the
    browser run compares their outputs. Alone, nbval runs a lesson as usual."""
    import subprocess
    import sys

    lesson = "notebooks/02_soft_split_token_counting.ipynb"

    def collected(*args):
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return [line for line in result.stdout.splitlines() if "::" in line]

    alone = collected(lesson)
    assert alone and all("Cell" in line for line in alone)
    together = collected(lesson, "tests/test_browser.py", "-k", "02_soft or Cell")
    browser_ready = any("InABrowser" in line for line in together)
    import shutil

    if browser_ready and shutil.which("chromium"):
        assert not any("::Cell" in line for line in together)
    else:
        assert any("::Cell" in line for line in together)


def test_every_assertion_cell_is_folded_in_jupyterlab_and_colab():
    """tools/hide_checks.py: a `hide-input` cell has source_hidden (JupyterLab) and cellView "form" with a
    "# @title" line (Colab), so a learner on either sees the claim, not its asserts."""
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import hide_checks

    unfolded = [
        f"{path.relative_to(ROOT)} cell {i}: {problem}"
        for path in hide_checks.notebooks()
        for i, cell in enumerate(json.loads(path.read_text())["cells"])
        for problem in hide_checks.problems(cell)
    ]
    assert unfolded == [], "run python3 tools/hide_checks.py:\n" + "\n".join(unfolded[:20])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_heading_appears_twice(path):
    """An editing slip that pastes a section twice shows the learner the same heading twice."""
    headings = [
        line.strip()
        for cell in json.loads(path.read_text())["cells"]
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).splitlines()
        if line.startswith("#")
    ]
    assert sorted({h for h in headings if headings.count(h) > 1}) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_numbered_sections_have_no_gap(path):
    """A lesson's ``## N`` headings run on without a gap (0 or 1, 2, 3, ...): an edit that drops a heading
    together with a paragraph (lesson 08 lost its section 8 that way once) leaves the text's "section N"
    pointing at nothing."""
    import re

    cells = json.loads(path.read_text())["cells"]
    numbers = [
        int(n)
        for c in cells
        if c["cell_type"] == "markdown"
        for n in re.findall(r"(?m)^## (\d+)\b", "".join(c["source"]))
    ]
    if numbers:
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] in (0, 1), numbers


#: words just before "section N" that make it another document's section (another lesson, a paper, an appendix)
ELSEWHERE = re.compile(r"(lesson \d\d\W*|paper'?s?\W*|et al\.[^.]*|appendix\W*|\bthe \w+ (?:docs|README)\W*)$", re.I)


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if "_appendix" not in p.name], ids=lambda p: p.name)
def test_every_section_the_lesson_names_exists(path):
    """Every "section N" in a lesson's text and code comments names one of its own ``## N`` headings: a last
    section dropped with its heading (lesson 08 lost its widget's section 13 that way) leaves no gap for the
    test above to see."""
    cells = json.loads(path.read_text())["cells"]
    lesson = ROOT / "notebooks" / path.name.replace("_solutions", "")  # a solutions notebook names its lesson's
    numbers = {
        int(n)
        for c in json.loads(lesson.read_text())["cells"]
        if c["cell_type"] == "markdown"
        for n in re.findall(r"(?m)^## (\d+)\b", "".join(c["source"]))
    }
    dangling = [
        (index, match.group(0))
        for index, cell in enumerate(cells)
        for text in ["".join(cell["source"])]
        for match in re.finditer(r"\b[Ss]ections? (\d+)\b(?![.\d])", text)
        if int(match.group(1)) not in numbers and not ELSEWHERE.search(text[max(0, match.start() - 40) : match.start()])
    ]
    assert dangling == [], f"{path.name}: these name a section the lesson does not have (cell, text): {dangling}"
