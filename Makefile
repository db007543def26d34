# Two commands for a fresh machine with Python 3.11 and pip: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# Install stamps: re-install only when pyproject.toml changes.
.stamp-install: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

.stamp-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	touch $@ .stamp-install

# The twins' kernels compiled into numba's cache at install, and again when their sources
# change: a first run loads them (~1 s) instead of compiling them in every actor (~35 s).
# Old cache files go first: numba keys them by source file, and an entry made when the code was
# imported under other module names (before the `aurum` namespace) fails to load.
KERNELS := $(wildcard twins/*.py twins/*/*.py physics/*.py)
.stamp-kernels: .stamp-install $(KERNELS)
	find twins physics -name '*.nbi' -delete -o -name '*.nbc' -delete
	$(BIN)/python -m aurum.engine.run.precompile
	touch $@

demo: .stamp-kernels
	$(BIN)/aurum run scenarios/demo.yaml

test: .stamp-dev .stamp-kernels
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: .stamp-dev
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf $(VENV) .stamp-* runs .pytest_cache .mypy_cache .ruff_cache
