"""The TUI trains on JAX as it does on TensorFlow (issue 10), in a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def test_the_tui_trains_on_jax_and_says_so(shared_data: Path, tmp_path: Path) -> None:
    pytest.importorskip("jax", reason="JAX is not installed: pip install 'cnn-tui[jax]'")
    env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": str(Path.cwd())}
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("jax_tui_run.py")),
         str(shared_data / "mnist"), str(tmp_path / "runs")],
        capture_output=True, text=True, env=env, timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["header"] == "JAX ready (CPU)"
    assert seen["state"] == "finished" and seen["backend"] == "jax"
    assert len(seen["val_accuracy"]) == 2 and seen["val_accuracy"][-1] > 0.6
    assert "backend JAX " in seen["compute_line"]
    # A JAX run never starts TensorFlow: on a GPU box both would claim its memory.
    assert seen["tensorflow_started"] is False
