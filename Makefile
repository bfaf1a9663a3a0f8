# Two commands do everything on a fresh Linux machine with Python 3.11:
#   make lab    create .venv if missing, install the pinned set and the package, open JupyterLab
#   make test   the same set-up, then ruff and the whole test suite (unit tests + nbval)
# .ci/run calls `make test`. The versions live in requirements.txt only.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LAB_ARGS ?=
PYTEST_ARGS ?= -n 2 --dist loadscope

.PHONY: lab test setup environment clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/ruff check vit_explained tests tools benchmarks
	$(BIN)/ruff format --check vit_explained tests tools benchmarks
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Rewrite environment.yml (Binder) from requirements.txt after changing a pin.
environment: $(STAMP)
	$(BIN)/python tools/sync_environment.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
