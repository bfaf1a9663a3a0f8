"""A learner's view: lesson 02 in JupyterLab in a real (headless) Chromium.

nbval proves the cells run; this proves a learner sees them work: JupyterLab starts on
127.0.0.1 with a token, Chromium opens lesson 02, runs all cells, moves the soft-split
explorer's `kernel` slider, and the printed token count changes. No cell shows an error except
the exercise checks that are meant to (tagged `raises-exception`). A screenshot goes to
figures/ for the README. Skipped, with the reason, where Chromium is not installed;
`.ci/run` installs it so CI runs this test.
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
LESSON = "02_soft_split_token_counting.ipynb"
SCREENSHOT = ROOT / "figures" / "browser_lesson02_explorer.png"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKENS_LINE = re.compile(r"tokens: (\d+) x (\d+) = (\d+)")

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """JupyterLab serving a copy of notebooks/ (so the run changes nothing in the repository)."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "notebooks", site / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
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
        yield url, token
    finally:
        # Stop JupyterLab by its own process id (its kernels are shut down by the server).
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


NOTEBOOK_STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const cells = panel.content.widgets.map((cell) => {
    const model = cell.model;
    const outputs = model.type === 'code' ? model.outputs.toJSON() : [];
    return {
      type: model.type,
      count: model.type === 'code' ? model.executionCount : null,
      tags: model.getMetadata('tags') || [],
      errors: outputs.filter((o) => o.output_type === 'error').map((o) => o.ename + ': ' + o.evalue),
      text: outputs.map((o) => (o.text || '') + ((o.data && o.data['text/plain']) || '')).join(''),
    };
  });
  return {status: panel.sessionContext.session?.kernel?.status ?? 'none', cells};
}"""


def _explorer_output(page):
    """The explorer's Output widget (the one that prints the token count) and its text."""
    for output in page.locator(".widget-output").all():
        text = " ".join(output.inner_text().split())  # rendered text may hold non-breaking spaces
        if TOKENS_LINE.search(text):
            return output, text
    raise AssertionError("no widget output prints 'tokens: rows x cols = total'")


def test_lesson02_explorer_in_a_real_browser(jupyterlab, tmp_path):
    url, token = jupyterlab
    notebook = json.loads((ROOT / "notebooks" / LESSON).read_text())
    code_cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}/lab/tree/{LESSON}?token={token}")
            page.wait_for_function(f"() => ({NOTEBOOK_STATE})()?.status === 'idle'", timeout=90_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            # Finished: every code cell has an execution count and the kernel is idle again.
            page.wait_for_function(
                f"""() => {{ const s = ({NOTEBOOK_STATE})();
                    return s && s.status === 'idle' && s.cells.filter(c => c.type === 'code')
                                                              .every(c => c.count !== null); }}""",
                timeout=180_000,
                polling=1000,
            )
            state = page.evaluate(f"({NOTEBOOK_STATE})()")
            cells = [cell for cell in state["cells"] if cell["type"] == "code"]
            assert len(cells) == len(code_cells)
            unexpected = [
                (index, cell["errors"])
                for index, cell in enumerate(cells)
                if cell["errors"] and "raises-exception" not in cell["tags"]
            ]
            assert unexpected == [], f"cells show errors in the browser: {unexpected}"

            # The explorer: read the count, move the kernel slider, read it again.
            page.wait_for_function(
                r"""(pattern) => [...document.querySelectorAll('.widget-output')]
                     .some(o => new RegExp(pattern).test(o.innerText.replace(/\s+/g, ' ')))""",
                arg=TOKENS_LINE.pattern,
                timeout=30_000,
            )
            output, text = _explorer_output(page)
            output.scroll_into_view_if_needed()
            before = TOKENS_LINE.search(text).groups()
            slider = page.locator(".widget-slider", has=page.locator(".widget-label", has_text="kernel")).first
            handle = slider.locator(".noUi-handle").first
            track = slider.locator(".noUi-base").first.bounding_box()
            grip = handle.bounding_box()
            start_x, y = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
            # Drag the handle with the mouse, as a learner would, to a quarter (or three quarters) of the track.
            target_x = track["x"] + track["width"] * (0.25 if start_x > track["x"] + track["width"] * 0.5 else 0.75)
            page.mouse.move(start_x, y)
            page.mouse.down()
            page.mouse.move(target_x, y, steps=10)
            page.mouse.up()
            page.wait_for_function(
                r"""([pattern, before]) => [...document.querySelectorAll('.widget-output')]
                     .map(o => o.innerText.replace(/\s+/g, ' ').match(new RegExp(pattern)))
                     .some(m => m && m[0] !== before)""",
                arg=[TOKENS_LINE.pattern, "tokens: {} x {} = {}".format(*before)],
                timeout=30_000,
            )
            rows, cols, total = (int(n) for n in TOKENS_LINE.search(_explorer_output(page)[1]).groups())
            assert (rows, cols, total) != tuple(int(n) for n in before)
            assert rows * cols == total
            page.evaluate("window.jupyterapp.shell.collapseLeft()")  # more room for the lesson
            slider.scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOT))
        except Exception:
            failure = tmp_path / "failure.png"
            page.screenshot(path=str(failure))
            print(f"screenshot of the failure: {failure}")
            raise
        finally:
            browser.close()
