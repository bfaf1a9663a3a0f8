"""Sphinx configuration of the book (`make book`, tools/book.py).

tools/book.py stages the pages (the README's front matter, the lesson and solution notebooks,
TEACHING.md, the pages of this folder) into build/book/.source and runs Sphinx on them with this
folder as the configuration directory. Nothing is executed: the pages show the outputs the
notebooks store. Everything a page loads (theme, fonts, icons, MathJax) is served from the book
itself, so the site works offline.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

from sphinx.util.fileutil import copy_asset

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # autodoc imports vit_explained from this checkout
REPOSITORY = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"].rstrip("/")

project = "vit-explained"
author = "the vit-explained authors"
copyright = "the vit-explained authors"
root_doc = "index"
language = "en"

extensions = [
    "myst_nb",  # notebooks and MyST Markdown
    "sphinx.ext.autodoc",  # the API reference from the docstrings
    "sphinx.ext.mathjax",
]
# MathJax 3.2.2 (tex-chtml, its fonts and extensions) as the package sphinx-mathjax-offline ships it,
# copied into _static/mathjax (see setup below): no CDN. Its own extension does the same but is not
# declared safe for Sphinx's parallel build, so this configuration does the copy itself.
MATHJAX = Path(importlib.util.find_spec("sphinx-mathjax-offline").origin).parent / "static" / "mathjax"
mathjax_path = "mathjax/tex-chtml.js"

# The stored outputs, never a re-execution.
nb_execution_mode = "off"
# A widget's stored output holds a widget view (no state: the notebooks strip it) and the PNG the
# widget drew last; show the PNG.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}  # never load the widget manager from a CDN
nb_merge_streams = True

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_inherit_docstrings = False  # no torch boilerplate ("Define the computation performed at every call")
autodoc_default_options = {"members": True, "show-inheritance": True}

exclude_patterns = ["_notebooks/**", "**.ipynb_checkpoints"]
# myst.xref_missing: a link to another lesson's explicit anchor (`<a id="appendix-a"></a>`, the form JupyterLab
# and Colab also resolve) is raw HTML that MyST cannot see, so MyST warns although the link works; every internal
# link and its anchor are checked on the built pages instead (tests/test_book.py, in Chromium).
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure", "myst.xref_missing"]

html_theme = "sphinx_book_theme"
html_title = "vit-explained"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": REPOSITORY,
    "repository_branch": "main",
    "use_repository_button": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    # Launch links are written into each lesson page by tools/book.py (Binder, Colab, the .ipynb).
    "launch_buttons": {},
    # No top navigation bar: the sidebar holds the title, the search and the table of contents.
    "navbar_start": [],
    "navbar_center": [],
    "navbar_end": [],
    "navbar_persistent": [],
}


def _keep_outputs_inside_the_book(app) -> None:
    """myst-nb writes the notebooks' pictures to <outdir>/../jupyter_execute; keep them in build/book/."""
    outdir = Path(app.outdir)
    app.env.mystnb_config = app.env.mystnb_config.copy(
        output_folder=str(outdir / ".jupyter_execute"), execution_cache_path=str(outdir / ".jupyter_cache")
    )


def _copy_mathjax(app, exception) -> None:
    if exception is None:
        copy_asset(MATHJAX, Path(app.outdir) / "_static" / "mathjax")


def _analyse_own_modules_only() -> None:
    """autodoc reads a module's source (sphinx.pycode, a slow tokenizer) for every class it meets, the bases'
    modules included: torch's nn.Module, matplotlib's Axes, traitlets... (9 of the build's 30 seconds). The
    API reference documents vit_explained only, so other modules are not read (autodoc takes a PycodeError
    as "no source": it still documents every signature and docstring from the objects themselves)."""
    from sphinx.errors import PycodeError
    from sphinx.pycode import ModuleAnalyzer

    read = ModuleAnalyzer.for_module.__func__

    def for_module(cls, modname: str):
        if modname.partition(".")[0] != "vit_explained":
            raise PycodeError(f"{modname} is not read: the API reference documents vit_explained only")
        return read(cls, modname)

    ModuleAnalyzer.for_module = classmethod(for_module)


def setup(app) -> None:
    _analyse_own_modules_only()
    app.connect("builder-inited", _keep_outputs_inside_the_book, priority=900)  # after myst-nb's own
    app.connect("build-finished", _copy_mathjax)
