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
# One thread per process: the suite already keeps both cores busy (four pytest workers, their notebook
# kernels, nbgrader's and JupyterLab's kernels), so a second thread per kernel only adds contention; the
# lessons' small models are faster on one thread anyway (benchmarks/results/training.md). Stored outputs
# must not depend on it (CONTRIBUTING: "Stored outputs hold on any CPU"); an explicit setting wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# save_figure's copies under build/figures/ are thrown away here: the README's figures/ come from the stored
# outputs (make figures). Not drawing them again saves about a tenth of each lesson's run (plotting/__init__.py).
os.environ.setdefault("VIT_EXPLAINED_SAVE_FIGURES", "0")
os.environ.setdefault("TQDM_MININTERVAL", "1000")  # progress bars: no intermediate refreshes in stored outputs


# --- What a learner sees: every figure shows as a picture, once -------------------------------
# One rule set, applied to the stored outputs (tests/test_notebooks.py) and to the outputs of the
# fresh nbval run (the hook below), so a helper that stops rendering fails CI even if nobody
# refreshed the stored outputs.

import re  # noqa: E402
from pathlib import Path  # noqa: E402

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


#: a fresh picture is "the stored one" when it has the same size and at most this share of its pixels differ: a
#: last-bit change of a float moves an anti-aliased edge by a shade, a changed figure moves far more (a new
#: border, line or label: several per cent of the pixels)
SAME_PICTURE_PIXELS = 0.005


def same_picture(png_a: str, png_b: str) -> bool:
    """Two base64 PNGs (as notebooks store them) show the same picture (:data:`SAME_PICTURE_PIXELS`)."""
    if png_a == png_b:
        return True
    import base64
    import io

    import numpy as np
    from PIL import Image

    a, b = (
        np.asarray(Image.open(io.BytesIO(base64.b64decode(p))).convert("RGBA"), dtype=np.int16) for p in (png_a, png_b)
    )
    return a.shape == b.shape and float((np.abs(a - b).max(axis=2) > 0).mean()) <= SAME_PICTURE_PIXELS


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


# --- nbval's own comparison, for a run made elsewhere (the browser test) ---------------------------------
# tests/test_browser.py runs every lesson once, in JupyterLab, and compares each cell's fresh outputs with the
# stored ones by nbval's comparison (the same sanitizers, tags and skipped keys), so `make test` need not run
# each lesson a second time under nbval (the suite's time budget). Run on its own, or where Chromium is
# missing, nbval executes the lessons as usual (pytest_collection_modifyitems below).

#: nbval 0.11.0's keys left out of the comparison (IPyNbFile.__init__, without --nbdime): pictures are
#: compared by tests/test_figures.py and the figure rules, not byte for byte.
NBVAL_SKIP_COMPARE = (
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
)
SANITIZE = Path(__file__).resolve().parent / "tests" / "nbval_sanitize.cfg"


class _NbvalComparison:
    """Borrows nbval's comparison methods (nbval.plugin.IPyNbCell) without a kernel or a pytest item."""

    def __init__(self) -> None:
        from nbval.plugin import IPyNbCell, get_sanitize_patterns, nocolors

        self._compare, self._format, self._sanitize = (
            IPyNbCell.compare_outputs,
            IPyNbCell.format_output_compare,
            IPyNbCell.sanitize,
        )
        self.colors = nocolors
        self.parent = type("Parent", (), {})()
        self.parent.skip_compare = NBVAL_SKIP_COMPARE
        self.parent.sanitize_patterns = dict(get_sanitize_patterns(SANITIZE.read_text()))
        self.ihook = type("Hooks", (), {"pytest_assertrepr_compare": staticmethod(lambda **_: [])})()
        self.config = None
        self.comparison_traceback: list[str] = []

    def compare_outputs(self, test, ref, skip_compare=None):
        return self._compare(self, test, ref, skip_compare)

    def format_output_compare(self, key, left, right):
        return self._format(self, key, left, right)

    def sanitize(self, s):
        return self._sanitize(self, s)


def _as_outputs(outputs: list) -> list:
    import nbformat

    def joined(value):
        return "".join(value) if isinstance(value, list) else value

    nodes = []
    for output in outputs:
        output = dict(output)
        if "text" in output:
            output["text"] = joined(output["text"])
        if "data" in output:
            output["data"] = {key: joined(value) for key, value in output["data"].items()}
        nodes.append(nbformat.from_dict(output))
    return nodes


def nbval_differences(path: Path, fresh: list[list[dict]]) -> list[str]:
    """Each code cell of the stored notebook ``path`` whose fresh outputs (one list per code cell, in order)
    differ from the stored ones as nbval would judge them: `nbval-ignore-output`/`nbval-skip` cells and
    never-run cells are not compared."""
    import nbformat
    from nbval.plugin import coalesce_streams

    stored = [cell for cell in nbformat.read(str(path), as_version=4).cells if cell.cell_type == "code"]
    if len(stored) != len(fresh):
        return [f"{len(fresh)} code cells ran, the stored notebook has {len(stored)}"]
    problems = []
    for index, (cell, outputs) in enumerate(zip(stored, fresh, strict=True)):
        tags = cell.metadata.get("tags", [])
        if "nbval-ignore-output" in tags or "nbval-skip" in tags or cell.execution_count is None:
            continue
        comparison = _NbvalComparison()
        if not comparison.compare_outputs(coalesce_streams(_as_outputs(outputs)), coalesce_streams(cell.outputs)):
            problems.append(f"cell {index}: " + "\n".join(comparison.comparison_traceback))
    return problems


def picture_differences(path: Path, fresh: list[list[dict]]) -> list[str]:
    """Each picture the run drew (``fresh``: one list of outputs per code cell, PNGs as base64) that is not the
    picture the stored notebook ``path`` shows (:func:`same_picture`), in the cells nbval compares: a stored
    picture older than the code that draws it (nbval itself compares no pictures)."""
    import nbformat

    stored = [cell for cell in nbformat.read(str(path), as_version=4).cells if cell.cell_type == "code"]
    problems = []
    for index, (cell, outputs) in enumerate(zip(stored, fresh, strict=True)):
        tags = cell.metadata.get("tags", [])
        if "nbval-ignore-output" in tags or "nbval-skip" in tags or cell.execution_count is None:
            continue
        old = [o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
        new = [_joined(o["data"]["image/png"]) for o in outputs if "image/png" in (o.get("data") or {})]
        if len(old) != len(new):
            problems.append(f"cell {index}: {len(new)} pictures drawn, {len(old)} stored")
        elif not all(same_picture(a, b) for a, b in zip(new, old, strict=True)):
            problems.append(f"cell {index}: the picture drawn now is not the stored one (re-execute the notebook)")
    return problems


def _joined(value: str | list) -> str:
    return "".join(value) if isinstance(value, list) else value


def _lessons_run_in_the_browser(items: list) -> set[str]:
    """The lesson notebooks that the selected browser tests will run (none where they would skip)."""
    browser = [item for item in items if "InABrowser" in item.nodeid and "[" in item.nodeid]
    if not browser:
        return set()
    import shutil

    if (shutil.which("chromium") or shutil.which("chromium-browser")) is None:
        return set()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return set()
    return {item.nodeid.rsplit("[", 1)[1].rstrip("]") for item in browser}


# The longest work units first (`make test` runs `--dist loadscope --no-loadscope-reorder`, so xdist hands out
# scopes in this order): each takes a minute or more, and started last one of them would keep a worker busy
# while the other waits (xdist's own reorder puts scopes with the most tests first, which here are the quick
# exercise tables). Measured with `--durations`: each browser half ~150 s, the nbgrader course ~130 s, the
# TEACHING.md walk-through ~50 s, the book ~45 s, the learners' lab ~40 s.
LONGEST_FIRST = (
    "tests/test_browser.py::TestFirstHalfInABrowser",
    "tests/test_browser.py::TestSecondHalfInABrowser",
    "tests/test_course.py",
    "tests/test_course.py::TestTeachingMdFollowedLiterally",
    "tests/test_book.py",
    "tests/test_course.py::TestLearnersLab",
)


def _scope_rank(item) -> int:
    scope = item.nodeid.rsplit("::", 1)[0]  # xdist's loadscope unit: the class, else the module
    return LONGEST_FIRST.index(scope) if scope in LONGEST_FIRST else len(LONGEST_FIRST)


@pytest.hookimpl(trylast=True)  # after -k / -m have deselected what they do
def pytest_collection_modifyitems(config, items):
    items.sort(key=_scope_rank)  # stable: every other test keeps its place
    lessons = _lessons_run_in_the_browser(items)
    if not lessons:
        return
    root = Path(__file__).resolve().parent / "notebooks"
    compared_there = [
        item
        for item in items
        if type(item).__name__ == "IPyNbCell"
        and Path(str(item.fspath)).parent == root
        and item.fspath.basename in lessons
    ]
    if compared_there:
        config.hook.pytest_deselected(items=compared_there)
        items[:] = [item for item in items if item not in set(compared_there)]


# --- What a fresh interpreter imports: two subprocesses answer the import checks of several test modules ----
# (tests/test_project.py, test_training.py, test_data.py each started their own, 2-4 s of CPU apiece for torch).
# The first leaves each check the state its own fresh `python -c` had: the timing first (`import time, torch`
# then `import vit_explained`), the top-level modules before anything else is imported, and
# `import vit_explained.pretrained` last. The data loaders get an interpreter of their own (a fresh
# `from vit_explained.data import ...`): not a fork of the first, which macOS does not allow after torch's import.
_FRESH_IMPORTS = """
import json, sys, time, torch
start = time.perf_counter()
import vit_explained
report = {"import_seconds": time.perf_counter() - start}
report["heavy_after_import"] = sorted(
    m for m in ("matplotlib", "transformers", "sklearn", "mlxtend") if m in sys.modules
)
import vit_explained.pretrained
report["train_modules_after_pretrained"] = sorted(m for m in sys.modules if m.startswith("vit_explained.train"))
print(json.dumps(report))
"""
_FRESH_DATA = """
import json, sys
from vit_explained.data import load_digits, load_mnist
load_mnist(); load_digits()
print(json.dumps(sorted(m for m in ("sklearn", "mlxtend", "pandas", "scipy") if m in sys.modules)))
"""


@pytest.fixture(scope="session")
def fresh_imports(tmp_path_factory) -> dict:
    """What one fresh interpreter imports (see _FRESH_IMPORTS): the seconds ``import vit_explained`` takes
    beyond torch, the heavy modules after the top-level import and after loading the digits, and the
    ``vit_explained.train*`` modules after ``import vit_explained.pretrained``. Under xdist the first worker to
    ask runs it and the others read its answer (the workers' temporary folders share this run's parent)."""
    import json
    import subprocess
    import sys

    def run() -> str:
        def fresh(code: str) -> str:
            return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

        report = json.loads(fresh(_FRESH_IMPORTS))
        report["heavy_after_loading_data"] = json.loads(fresh(_FRESH_DATA))
        return json.dumps(report)

    if "PYTEST_XDIST_WORKER" not in os.environ:  # alone, the parent folder holds earlier runs' folders too
        return json.loads(run())
    import fcntl

    shared = tmp_path_factory.getbasetemp().parent / "fresh-imports.json"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not shared.is_file():
            shared.write_text(run())
        return json.loads(shared.read_text())
