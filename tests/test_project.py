"""The project's wiring: pins in one place, fast import, the README's two commands."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import sync_environment  # noqa: E402


def test_environment_yml_matches_requirements():
    assert sync_environment.main(["--check"]) == 0
    pins = sync_environment.pins()
    assert pins["torch"] == "2.13.0"
    environment = (ROOT / "environment.yml").read_text()
    for name, version in pins.items():
        assert f"- {name}=={version}\n" in environment


def test_every_requirement_is_pinned_and_no_torchvision():
    pins = sync_environment.pins()  # raises on any line not pinned with ==
    assert "torchvision" not in pins
    assert "timm" not in pins


def test_installed_versions_are_the_pins():
    from importlib.metadata import version

    for name, pinned in sync_environment.pins().items():
        assert version(name).split("+")[0] == pinned, name


def test_readme_commands_and_ci():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme
    assert "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci
    assert "apt-get install -y -qq chromium" in ci


def test_package_imports_fast_beyond_torch(fresh_imports):
    """A fresh interpreter: `import time, torch`, then `import vit_explained` timed (conftest.fresh_imports)."""
    seconds = fresh_imports["import_seconds"]
    assert seconds < 1.0, f"import vit_explained took {seconds:.2f} s beyond torch"


def test_top_level_import_does_not_pull_heavy_modules(fresh_imports):
    """The modules in sys.modules of a fresh interpreter right after `import vit_explained` (conftest.fresh_imports)."""
    assert fresh_imports["heavy_after_import"] == [], "import vit_explained pulls heavy modules"


def test_nbformat_imports_no_slow_iri_parser():
    """requirements.txt pins jsonschema below 4.25, whose format-nongpl extra (through jupyter-events) brings
    rfc3987-syntax: its import builds an Earley parser, 2.5 s of CPU in every process that imports nbformat or
    jupyter_server (nbval's workers, JupyterLab, nbgrader, the book). A fresh interpreter must not load it."""
    code = "import sys, nbformat, jupyter_server; print('rfc3987_syntax' in sys.modules, 'lark' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"], result.stdout
