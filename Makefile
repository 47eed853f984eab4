# Two commands do all the set-up: `make run` and `make test`.
# Both create (or reuse) .venv and install the project into it; the stamps
# make the second call instant unless pyproject.toml changed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ARGS ?=

.PHONY: run test test-jax bench lint mutation gpu-wheels clean

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

# compileall: bytecode for the app's modules, as pip writes for an installed package
# (an editable install has none until Python writes it, which PYTHONDONTWRITEBYTECODE
# forbids); without it every launch compiles them first. Up to date, it takes 0.1 s.
run: $(VENV)/.stamp-run
	$(PY) -m compileall -q cnn_tui
	$(VENV)/bin/cnn-tui $(ARGS)

# The JAX backend's CPU wheels, for the second test pass; a failure to install them
# (no wheel for this platform, no network) only skips that pass, with the reason.
$(VENV)/.stamp-jax: pyproject.toml
	$(PY) -m pip install --quiet 'jax[cpu]' || \
	  echo "make: could not install jax[cpu]; the JAX test pass will be skipped"
	touch $@

# The core's training tests that are backend-neutral, run again under KERAS_BACKEND=jax
# (about 1 1/2 minutes on 2 cores). TensorFlow-only tests in them carry
# @pytest.mark.tf_only(reason) and are skipped there with it (tests/conftest.py).
JAX_TESTS := tests/test_backend.py tests/test_batches.py tests/test_runner.py \
	tests/test_checkpoint.py tests/test_history.py tests/test_monitors.py \
	tests/test_schedule.py tests/test_end_to_end.py

# `make test`: the whole suite under the default backend (TensorFlow), then the JAX
# pass. With ARGS (a file, -k...) only the first runs; `make test-jax` runs the second.
test: $(VENV)/.stamp-test $(VENV)/.stamp-jax
	$(PY) -m pytest -q $(ARGS)
	@if [ -z "$(ARGS)" ]; then $(MAKE) --no-print-directory test-jax; fi

test-jax: $(VENV)/.stamp-test $(VENV)/.stamp-jax
	@if $(PY) -c 'import jax' >/dev/null 2>&1; then \
	  echo "KERAS_BACKEND=jax pytest $(JAX_TESTS)"; \
	  KERAS_BACKEND=jax $(PY) -m pytest -q $(JAX_TESTS); \
	else \
	  echo "test-jax: SKIPPED: jax cannot be imported by $(PY) (pip install 'jax[cpu]')"; \
	fi

# ruff for style; import-linter for the layering (pyproject's contracts); mypy for
# types (the core and the CLI strictly).
lint: $(VENV)/.stamp-test
	$(PY) -m ruff check cnn_tui tests benchmarks
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

# Wheels for benchmarks/gpu_check.sh on a GPU box that has python, jax (or torch) and no
# internet: keras and its dependencies, binary wheels for the box's python and platform
# (default CPython 3.11 on x86-64 Linux with glibc >= 2.17; e.g.
# `make gpu-wheels GPU_PYTHON=3.12`). Carry gpu-wheels/ with the project (README).
GPU_PYTHON ?= 3.11
GPU_PLATFORMS ?= manylinux_2_28_x86_64 manylinux2014_x86_64
gpu-wheels: $(VENV)/.stamp-run
	$(PY) -m pip download --quiet --dest gpu-wheels --only-binary=:all: \
	  --python-version $(GPU_PYTHON) $(addprefix --platform ,$(GPU_PLATFORMS)) keras
	ls gpu-wheels

bench: $(VENV)/.stamp-test
	$(PY) benchmarks/run_bench.py $(ARGS)

# Mutation testing of the pure-Python core against its fast tests ([tool.mutmut]
# in pyproject.toml), from scratch each time: about 3½ minutes on 2 cores. The
# last line is mutation_score=<killed/total>; a mutant whose tests hang
# (timeout) counts as killed. `$(VENV)/bin/mutmut results` lists the survivors,
# `$(VENV)/bin/mutmut show NAME` shows one; docs/MUTATION.md lists those judged
# equivalent.
mutation: $(VENV)/.stamp-test
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2
	$(VENV)/bin/mutmut export-cicd-stats
	@$(PY) -c 'import json; s = json.load(open("mutants/mutmut-cicd-stats.json")); \
	print("killed={killed} timeout={timeout} survived={survived} no_tests={no_tests} " \
	      "suspicious={suspicious} total={total}".format(**s)); \
	print("mutation_score={:.3f}".format((s["killed"] + s["timeout"]) / s["total"]))'

clean:
	rm -rf $(VENV) build *.egg-info mutants
