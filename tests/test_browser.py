"""A learner's view: every lesson in JupyterLab in a real (headless) Chromium.

This run is also the lessons' nbval run in `make test`: each cell's fresh output is compared with the
stored one by nbval's own comparison (conftest.nbval_differences), and conftest.py deselects the nbval
items of the lessons run here, so each lesson executes once, not twice. JupyterLab starts on
127.0.0.1 with a token and serves a copy of notebooks/. For each lesson, Chromium opens it (JupyterLab starts a
fresh kernel for it, asserted new; the last lesson's is shut down), runs all cells, waits for idle, then asserts:

- every cell's output equals the stored one as nbval judges it, and the figure rules hold on this run;
- every picture it draws is the stored one (conftest.same_picture: a few shades may differ), in the cells
  nbval compares: a stored picture older than the plotting code fails here;
- no cell shows an error except the untouched exercise checks (tagged `raises-exception`), and
  those show one short line ("This exercise is not done yet: ..."), not a traceback;
- the number of rendered pictures equals the number the notebook should show (its stored
  outputs, which tests/test_notebooks.py keeps honest);
- every widget renders as a widget (not as `VBox(...)` text); one control of each lesson widget
  is moved as a learner would, and the widget's line of text changes to what the package's
  `compute` gives for the new values.

In lesson 02 it also types a wrong answer into an exercise stub and sees "Not yet", then a right
one and sees "Correct!". Screenshots go to build/browser/ (ignored by git). Skipped, with the
reason, where Chromium is not installed; `.ci/run` installs it so CI runs this test.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: notebooks with no widget of their own: the set-up check and the optional appendices of a lesson
WITHOUT_WIDGET = tuple(name for name in LESSONS if name.startswith("00_") or name.endswith("_appendix.ipynb"))
SCREENSHOTS = ROOT / "build" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed here (apt-get install chromium); .ci/run installs it"
)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (pinned in requirements.txt) is missing")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# No CSS animations or transitions (the editor's blinking caret, spinners, fades): headless Chromium otherwise paints
# frames for them the whole run, idle or not (2026-12-04, lesson 01 open and idle for 20 s: 1.9 CPU-s with them,
# 0.5 without). What the checks read (outputs, pictures, widgets' lines) does not depend on them.
NO_ANIMATION = """document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { animation: none !important; transition: none !important; }';
  document.head.appendChild(style);
});"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab serving a copy of notebooks/ (so the run changes nothing in the repository). The lessons are
    served without their stored outputs: the test clears them before Run All anyway, and Chromium would
    otherwise render every stored picture once for nothing. Yields (url, token, the stored notebooks' folder)."""
    tmp_path = tmp_path_factory.mktemp("lab")
    site = tmp_path / "site"
    shutil.copytree(ROOT / "notebooks", site / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    stored = tmp_path / "stored"
    stored.mkdir()
    for lesson in LESSONS:
        shutil.copy(site / "notebooks" / lesson, stored / lesson)
        notebook = json.loads((site / "notebooks" / lesson).read_text())
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        (site / "notebooks" / lesson).write_text(json.dumps(notebook, indent=1))
    (site / "figures").mkdir()
    port, token = _free_port(), secrets.token_hex(16)
    settings = tmp_path / "lab-settings" / "@jupyterlab"
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "notebook-extension").mkdir(parents=True)
    # No news pop-up; and render every cell (JupyterLab 4 otherwise drops cells scrolled out of view).
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    log = (tmp_path / "jupyterlab.log").open("w")
    environment = {**os.environ, "HOME": str(tmp_path), "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "lab-settings")}
    server = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
            f"--port={port}", f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
            f"--ServerApp.root_dir={site / 'notebooks'}", "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        stdout=log, stderr=subprocess.STDOUT, env=environment, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start; its log:\n{(tmp_path / 'jupyterlab.log').read_text()}")
            time.sleep(0.5)
        yield url, token, stored
    finally:
        # Stop JupyterLab by its own process id (its kernels are shut down by the server).
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


# The open notebook as the learner sees it: per code cell, the model's tags, errors and text, and
# the DOM's rendered pictures and widgets.
NOTEBOOK_STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const cells = panel.content.widgets.filter((cell) => cell.model.type === 'code').map((cell) => {
    const outputs = cell.model.outputs.toJSON();
    const node = cell.node;
    return {
      count: cell.model.executionCount,
      tags: cell.model.getMetadata('tags') || [],
      errors: outputs.filter((o) => o.output_type === 'error')
                     .map((o) => ({name: o.ename, shown: (o.traceback || []).join('\\n')})),
      text: [...node.querySelectorAll('.jp-OutputArea-output')].map((o) => o.innerText).join('\\n'),
      images: node.querySelectorAll(
        '.jp-RenderedImage.jp-OutputArea-output, .jp-OutputArea-output .jp-RenderedImage').length,
      widgetOutputs: outputs.filter((o) => o.data && o.data['application/vnd.jupyter.widget-view+json']).length,
      widgetViews: [...node.querySelectorAll(
                       '.jp-OutputArea-output .jupyter-widgets, .jupyter-widgets.jp-OutputArea-output')]
                     .filter((e) => !e.parentElement.closest('.jupyter-widgets')).length,
    };
  });
  return {status: panel.sessionContext.session?.kernel?.status ?? 'none', cells};
}"""

# Every code cell's outputs as nbformat JSON, picture bytes left out (nbval does not compare them).
FRESH_OUTPUTS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .filter((cell) => cell.model.type === 'code')
  .map((cell) => cell.model.outputs.toJSON())"""

RUN_IN_KERNEL = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let text = '';
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') text += msg.content.text;
    if (msg.header.msg_type === 'error') text += 'ERROR ' + msg.content.ename + ': ' + msg.content.evalue;
  };
  await future.done;
  return text;
}"""

# Every LessonWidget in the kernel: its line, and what the package computes for its current values.
WIDGET_LINES = """
import json as _json
from ipywidgets.widgets.widget import _instances as _widgets
from vit_explained.widgets import LessonWidget as _LessonWidget
def _predicted(widget):
    try:
        return widget.compute(**widget.values)[0]
    except (ValueError, TypeError) as error:
        return f"cannot show this: {error}"
print(_json.dumps([[w.line, _predicted(w)] for w in list(_widgets.values()) if isinstance(w, _LessonWidget)]))
"""

# Tag each top-level widget view (a widget not inside another) so Playwright can find them.
MARK_WIDGET_ROOTS = """() => [...document.querySelectorAll('.jp-OutputArea-output .jupyter-widgets')]
  .filter((e) => !e.parentElement.closest('.jupyter-widgets'))
  .forEach((e, i) => e.setAttribute('data-widget-root', String(i)))"""

CONTROLS = ".widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-checkbox, .widget-toggle-button"


from conftest import figure_problems, nbval_differences, picture_differences  # noqa: E402


def _expected_pictures(notebook: dict) -> int:
    from conftest import count_images

    return sum(count_images(cell.get("outputs", [])) for cell in notebook["cells"] if cell["cell_type"] == "code")


@pytest.fixture(scope="module")
def page(jupyterlab):
    url, token, _ = jupyterlab
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(60_000)
            page.add_init_script(NO_ANIMATION)
            page.goto(f"{url}/lab?token={token}")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=90_000)
            page.evaluate("async () => { await window.jupyterapp.restored; }")  # every plugin and command ready
            yield page
        finally:
            browser.close()


def _state(page) -> dict:
    return page.evaluate(f"({NOTEBOOK_STATE})()")


#: the kernels the lessons of this worker's JupyterLab ran on: each lesson gets a new one
_KERNELS_USED: set[str] = set()


def _open_and_run_all(page, lesson: str) -> dict:
    # Close what is open without a "save your work?" dialog: mark it clean first (it is a copy).
    # The last lesson's kernel is shut down with it: an idle kernel still holds its torch and answers heartbeats.
    page.evaluate(
        """async () => { const app = window.jupyterapp;
             for (const w of [...app.shell.widgets('main')]) { if (w.context) w.context.model.dirty = false; }
             await app.commands.execute('application:close-all');
             await app.serviceManager.sessions.shutdownAll(); }"""
    )
    # Open without awaiting the command's promise inside page.evaluate: Playwright fails the evaluate with "Resulting
    # promise was garbage collected" when JupyterLab drops that promise (seen once in CI, 2026-12-07). The promise is
    # kept on window and its outcome recorded; the wait below watches the panel itself.
    page.evaluate(
        """(path) => { window.vitOpenOutcome = null;
             window.vitOpen = window.jupyterapp.commands.execute('docmanager:open', {path})
               .then(() => { window.vitOpenOutcome = 'ok'; }, (e) => { window.vitOpenOutcome = String(e); }); }""",
        lesson,
    )
    page.wait_for_function(
        f"""() => {{ const outcome = window.vitOpenOutcome;
                     if (outcome && outcome !== 'ok') return true;
                     const p = window.jupyterapp.shell.currentWidget;
                     return p && p.context && p.context.path === '{lesson}'
                            && ({NOTEBOOK_STATE})()?.status === 'idle'; }}""",
        # A new kernel (torch imported) on 2 loaded cores: CI on be117dd beside reviewers once took over 90 s to
        # open 06's appendix and reach idle (the same lesson passes alone in 40 s).
        timeout=180_000,
        polling=250,  # not every animation frame: each poll makes headless Chromium produce a frame
    )
    outcome = page.evaluate("() => window.vitOpenOutcome")
    assert outcome in (None, "ok"), f"JupyterLab could not open {lesson}: {outcome}"
    page.evaluate("window.jupyterapp.shell.collapseLeft()")  # more room for the lesson
    # Forget the stored run (outputs and execution counts), so that "every cell has a count" below
    # can only mean this run reached it.
    page.evaluate(
        """() => { for (const cell of window.jupyterapp.shell.currentWidget.content.widgets) {
                     if (cell.model.type === 'code') { cell.model.outputs.clear(); cell.model.executionCount = null; }
                   } }"""
    )
    # Run All on the kernel JupyterLab has just started for this notebook: as fresh as after "Restart Kernel and Run
    # All", without starting a second kernel (the sessions of earlier lessons were shut down above). Asserted: a
    # kernel no lesson of this run has used.
    kernel = page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.id")
    assert kernel not in _KERNELS_USED, f"{lesson} would run on a kernel an earlier lesson used"
    _KERNELS_USED.add(kernel)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    # Finished: the kernel is idle again and every code cell has an execution count, or Run All
    # stopped at an error in a cell not tagged raises-exception (the assertions below report it).
    # The poll reads the notebook model only: NOTEBOOK_STATE's innerText would lay out every output each time.
    page.wait_for_function(
        """() => { const panel = window.jupyterapp.shell.currentWidget;
            const status = panel?.sessionContext?.session?.kernel?.status;
            if (status !== 'idle') return false;
            const cells = panel.content.widgets.filter((cell) => cell.model.type === 'code');
            return cells.every((cell) => cell.model.executionCount !== null)
                   || cells.some((cell) => !(cell.model.getMetadata('tags') || []).includes('raises-exception')
                                 && cell.model.outputs.toJSON().some((o) => o.output_type === 'error')); }""",
        timeout=240_000,
        polling=250,  # the model-only check is cheap; a second-long poll left up to 1 s idle per lesson
    )
    page.wait_for_timeout(500)  # let the last widgets and pictures render
    return _state(page)


def _move(control) -> None:
    """Change one control as a learner would: drag a slider, pick another option, click a toggle."""
    kind = control.get_attribute("class") or ""
    control.scroll_into_view_if_needed()
    if "widget-slider" in kind:
        page = control.page
        handle = control.locator(".noUi-handle").first
        track = control.locator(".noUi-base").first.bounding_box()
        grip = handle.bounding_box()
        start_x, y = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
        target_x = track["x"] + track["width"] * (0.3 if start_x > track["x"] + track["width"] * 0.5 else 0.7)
        page.mouse.move(start_x, y)
        page.mouse.down()
        page.mouse.move(target_x, y, steps=10)
        page.mouse.up()
    elif "widget-dropdown" in kind:
        select = control.locator("select").first
        options = select.locator("option").all()
        current = select.input_value()
        choice = next(o.get_attribute("value") for o in options if o.get_attribute("value") != current)
        select.select_option(value=choice)
    elif "widget-toggle-buttons" in kind:
        control.locator("button:not(.mod-active)").first.click()
    else:  # a checkbox or a single toggle button
        (control.locator("input").first if "widget-checkbox" in kind else control).click()


def _widget_lines(page) -> list[list[str]]:
    return json.loads(page.evaluate(f"({RUN_IN_KERNEL})", WIDGET_LINES))


def _lesson_in_a_real_browser(page, lesson, stored: Path):
    """Restart and run ``lesson`` in JupyterLab, then check what the learner sees (see the module docstring).
    ``stored``: the folder of the lessons as stored (what this run is compared with)."""
    notebook = json.loads((stored / lesson).read_text())
    code_cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        state = _open_and_run_all(page, lesson)
        cells = state["cells"]
        assert len(cells) == len(code_cells)

        unexpected = [
            (i, c["errors"]) for i, c in enumerate(cells) if c["errors"] and "raises-exception" not in c["tags"]
        ]
        assert unexpected == [], f"cells show errors in the browser: {unexpected}"
        for index, cell in enumerate(cells):
            for error in cell["errors"]:  # the untouched exercise checks: one short line, no traceback
                shown = re.sub(r"\x1b\[[0-9;]*m", "", error["shown"]).strip()
                assert (
                    shown.startswith(("This exercise is not done yet", "Not yet")) and len(shown.splitlines()) <= 3
                ), (index, shown)
                assert "File " not in shown and "Traceback" not in shown, (index, shown)

        # nbval's check, on this run: every cell's fresh output equals the stored one (conftest.py deselects
        # the nbval items of the lessons this test runs, so `make test` runs each lesson once, not twice).
        fresh = page.evaluate(FRESH_OUTPUTS)
        differences = nbval_differences(stored / lesson, fresh)
        assert differences == [], f"{lesson}: fresh outputs differ from the stored ones:\n" + "\n".join(differences)
        stale = picture_differences(stored / lesson, fresh)
        assert stale == [], f"{lesson}: pictures drawn now differ from the stored ones:\n" + "\n".join(stale)
        drawn = [
            f"cell {index}: {problem}"
            for index, (cell, outputs) in enumerate(zip(code_cells, fresh, strict=True))
            for problem in figure_problems("".join(cell["source"]), cell.get("metadata", {}).get("tags", []), outputs)
        ]
        assert drawn == [], f"{lesson}, this run:\n" + "\n".join(drawn)

        pictures = sum(c["images"] for c in cells)
        assert pictures == _expected_pictures(notebook), f"{lesson} shows {pictures} pictures"
        for index, cell in enumerate(cells):
            assert cell["widgetViews"] == cell["widgetOutputs"], f"cell {index}: a widget did not render"
            for text in ("VBox(", "HBox(", "Error displaying widget", "<Figure size"):
                assert text not in cell["text"], f"cell {index} shows {text!r} as text"

        page.evaluate(MARK_WIDGET_ROOTS)
        widgets = page.locator("[data-widget-root]").all()
        if lesson not in WITHOUT_WIDGET:
            assert widgets, f"{lesson} has no widget"
        for widget in widgets:
            controls = widget.locator(CONTROLS).all()
            if not controls or widget.locator(".widget-output").count() == 0:
                continue
            line = widget.locator(".widget-output").first
            before = " ".join(line.inner_text().split())
            _move(controls[0])
            page.wait_for_function(
                "([node, before]) => node.innerText.replace(/\\s+/g, ' ').trim() !== before",
                arg=[line.element_handle(), before],
                timeout=60_000,
                polling=100,
            )
            page.wait_for_function(f"() => ({NOTEBOOK_STATE})()?.status === 'idle'", timeout=60_000, polling=250)
        lines = _widget_lines(page)
        if lesson not in WITHOUT_WIDGET:
            assert lines, f"{lesson}: no LessonWidget in the kernel"
        for shown, predicted in lines:
            assert shown == predicted, f"{lesson}: the widget shows {shown!r}, the package computes {predicted!r}"
        page.screenshot(path=str(SCREENSHOTS / f"{lesson[:-6]}.png"))
    except Exception:
        page.screenshot(path=str(SCREENSHOTS / f"{lesson[:-6]}-failure.png"))
        raise


#: seconds each notebook takes in this test (four pytest workers on 2 cores, the clean-clone run of 2026-12-05
#: 17:20 UTC, `--durations`); "NNa" is lesson NN's appendix; a new notebook counts 60.
BROWSER_SECONDS = {"00": 24, "01": 48, "01a": 68, "02": 48, "03": 40, "03a": 34, "04": 51, "04a": 51, "05": 43,
                   "05a": 89, "06": 80, "06a": 45, "07": 33, "07a": 28, "08": 56, "08a": 60, "09": 26,
                   "09a": 68}  # fmt: skip


def _halves(lessons: list[str]) -> tuple[list[str], list[str]]:
    """Two groups of about equal time (longest first, each to the lighter group); lesson 02 in the first."""
    key = {n: n[:2] + ("a" if n.endswith("_appendix.ipynb") else "") for n in lessons}
    weight = {n: BROWSER_SECONDS.get(key[n], 60) for n in lessons}
    first, second = [n for n in lessons if n.startswith("02_")], []
    for name in sorted((n for n in lessons if n not in first), key=lambda n: (-weight[n], n)):
        lighter = first if sum(weight[n] for n in first) <= sum(weight[n] for n in second) else second
        lighter.append(name)
    return sorted(first), sorted(second)


FIRST_HALF, SECOND_HALF = _halves(LESSONS)


# The lessons in two groups: pytest-xdist (--dist loadscope) gives each class to a worker of its own, with a
# JupyterLab and a Chromium of its own (the fixtures are per worker), so the two halves run at the same time
# instead of one after the other on one worker (the suite's longest chain).
class TestFirstHalfInABrowser:
    # Lesson 02 last: the exercise test below then answers in the run that is already open.
    @pytest.mark.parametrize("lesson", sorted(FIRST_HALF, key=lambda name: name.startswith("02_")))
    def test_lesson_in_a_real_browser(self, page, jupyterlab, lesson):
        _lesson_in_a_real_browser(page, lesson, jupyterlab[2])

    def test_an_exercise_answered_in_the_browser(self, page):
        _an_exercise_answered_in_the_browser(page)


class TestSecondHalfInABrowser:
    @pytest.mark.parametrize("lesson", SECOND_HALF)
    def test_lesson_in_a_real_browser(self, page, jupyterlab, lesson):
        _lesson_in_a_real_browser(page, lesson, jupyterlab[2])


EXERCISE_STUB = "def final_grid("
WRONG = """def final_grid(height, width, splits):
    for kernel, stride, padding in splits:
        height = (height + 2 * padding - kernel) // stride  # forgot the + 1
        width = (width + 2 * padding - kernel) // stride
    return height, width
"""
RIGHT = WRONG.replace("// stride  # forgot the + 1", "// stride + 1").replace(
    "- kernel) // stride\n", "- kernel) // stride + 1\n"
)


def _an_exercise_answered_in_the_browser(page):
    """Lesson 02: type a wrong answer into the stub and run the check (a short 'Not yet'), then a right one."""
    lesson = "02_soft_split_token_counting.ipynb"
    state = _state(page)
    if not state or window_path(page) != lesson:
        _open_and_run_all(page, lesson)
    for answer, expected in ((WRONG, "Not yet"), (RIGHT, "Correct!")):
        index = page.evaluate(
            """([stub, answer]) => {
                 const notebook = window.jupyterapp.shell.currentWidget.content;
                 const index = notebook.widgets.findIndex(c => c.model.sharedModel.getSource().includes(stub));
                 notebook.widgets[index].model.sharedModel.setSource(answer);
                 notebook.activeCellIndex = index;
                 return index;
               }""",
            [EXERCISE_STUB, answer],
        )
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-cell-and-select-next')")
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-cell')")  # the check cell below it
        page.wait_for_function(
            """([index, expected]) => {
                 const cell = window.jupyterapp.shell.currentWidget.content.widgets[index + 1];
                 return cell.node.querySelector('.jp-OutputArea')?.innerText.includes(expected);
               }""",
            arg=[index, expected],
            timeout=60_000,
        )
        shown = page.evaluate(
            "(i) => window.jupyterapp.shell.currentWidget.content.widgets[i + 1]"
            ".node.querySelector('.jp-OutputArea').innerText",
            index,
        ).strip()
        assert len(shown.splitlines()) <= 3 and "Traceback" not in shown and "File " not in shown, shown
        if expected == "Correct!":
            assert "True" not in shown.splitlines()[-1], shown  # no stray True after the verdict
    page.screenshot(path=str(SCREENSHOTS / "02_exercise_checked.png"))


def window_path(page) -> str | None:
    return page.evaluate("() => window.jupyterapp.shell.currentWidget?.context?.path ?? null")
