"""The set-up a newcomer runs: checked with `make -n` (what would run) and on tiny fake interpreters.

These machines cannot reach PyTorch's own index, so CI installs with ``TORCH_INDEX=`` (see
.ci/run); these tests prove the Linux default still takes torch from PyTorch's CPU index.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("TORCH_INDEX", "PYTHON", "LAB_ARGS")}
    environment.update(env or {})
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def _install_commands(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, result: subprocess.CompletedProcess | None = None
) -> list[str]:
    result = result or _make("-n", "setup", f"VENV={tmp_path / 'venv'}", *args, env=env)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "pip install" in line]
    assert _pin("pip") in lines[0], lines  # first the pinned pip (the venv's own may be pip 23, 2.5x slower)
    return lines[1:]


@pytest.fixture(scope="module")
def default_setup(tmp_path_factory) -> subprocess.CompletedProcess[str]:
    """`make -n setup` with the defaults, run once for the tests that read it (each run costs ~1 s)."""
    return _make("-n", "setup", f"VENV={tmp_path_factory.mktemp('setup') / 'venv'}")


def _pin(name: str) -> str:
    return next(line for line in (ROOT / "requirements.txt").read_text().splitlines() if line.startswith(f"{name}=="))


def _torch_pin() -> str:
    return _pin("torch")


def test_the_pinned_pip_is_installed_first_and_stays_out_of_binder(default_setup):
    sys.path.insert(0, str(ROOT / "tools"))
    import sync_environment

    (pip_line, *_) = [line for line in default_setup.stdout.splitlines()
                      if "pip install" in line]  # fmt: skip
    assert pip_line.endswith(f"pip install --no-compile -q --disable-pip-version-check {_pin('pip')}"), pip_line
    assert "pip" not in sync_environment.pins()
    assert f"- {_pin('pip')}" not in (ROOT / "environment.yml").read_text()


@pytest.mark.skipif(platform.system() != "Linux", reason="the CPU index is the Linux default")
def test_linux_default_takes_torch_from_pytorchs_cpu_index(tmp_path, default_setup):
    torch_line, rest = _install_commands(tmp_path, result=default_setup)
    assert f"--index-url {CPU_INDEX} {_torch_pin()}" in torch_line
    assert "-r requirements.txt -e ." in rest and "--index-url" not in rest
    assert "--progress-bar on" in torch_line and "--quiet" not in torch_line + rest


def test_torch_index_can_be_overridden_or_emptied(tmp_path):
    cuda = "https://download.pytorch.org/whl/cu128"
    torch_line, _ = _install_commands(tmp_path, f"TORCH_INDEX={cuda}")
    assert f"--index-url {cuda} {_torch_pin()}" in torch_line
    torch_line, rest = _install_commands(tmp_path, env={"TORCH_INDEX": ""})  # what .ci/run does: PyPI
    assert "--index-url" not in torch_line + rest and torch_line.endswith(_torch_pin())
    assert "-r requirements.txt -e ." in rest
    assert _torch_pin() in (ROOT / "requirements.txt").read_text().splitlines()  # the rest finds its pin met


def _origin(module: str) -> str:
    """The file ``import module`` loads, found as the import system finds it (the path finder over each parent
    package's ``__path__``) without importing the parents: importlib.util.find_spec would import
    transformers.models.vit and nbgrader, about 2.4 s of CPU."""
    top, *parts = module.split(".")
    spec = importlib.util.find_spec(top)  # a top-level name is found without importing anything
    for part in parts:
        if spec.name in sys.modules:  # imported already (its __path__ may hold Path objects): nothing to import
            spec = importlib.util.find_spec(f"{spec.name}.{part}")
        else:
            spec = importlib.machinery.PathFinder.find_spec(f"{spec.name}.{part}", spec.submodule_search_locations)
    return spec.origin


def test_setup_compiles_on_every_core_and_leaves_nothing_uncompiled_that_a_test_imports(default_setup):
    lines = default_setup.stdout.splitlines()
    assert all("--no-compile" in line for line in lines if "pip install" in line)
    torch_compile, compile_line = [line for line in lines if "-m compileall" in line]
    # torch compiles on one core while pip installs the rest on the other, then everything else on every core
    assert "-j 1" in torch_compile and torch_compile.rstrip(" &\\").endswith("site-packages/torch >/dev/null")
    assert "& " in torch_compile and "wait $compiling" in "\n".join(lines)
    assert "-j 0" in compile_line
    pattern = re.compile(compile_line.split("-x '")[1].split("'")[0])
    site = Path(sysconfig.get_paths()["purelib"])
    imported = (
        "torch",
        "transformers",
        "transformers.models.vit.modeling_vit",
        "nbgrader.apps",
        "vit_explained",
        "sklearn.model_selection",
        "scipy.stats",
        "sympy.core",
        "matplotlib.pyplot",
        "huggingface_hub.hf_api",
    )
    for module in imported:
        origin = _origin(module)
        assert not pattern.search(origin), (module, origin)
    assert pattern.search(str(site / "numpy" / "_core" / "tests" / "test_api.py"))
    assert pattern.search(str(site / "transformers" / "models" / "bert" / "modeling_bert.py"))
    assert pattern.search(str(site / "pip" / "_internal" / "__init__.py"))  # NEVER_IMPORTED: nothing here imports it
    assert pattern.search(str(site / "sympy" / "physics" / "units" / "__init__.py"))


def test_lab_as_root_adds_allow_root_and_passes_lab_args():
    result = _make("-n", "lab", "LAB_ARGS=--no-browser --port=8899")
    assert result.returncode == 0, result.stderr
    lab = next(line for line in result.stdout.splitlines() if "jupyter lab --notebook-dir" in line)
    assert ("--allow-root" in lab) == (os.getuid() == 0)
    assert lab.rstrip().endswith("--no-browser --port=8899")


def test_an_old_python_is_refused_with_a_message(tmp_path):
    fake = tmp_path / "python3.9"
    fake.write_text('#!/bin/sh\necho "3.9.18"; exit 1\n')  # answers like an old interpreter
    fake.chmod(0o755)
    result = _make("check-python", f"PYTHON={fake}")
    assert result.returncode != 0
    assert "need Python 3.11 or newer" in result.stdout
    assert "make lab PYTHON=" in result.stdout


def test_ci_runs_the_test_command_and_checks_the_tree_is_clean():
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert "make test" in commands
    assert "export TORCH_INDEX=" in commands
    assert "git status --porcelain" in ci


def test_the_longest_work_units_named_first_exist_and_make_test_keeps_their_order():
    import conftest

    for scope in conftest.LONGEST_FIRST:
        path, _, cls = scope.partition("::")
        text = (ROOT / path).read_text()
        assert not cls or f"\nclass {cls}" in text, f"{scope}: no such class (conftest.LONGEST_FIRST is stale)"
    makefile = (ROOT / "Makefile").read_text()
    assert "--dist loadscope --no-loadscope-reorder" in makefile  # else xdist re-sorts by number of tests
