# Two commands do all the set-up: `make run` and `make test`.
# Both create (or reuse) .venv and install the project into it; the stamps
# make the second call instant unless pyproject.toml changed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ARGS ?=

.PHONY: run test bench lint clean

$(VENV)/.stamp-run: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.stamp-run

run: $(VENV)/.stamp-run
	$(VENV)/bin/cnn-tui $(ARGS)

test: $(VENV)/.stamp-test
	$(PY) -m pytest -q $(ARGS)

# ruff for style; import-linter for the layering (pyproject's contracts); mypy for
# types (the core and the CLI strictly).
lint: $(VENV)/.stamp-test
	$(PY) -m ruff check cnn_tui tests benchmarks
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

bench: $(VENV)/.stamp-test
	$(PY) benchmarks/run_bench.py $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
