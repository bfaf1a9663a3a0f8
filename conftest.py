"""Keep the test run's Jupyter kernels and matplotlib out of $HOME and deterministic."""

import os
import tempfile
from pathlib import Path

_state = Path(tempfile.mkdtemp(prefix="vit-explained-tests-"))
for variable, folder in {
    "MPLCONFIGDIR": "matplotlib",
    "IPYTHONDIR": "ipython",
    "JUPYTER_CONFIG_DIR": "jupyter-config",
    "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
}.items():
    (_state / folder).mkdir(exist_ok=True)
    os.environ[variable] = str(_state / folder)
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # no debugger warning on kernel start
# OpenMP threads that busy-wait starve the other test worker and the notebook kernels on 2 cores
# (a 2-thread step measured 20x slower under load); sleeping while idle costs nothing here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# One thread per process: the suite already keeps both cores busy (two pytest workers, their notebook
# kernels, nbgrader's and JupyterLab's kernels), so a second thread per kernel only adds contention; the
# lessons' small models are faster on one thread anyway (benchmarks/results/training.md). Stored outputs
# must not depend on it (CONTRIBUTING: "Stored outputs hold on any CPU"); an explicit setting wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TQDM_MININTERVAL", "1000")  # progress bars: no intermediate refreshes in stored outputs


# --- What a learner sees: every figure shows as a picture, once -------------------------------
# One rule set, applied to the stored outputs (tests/test_notebooks.py) and to the outputs of the
# fresh nbval run (the hook below), so a helper that stops rendering fails CI even if nobody
# refreshed the stored outputs.

import re  # noqa: E402

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: A cell meant to show more than one picture carries this tag.
SEVERAL_FIGURES_TAG = "several-figures"
_DRAWS = re.compile(r"^(?!\s*def )(?!\s*#).*\bplot_\w+\(", re.MULTILINE)
_FIGURE_TEXT = re.compile(r"<Figure size [^>]*>")


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def count_images(outputs: list) -> int:
    """Pictures a cell shows: outputs carrying an image, widgets (which show their own) excluded."""
    return sum(
        1
        for output in outputs
        if any(kind in output.get("data", {}) for kind in IMAGE_TYPES) and WIDGET_VIEW not in output.get("data", {})
    )


def figure_problems(source: str, tags: list[str], outputs: list) -> list[str]:
    """What is wrong with how a code cell shows its figures (empty when all is well)."""
    problems = []
    for output in outputs:
        data = output.get("data", {})
        text = _text(output.get("text")) + _text(data.get("text/plain"))
        if _FIGURE_TEXT.search(text) and not any(kind in data for kind in IMAGE_TYPES):
            problems.append(f"shows {_FIGURE_TEXT.search(text).group(0)!r} as text, not as a picture")
    images = count_images(outputs)
    if images > 1 and SEVERAL_FIGURES_TAG not in tags:
        problems.append(f"shows {images} pictures; a cell meant to show several is tagged {SEVERAL_FIGURES_TAG!r}")
    shows_widget = any(WIDGET_VIEW in output.get("data", {}) for output in outputs)
    if _DRAWS.search(source) and images == 0 and "raises-exception" not in tags and not shows_widget:
        problems.append("calls a plot_* helper but shows no picture (end the cell with the figure)")
    return problems


import pytest  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when != "call" or type(item).__name__ != "IPyNbCell":
        return
    report = outcome.get_result()
    if not report.passed or item.test_outputs is None:
        return
    cell = item.cell
    problems = figure_problems(cell.source, cell.metadata.get("tags", []), item.test_outputs)
    if problems:
        report.outcome = "failed"
        report.longrepr = f"cell {item.cell_num} of a fresh run: " + "; ".join(problems)
