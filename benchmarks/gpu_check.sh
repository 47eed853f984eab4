#!/usr/bin/env bash
# seed-cnn's training speed on this machine's GPU (README, "Other backends").
#
#   benchmarks/gpu_check.sh [--wheels DIR] [gpu_check.py options...]
#   e.g. benchmarks/gpu_check.sh --wheels gpu-wheels --data ../shared/data/cifar10
#
# Needs python3 with the backend's library (jax, torch or tensorflow) already there.
# Keras comes from the python if it has it, else from DIR (made here by
# `make gpu-wheels`): installed with `pip --no-index` (nothing downloaded) into
# .gpu-keras, which this script puts on PYTHONPATH.
# The backend: KERAS_BACKEND if set, else tensorflow if importable, else jax.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
WHEELS=""
if [ "${1:-}" = "--wheels" ]; then
  WHEELS=$2
  shift 2
fi
# The project, and Keras where this script installed it (below).
export PYTHONPATH=".:.gpu-keras${PYTHONPATH:+:$PYTHONPATH}"
has() { "$PY" -c "import importlib.util, sys; sys.exit(not importlib.util.find_spec('$1'))"; }
# Chosen before Keras is imported, as gpu_check.py does: Keras reads it once.
if [ -z "${KERAS_BACKEND:-}" ]; then
  if has tensorflow; then export KERAS_BACKEND=tensorflow; else export KERAS_BACKEND=jax; fi
fi
if ! has keras; then
  if [ -z "$WHEELS" ] || [ ! -d "$WHEELS" ]; then
    echo "gpu_check: keras is not importable by $PY and no --wheels DIR was given" >&2
    echo "  (make gpu-wheels on a machine with internet, carry gpu-wheels/ here)" >&2
    exit 2
  fi
  # Keras and those of its dependencies this python lacks, into .gpu-keras (on
  # PYTHONPATH): the box's own packages (numpy, jax...) are neither replaced nor shadowed.
  wanted="keras"
  for pair in absl:absl-py h5py:h5py ml_dtypes:ml-dtypes namex:namex numpy:numpy \
      optree:"optree typing-extensions" packaging:packaging \
      rich:"rich markdown-it-py mdurl pygments"; do
    has "${pair%%:*}" || wanted="$wanted ${pair#*:}"
  done
  echo "gpu_check: installing from $WHEELS into .gpu-keras: $wanted"
  # shellcheck disable=SC2086
  "$PY" -m pip install --quiet --no-index --find-links "$WHEELS" --no-deps \
    --target .gpu-keras $wanted
fi
# JAX takes 75% of the GPU's memory at start unless told not to; the check needs little.
export XLA_PYTHON_CLIENT_PREALLOCATE=${XLA_PYTHON_CLIENT_PREALLOCATE:-false}
exec "$PY" benchmarks/gpu_check.py "$@"
