"""The book (`make book`) as a reader sees it: every page of build/book/ in headless Chromium.

The site is built once (tools/book.py; an existing build is reused when it is newer than every
input), served on 127.0.0.1 by Python's http.server, and every HTML page is opened. Any request
to another host is refused and reported: the book must work offline. On each page:

- every image loads (``naturalWidth > 0``);
- every internal link resolves: its file exists and its ``#anchor``, if any, is an id of that page;
- the maths is typeset (each ``.math`` node holds MathJax's output), and the lessons whose Markdown
  has maths have some;
- no cell output shows ``<Figure size`` text or a raw traceback (the API reference may name them).

Each lesson page has its pictures (one per picture its notebook stores), its launch links
(Binder, Colab, the .ipynb) and its check cells collapsed, with a note saying so. Skipped, with the
reason, where Chromium is missing.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "build" / "book"
SOURCE = BOOK / ".source"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

sys.path.insert(0, str(ROOT / "tools"))

import sync_environment  # noqa: E402

try:
    from playwright import sync_api
except ImportError:  # pragma: no cover
    sync_api = None

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INPUTS = [
    "README.md",
    "TEACHING.md",
    "pyproject.toml",
    "tools/book.py",
    "tools/readme.py",
    *(f"{folder}/**/*" for folder in ("book", "notebooks", "vit_explained")),
]
# What an output may not show: matplotlib's repr of a figure that was not drawn; a Python or IPython
# traceback (its header line, or IPython's "Cell In[3], line 2" frame).
FORBIDDEN_TEXT = ("<Figure size", "Traceback (most recent call last)", "Cell In[")
MATH_IN_MARKDOWN = re.compile(r"\$\$|(?<![\w$\\])\$[^\s$][^$\n]*\$(?![\w$])|\\begin\{")

PAGE_STATE = """async () => {
  if (document.querySelector('.math') && window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
  const main = document.querySelector('article') || document.body;
  const images = [...document.images].map((img) => ({src: img.currentSrc || img.src, width: img.naturalWidth,
                                                      inMain: main.contains(img)}));
  const links = [...document.querySelectorAll('a[href]')].map((a) => a.href);
  const ids = [...document.querySelectorAll('[id]')].map((node) => node.id);
  const math = [...document.querySelectorAll('.math')];
  return {
    images, links, ids,
    text: document.body.innerText,
    outputs: [...document.querySelectorAll('.cell_output')].map((node) => node.innerText).join(' | '),
    math: math.length,
    typeset: math.filter((node) => node.querySelector('mjx-container')).length,
    collapsed: document.querySelectorAll('details.hide.above-input').length,
    launch: [...document.querySelectorAll('.launch-links a')].map((a) => a.textContent.trim()),
  };
}"""


def _newest_input() -> float:
    files = (path for pattern in INPUTS for path in ROOT.glob(pattern) if path.is_file())
    return max(path.stat().st_mtime for path in files)


@pytest.fixture(scope="module")
def book() -> Path:
    """build/book/, built now unless an existing build is newer than every input."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed here (apt-get install chromium); .ci/run installs it")
    if sync_api is None:
        pytest.skip("playwright (pinned in requirements.txt) is missing")
    index = BOOK / "index.html"
    if not index.exists() or index.stat().st_mtime < _newest_input():
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "tools/book.py"], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, f"tools/book.py failed:\n{result.stdout}\n{result.stderr}"
        print(f"built the book in {time.perf_counter() - start:.1f} s")
    return BOOK


@pytest.fixture(scope="module")
def site(book):
    """The book served by http.server on 127.0.0.1 (a thread of this process)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(book)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _pages(book: Path) -> list[str]:
    return sorted(
        path.relative_to(book).as_posix()
        for path in book.rglob("*.html")
        if not any(part.startswith((".", "_")) for part in path.relative_to(book).parts)
    )


@pytest.fixture(scope="module")
def crawl(site, book):
    """Open every page once; return {page: its state} and the requests to other hosts."""
    outside: list[str] = []
    states: dict[str, dict] = {}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})

            def route(request_route):
                url = request_route.request.url
                if url.startswith(site) or url.startswith(("data:", "blob:")):
                    request_route.continue_()
                else:
                    outside.append(url)
                    request_route.abort()

            context.route("**/*", route)
            page = context.new_page()
            for name in _pages(book):
                page.goto(f"{site}/{name}", wait_until="load")
                states[name] = page.evaluate(PAGE_STATE)
        finally:
            browser.close()
    return states, outside


def _lesson_notebooks() -> list[Path]:
    return sorted(SOURCE.glob("notebooks/[0-9][0-9]_*.ipynb"))


def test_the_book_has_every_page(crawl):
    states, _ = crawl
    expected = {"index.html", "TEACHING.html", "api.html", "reading.html"}
    expected |= {f"notebooks/{p.stem}.html" for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    expected |= {f"notebooks/solutions/{p.stem}.html" for p in (ROOT / "notebooks" / "solutions").glob("*.ipynb")}
    assert expected <= set(states), sorted(expected - set(states))


def test_the_build_writes_only_under_build_book(book):
    strays = [name for name in ("jupyter_execute", ".jupyter_cache") if (ROOT / "build" / name).exists()]
    assert not strays, f"the book wrote build/{strays[0]}: everything belongs under build/book/ (book/conf.py)"
    assert (book / "_static" / "mathjax" / "tex-chtml.js").is_file(), "MathJax is not shipped with the book"


def test_nothing_is_loaded_from_outside(crawl):
    _, outside = crawl
    assert not outside, f"the book loads from other hosts (it must work offline): {sorted(set(outside))[:10]}"


def test_every_image_loads(crawl):
    states, _ = crawl
    broken = [(name, image["src"]) for name, state in states.items() for image in state["images"] if not image["width"]]
    assert not broken, broken[:10]


def test_every_internal_link_resolves(crawl, site, book):
    states, _ = crawl
    missing = []
    for name, state in states.items():
        for link in state["links"]:
            if not link.startswith(site):
                continue
            parts = urlsplit(link)
            target = unquote(parts.path).lstrip("/") or "index.html"
            path = book / target
            if path.is_dir():
                target, path = f"{target.rstrip('/')}/index.html", path / "index.html"
            anchor = unquote(parts.fragment)
            if not path.is_file() or (anchor and target in states and anchor not in states[target]["ids"]):
                missing.append((name, link))
    assert not missing, missing[:10]


def test_maths_is_typeset(crawl):
    states, _ = crawl
    untypeset = {name: (s["typeset"], s["math"]) for name, s in states.items() if s["typeset"] < s["math"]}
    assert not untypeset, f"pages with maths MathJax did not typeset (typeset, math nodes): {untypeset}"
    with_maths = []
    for notebook in _lesson_notebooks():
        cells = json.loads(notebook.read_text())["cells"]
        markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        markdown = re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", markdown, flags=re.DOTALL))
        if MATH_IN_MARKDOWN.search(markdown):
            with_maths.append(notebook.stem)
            assert states[f"notebooks/{notebook.stem}.html"]["math"] > 0, f"{notebook.stem}: its maths is not maths"
    assert with_maths, "no lesson has maths: the check of the typesetting checks nothing"


def test_no_output_shows_a_figure_repr_or_a_traceback(crawl):
    states, _ = crawl
    assert sum(bool(state["outputs"]) for state in states.values()) >= 10, "the pages show no cell outputs"
    shown = [(name, text) for name, state in states.items() for text in FORBIDDEN_TEXT if text in state["outputs"]]
    assert not shown, shown


def test_each_lesson_page_has_its_pictures_launch_links_and_collapsed_checks(crawl):
    states, _ = crawl
    notebooks = _lesson_notebooks()
    assert len(notebooks) >= 10
    for notebook in notebooks:
        state = states[f"notebooks/{notebook.stem}.html"]
        cells = json.loads(notebook.read_text())["cells"]
        pictures = sum(
            any(mime.startswith("image/") for mime in output.get("data", {}))
            for cell in cells
            for output in cell.get("outputs", [])
        )
        shown = sum(image["inMain"] and image["width"] > 0 for image in state["images"])
        assert shown >= pictures, f"{notebook.stem}: {shown} pictures shown, the notebook stores {pictures}"
        assert any("Binder" in text for text in state["launch"]), notebook.stem
        assert any("Colab" in text for text in state["launch"]), notebook.stem
        assert any("notebook" in text.lower() for text in state["launch"]), notebook.stem
        hidden = sum("hide-input" in cell.get("metadata", {}).get("tags", []) for cell in cells)
        assert state["collapsed"] >= hidden, f"{notebook.stem}: {state['collapsed']} collapsed cells, {hidden} tagged"
        if hidden:
            assert "cells that only check" in state["text"], f"{notebook.stem}: no note that checks are collapsed"


def test_book_packages_are_pinned_installed_and_not_on_binder():
    from importlib.metadata import version

    pins = sync_environment.book_pins()
    assert {"sphinx", "myst-nb", "sphinx-book-theme", "sphinx-mathjax-offline"} <= set(pins)
    environment = (ROOT / "environment.yml").read_text().lower()
    for name, pinned in pins.items():
        assert version(name) == pinned, name
        assert f"- {name}==" not in environment, f"{name} belongs to the book, not to Binder's image"


def test_staging_links_pages_copies_pictures_and_loads_nothing_from_outside(tmp_path):
    import book as book_tool

    stage = book_tool.stage_all(tmp_path)
    for page in book_tool.pages():
        assert (tmp_path / page).is_file(), page
    for path in stage.written:
        if path.suffix in (".md", ".ipynb") and "_notebooks" not in path.parts:
            text = path.read_text()
            assert not re.search(r"!\[[^\]]*\]\(https?://", text), f"{path.name} shows a picture from the web"
    home = (tmp_path / "index.md").read_text()
    assert "(notebooks/01_patches_and_embeddings.ipynb)" in home  # a lesson link stays a page of the book
    assert (tmp_path / "figures" / "01_vit_map.png").is_file()  # a README picture is copied
    api = (tmp_path / "api.md").read_text()
    assert ".. automodule:: vit_explained.patches" in api and "_checks" not in api
    first = "".join(
        json.loads((tmp_path / "notebooks/02_soft_split_token_counting.ipynb").read_text())["cells"][0]["source"]
    )
    assert "mybinder.org/v2/gh/" in first and "colab.research.google.com/github/" in first and "{download}" in first


def test_a_widget_output_becomes_its_picture_and_its_line():
    import book as book_tool

    widget = {
        "output_type": "execute_result",
        "data": {
            "application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2, "version_minor": 0},
            "image/png": "iVBORw0KGgo=",
            "text/plain": ["PatchGridWidget: 224 x 224 image"],
        },
        "metadata": {},
    }
    picture, line = book_tool.widget_as_picture(widget)
    assert picture["data"] == {"image/png": "iVBORw0KGgo="}
    assert line["data"] == {"text/plain": "224 x 224 image"}
    plain = {"output_type": "stream", "name": "stdout", "text": "hello\n"}
    assert book_tool.widget_as_picture(plain) == [plain]
