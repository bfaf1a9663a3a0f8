"""Build the book: a static website of the executed series, under build/book/ (`make book`).

    python tools/book.py            # stage the pages, run Sphinx; open build/book/index.html
    python tools/book.py --stage    # only stage the pages into build/book/.source

Re-executes nothing: every lesson page shows the outputs its notebook stores. Works offline (the
theme, its fonts and icons and MathJax are copied into the site). Writes only under build/book/:
the pages are staged into build/book/.source (Sphinx's source folder, configured by book/conf.py),
Sphinx's cache goes to build/book/.doctrees, MyST-NB's extracted pictures to
build/book/.jupyter_execute (book/conf.py), the HTML to build/book/. A staged file is rewritten
only when its content changes, so a second build redoes only what changed.

What staging does:
- index.md: the README's front matter (its introduction, the lesson table, the pictures), then the
  book's table of contents;
- notebooks/NN_*.ipynb and notebooks/solutions/*.ipynb: copies of the notebooks in which the first
  cell's Binder/Colab badges become a box of launch links (Binder, Colab, download the .ipynb) and
  a note that the assertion cells (tag `hide-input`) are collapsed; a widget's output becomes the
  picture it stored and its line of text;
- TEACHING.md, book/reading.md, book/api.md (one autodoc section per module of the package);
- in every page, a link to a file of the repository that is not a page of the book points at the
  repository on GitHub; a picture of the repository (figures/...) is copied next to its page;
  a picture from the web (a badge) becomes its alt text, so no page loads anything from outside.
"""

from __future__ import annotations

import copy
import json
import pkgutil
import posixpath
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import readme  # noqa: E402  (tools/readme.py: the repository URL, Binder and Colab links)

BOOK = ROOT / "book"
OUT = ROOT / "build" / "book"
SOURCE = OUT / ".source"
DOCTREES = OUT / ".doctrees"
IMAGE_SUFFIXES = {".png", ".gif", ".jpg", ".jpeg", ".svg", ".webp"}
MODULES_MARKER = "<!-- modules: tools/book.py writes one section per module here -->"

_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^()\s]+)\)")
_WEB_IMAGE = re.compile(r"!\[([^\]]*)\]\((https?://[^)\s]+)\)")


def lessons() -> list[Path]:
    return sorted(ROOT.glob("notebooks/[0-9][0-9]_*.ipynb"))


def solutions() -> list[Path]:
    return sorted(ROOT.glob("notebooks/solutions/[0-9][0-9]_*.ipynb"))


def pages() -> list[str]:
    """The staged pages (paths under build/book/.source), in the book's order."""
    return [
        "index.md",
        "reading.md",
        *(p.relative_to(ROOT).as_posix() for p in lessons()),
        *(p.relative_to(ROOT).as_posix() for p in solutions()),
        "TEACHING.md",
        "api.md",
    ]


class Stage:
    """Writes the staged source tree; remembers every file so stale ones can be removed."""

    def __init__(self, root: Path = SOURCE) -> None:
        self.root = root
        self.written: set[Path] = set()

    def write(self, relative: str, data: str | bytes) -> None:
        path = self.root / relative
        raw = data.encode() if isinstance(data, str) else data
        self.written.add(path)
        if path.exists() and path.read_bytes() == raw:
            return  # unchanged: Sphinx keeps its cached page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)

    def copy(self, relative: str) -> None:
        self.write(relative, (ROOT / relative).read_bytes())

    def prune(self) -> None:
        for path in sorted(self.root.rglob("*"), reverse=True):
            if path.is_file() and path not in self.written:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def rewrite_links(text: str, origin: str, staged_as: str, stage: Stage, page_paths: set[str]) -> str:
    """Make a Markdown text's links work in the book.

    ``origin`` is the file's path in the repository (links are relative to it), ``staged_as`` its
    path in the book. A link to a page of the book points at the page; a picture of the repository
    is copied into the book; any other file of the repository points at GitHub; a picture from the
    web becomes its alt text (the book loads nothing from outside)."""
    text = _WEB_IMAGE.sub(lambda m: m.group(1), text)
    repository = readme.repository_url()
    here = posixpath.dirname(origin)
    there = posixpath.dirname(staged_as)

    def replace(match: re.Match) -> str:
        bang, label, target = match.groups()
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(here, path))
        staged = "index.md" if resolved == "README.md" else resolved
        suffix = f"#{anchor}" if anchor else ""
        if staged in page_paths:
            return f"{bang}[{label}]({posixpath.relpath(staged, there or '.')}{suffix})"
        file = ROOT / resolved
        if bang and file.suffix.lower() in IMAGE_SUFFIXES and file.is_file():
            stage.copy(resolved)
            return f"{bang}[{label}]({posixpath.relpath(resolved, there or '.')})"
        kind = "tree" if file.is_dir() else "blob"
        return f"{bang}[{label}]({repository}/{kind}/main/{resolved}{suffix})"

    return _LINK.sub(replace, text)


#: The README's sections shown on the home page after its introduction, in this order.
HOME_SECTIONS = ("The lessons", "A few pictures from the lessons")


def front_matter() -> str:
    """The README's introduction (its text before the first ``##`` heading) and HOME_SECTIONS."""
    text = (ROOT / "README.md").read_text()
    intro, *sections = re.split(r"^(?=## )", text, flags=re.MULTILINE)
    by_title = {section.splitlines()[0][3:].strip(): section for section in sections}
    missing = [title for title in HOME_SECTIONS if title not in by_title]
    if missing:
        raise ValueError(f"README.md has no section {missing}: update HOME_SECTIONS in tools/book.py")
    return "\n\n".join([intro.strip(), *(by_title[title].strip() for title in HOME_SECTIONS)]) + "\n"


def toctree(caption: str, entries: list[str]) -> str:
    lines = [":::{toctree}", f":caption: {caption}", ":hidden:", ":maxdepth: 1", "", *entries, ":::", ""]
    return "\n".join(lines)


def index_page(stage: Stage, page_paths: set[str]) -> str:
    home = rewrite_links(front_matter(), "README.md", "index.md", stage, page_paths)
    home += (
        "\n## This book\n\n"
        "Every lesson and its solutions as a page, shown with the outputs the notebooks store (nothing is "
        "re-run), with links to run each lesson on Binder or Colab or to download it; "
        "[how to read this book](reading.md) (collapsed check cells, widgets as pictures), "
        "[the guide for teachers](TEACHING.md) and [the API reference](api.md).\n\n"
    )
    home += toctree("Start here", ["reading"])
    home += toctree("Lessons", [p.relative_to(ROOT).with_suffix("").as_posix() for p in lessons()])
    home += toctree("Solutions", [p.relative_to(ROOT).with_suffix("").as_posix() for p in solutions()])
    home += toctree("Teaching and reference", ["TEACHING", "api"])
    return home


def launch_box(notebook: Path, staged_as: str, hidden_checks: int) -> str:
    """The box of launch links and notes at the top of a lesson or solutions page."""
    name = notebook.relative_to(ROOT / "notebooks").as_posix()
    download = posixpath.relpath(f"_notebooks/{name}", posixpath.dirname(staged_as))
    lines = [
        ":::{admonition} Run this notebook",
        ":class: tip launch-links",
        "",
        f"[Launch on Binder]({readme.binder_url(name)}) · [Open in Colab]({readme.colab_url(name)}) · "
        f"{{download}}`Download the notebook <{download}>` (for your JupyterLab: `make lab`)",
        "",
    ]
    notes = []
    if hidden_checks:
        notes.append(
            f"The {hidden_checks} cells that only check this page's claims are collapsed: "
            "click **Show code cell source** to open one."
        )
    notes.append(
        "Outputs are the ones the notebook stores; widgets show their last picture: run the notebook to move them."
    )
    lines += [" ".join(notes), ":::", ""]
    return "\n".join(lines)


_BADGES = re.compile(r"^\s*\[!\[[^\n]*(mybinder\.org|colab\.research\.google\.com)[^\n]*$\n?", re.MULTILINE)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_as_picture(output: dict) -> list[dict]:
    """A widget's stored output as the reader sees it without a kernel: the picture it drew last, then
    its line of text (the package's widgets store ``ClassName: line`` as text; the line is what the
    widget prints in JupyterLab)."""
    data = output.get("data", {})
    if WIDGET_VIEW not in data or not any(mime.startswith("image/") for mime in data):
        return [output]
    picture = {mime: value for mime, value in data.items() if mime.startswith("image/")}
    parts = [{"output_type": "display_data", "data": picture, "metadata": output.get("metadata", {})}]
    if "text/plain" in data:
        text = "".join(data["text/plain"]) if isinstance(data["text/plain"], list) else data["text/plain"]
        text = re.sub(r"^[A-Z]\w*Widget: ", "", text)
        parts.append({"output_type": "display_data", "data": {"text/plain": text}, "metadata": {}})
    return parts


def stage_notebook(notebook: Path, stage: Stage, page_paths: set[str]) -> None:
    origin = notebook.relative_to(ROOT).as_posix()
    nb = json.loads(notebook.read_text())
    stage.write(f"_notebooks/{notebook.relative_to(ROOT / 'notebooks').as_posix()}", notebook.read_bytes())
    nb = copy.deepcopy(nb)
    nb["metadata"].pop("widgets", None)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [part for output in cell.get("outputs", []) for part in widget_as_picture(output)]
    hidden = sum("hide-input" in c.get("metadata", {}).get("tags", []) for c in nb["cells"])
    first = nb["cells"][0]
    if first["cell_type"] != "markdown":
        raise ValueError(f"{origin}: the first cell should be the title (Markdown)")
    source = "".join(first["source"])
    source = _BADGES.sub("", source)
    title, _, body = source.partition("\n")
    box = launch_box(notebook, origin, hidden)
    first["source"] = f"{title}\n\n{box}\n{body.lstrip()}"
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = rewrite_links(text, origin, origin, stage, page_paths)
    stage.write(origin, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def api_page() -> str:
    import vit_explained

    names = sorted(
        m.name
        for m in pkgutil.walk_packages(vit_explained.__path__, "vit_explained.")
        if not any(part.startswith("_") for part in m.name.split("."))
    )
    # The package's own docstring only: its members are documented once, in the module that defines them.
    sections = ["```{eval-rst}\n.. automodule:: vit_explained\n   :no-members:\n```\n"]
    sections += [f"## `{name}`\n\n```{{eval-rst}}\n.. automodule:: {name}\n```\n" for name in names]
    text = (BOOK / "api.md").read_text()
    if MODULES_MARKER not in text:
        raise ValueError(f"book/api.md lost its marker {MODULES_MARKER!r}")
    return text.replace(MODULES_MARKER, "\n".join(sections))


def stage_all(root: Path = SOURCE) -> Stage:
    stage = Stage(root)
    page_paths = set(pages())
    stage.write("index.md", index_page(stage, page_paths))
    stage.write("reading.md", (BOOK / "reading.md").read_text())
    for notebook in [*lessons(), *solutions()]:
        stage_notebook(notebook, stage, page_paths)
    stage.write(
        "TEACHING.md",
        rewrite_links((ROOT / "TEACHING.md").read_text(), "TEACHING.md", "TEACHING.md", stage, page_paths),
    )
    stage.write("api.md", api_page())
    stage.prune()
    return stage


def build(quiet: bool = True) -> int:
    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    stage_all()
    args = ["-b", "html", "-c", str(BOOK), "-d", str(DOCTREES), "-j", "1", str(SOURCE), str(OUT)]
    status = build_main(["-q", *args] if quiet else args)
    if status == 0:
        (OUT / "index.html").touch()  # the build's time stamp (tests/test_book.py reuses a build newer than its inputs)
        print(
            f"The book: {OUT / 'index.html'} ({time.perf_counter() - start:.1f} s); "
            "to serve it: python -m http.server -d build/book"
        )
    return status


def main(argv: list[str]) -> int:
    if "--stage" in argv:
        stage_all()
        print(f"staged {len(pages())} pages into {SOURCE}")
        return 0
    return build(quiet="--verbose" not in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
