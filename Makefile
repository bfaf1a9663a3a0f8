# Two commands do everything on a fresh Linux or macOS machine with Python 3.11 or newer:
#   make lab    create .venv if missing, install the pinned set and the package, open JupyterLab
#   make test   the same set-up, then ruff and the whole test suite (unit tests, nbval, browser)
# .ci/run calls `make test`. The versions live in requirements.txt only.
# Also: make figures (figures/ from the notebooks' stored pictures), make book (the static site in
# build/book/), make course (a teacher's nbgrader course, TEACHING.md), make environment (Binder's file).
#
# Options (make lab VAR=value, or in the environment):
#   PYTHON       the interpreter that creates .venv (default: python3.11, else 3.12-3.14, else python3)
#   TORCH_INDEX  where torch comes from. Linux default: PyTorch's CPU-only index (about 200 MB
#                instead of PyPI's CUDA build, several GB). Empty: plain PyPI (macOS default;
#                also what .ci/run uses on machines that reach only PyPI). A CUDA index, e.g.
#                https://download.pytorch.org/whl/cu128, for an NVIDIA GPU.
#   LAB_ARGS     extra JupyterLab arguments, e.g. LAB_ARGS="--no-browser --ip=0.0.0.0 --port=8888"
#                on a remote or headless machine. As root, --allow-root is added for you.

# The first interpreter that runs, the tested 3.11 first (a pyenv shim may exist without its Python).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3.14 python3; do \
            command -v $$p >/dev/null && $$p -c '' 2>/dev/null && { command -v $$p; break; }; done)
MIN_PYTHON := 3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
UNAME := $(shell uname -s)
ifeq ($(UNAME),Linux)
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
else
TORCH_INDEX ?=
endif
TORCH_PIN := $(shell grep -E '^torch==' requirements.txt)
PIP_PIN := $(shell grep -E '^pip==' requirements.txt)
TORCH_SOURCE := $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX),)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=
# Four workers on 2 cores: the browser and grading tests wait on kernels, servers and Chromium, and the other
# workers fill those waits. Measured from clean clones, idle 2-core VM, one OpenMP thread per process (TEST_THREADS),
# 2026-12-04 20:27-20:50 UTC, same commit: pytest -n 3 363 s, -n 4 332 s, -n 5 337 s. (Before TEST_THREADS, a 4th
# worker was slower: -n 3 281 s, -n 4 390 s on 2026-12-03, when each process had two threads.) A class or
# module per worker at a time (its fixtures built once); the longest units first (conftest.LONGEST_FIRST), not
# xdist's default order (the units with the most tests first).
PYTEST_ARGS ?= -n 4 --dist loadscope --no-loadscope-reorder
# One torch (OpenMP) thread per process in the tests: four workers, their kernels, JupyterLab's kernels and Chromium
# already share the two cores, and a second OpenMP thread spin-waits for a core the others need (lesson 08 under load,
# 2026-12-04: 19 CPU-s of kernel time on 1 thread, 77 on 2). The stored outputs do not depend on it (CONTRIBUTING).
TEST_THREADS ?= 1
# Left as source (Python compiles a file when it is imported): packages' own test suites, transformers' other
# models, and the largest folders that nothing in `make test` imports (measured 2026-12-04 with PYTHONPYCACHEPREFIX
# over a whole run, lessons' kernels included: about 27 of the 155 MB of source outside torch).
NEVER_IMPORTED := /site-packages/(pip|networkx|pydantic|jedi|prompt_toolkit|fsspec|typer)/|/fontTools/(ttLib|varLib|feaLib|ufoLib)/|/sympy/(physics|combinatorics|stats)/|/scipy/signal/|/sklearn/(linear_model|ensemble|cluster|decomposition)/|/playwright/async_api/|/sqlalchemy/testing/|/numpy/distutils/|/huggingface_hub/(cli|inference)/|/transformers/(exporters|pipelines|cli)/
NO_PRECOMPILE := /tests?/|/torch/testing/_internal/|/transformers/models/(?!(auto|vit|deit|encoder_decoder)/)|$(NEVER_IMPORTED)

.PHONY: lab test setup check-python environment figures book clean

setup: $(STAMP)

check-python:
	@test -n "$(PYTHON)" || { echo "No python3 found. Install Python $(MIN_PYTHON) or newer (python.org, or your package manager: apt install python3.11-venv, brew install python@3.11)."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < tuple(map(int, "$(MIN_PYTHON)".split("."))))' || { \
	  echo "$(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); the pinned packages need Python $(MIN_PYTHON) or newer."; \
	  echo "Install it (apt install python3.11-venv, brew install python@3.11, or python.org), or point make at it: make lab PYTHON=/path/to/python3.11"; \
	  exit 1; }

$(STAMP): requirements.txt pyproject.toml Makefile | check-python
	@test -x $(BIN)/python || { echo "==> Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@# The pip a venv brings may be years old (3.11's: pip 23, which takes 50 s to resolve this set; pip 26: 20 s).
	@echo "==> Installing $(PIP_PIN) into $(VENV)"
	$(BIN)/python -m pip install --no-compile -q --disable-pip-version-check $(PIP_PIN)
	@# torch first (from TORCH_INDEX, else PyPI): then it compiles to bytecode on one core while pip, which
	@# works on one core, installs the rest; requirements.txt then finds its torch pin already met.
	@echo "==> Installing $(TORCH_PIN) from $(if $(TORCH_INDEX),$(TORCH_INDEX),PyPI) (the largest download; a progress bar follows)"
	$(BIN)/python -m pip install --no-compile --progress-bar on $(TORCH_SOURCE) $(TORCH_PIN)
	@echo "==> Installing the pinned packages and vit-explained itself (torch compiles to bytecode meanwhile)"
	$(BIN)/python -m compileall -q -j 1 -x '$(NO_PRECOMPILE)' $(VENV)/lib/python3*/site-packages/torch >/dev/null & \
	  compiling=$$!; $(BIN)/python -m pip install --no-compile --progress-bar on -r requirements.txt -e .; \
	  installed=$$?; wait $$compiling; exit $$installed
	@# compileall on every core (pip compiles each file on one). Files no lesson or test imports (packages' own
	@# test suites, transformers' other models) are left as source: Python compiles them when they are imported.
	@echo "==> Compiling the other installed packages to bytecode (all cores)"
	$(BIN)/python -m compileall -q -j 0 -x '$(NO_PRECOMPILE)' $(VENV)/lib >/dev/null \
	  || echo "    (some files did not compile ahead; Python compiles them when they are imported)"
	@# nbgrader is a teacher's tool (make course): keep its menus and its four server extensions (one is
	@# the formgrader, which would serve any course folder's grades) out of the learner's JupyterLab.
	@$(BIN)/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader >/dev/null 2>&1 || echo "warning: nbgrader's menus are still on"
	@$(BIN)/jupyter server extension disable --sys-prefix nbgrader.server_extensions.formgrader nbgrader.server_extensions.assignment_list nbgrader.server_extensions.course_list nbgrader.server_extensions.validate_assignment >/dev/null 2>&1 || echo "warning: nbgrader's server extensions are still on"
	@touch $(STAMP)
	@echo "==> Ready: $(VENV) holds the pinned set"

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	@# Meanwhile, on the other core: pytest's assertion-rewritten test modules, written once for every pytest
	@# process of the run (tools/prime_pytest_cache.py says why).
	@$(BIN)/python tools/prime_pytest_cache.py & priming=$$!; \
	  $(BIN)/ruff check vit_explained tests tools benchmarks && \
	  $(BIN)/ruff format --check vit_explained tests tools benchmarks; \
	  checked=$$?; wait $$priming && exit $$checked
	@# The checkout's own modules as bytecode (git-ignored __pycache__/): every kernel and subprocess of the run
	@# imports them, and where PYTHONDONTWRITEBYTECODE is set each would compile them again.
	$(BIN)/python -m compileall -q -j 0 vit_explained tests tools conftest.py >/dev/null
	OMP_NUM_THREADS=$(TEST_THREADS) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Copy the pictures the executed lesson notebooks store into figures/ (re-executes nothing).
figures:
	python3 tools/figures.py

# Rewrite environment.yml (Binder) from requirements.txt after changing a pin.
environment: $(STAMP)
	$(BIN)/python tools/sync_environment.py

# A teacher's nbgrader course folder (one assignment per lesson with exercises): see TEACHING.md.
COURSE ?= build/course
course: $(STAMP)
	$(BIN)/python tools/course.py $(COURSE)

# The series as a static website from the stored outputs, offline, in build/book/ (README: "The book").
book: $(STAMP)
	$(BIN)/python tools/book.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build
