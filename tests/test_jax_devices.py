"""Several devices under JAX (``runs/jax_placement.py``): ``--devices cpu:2`` trains one
replica per logical CPU device with Keras's DataParallel, in a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _train(shared_data: Path, runs: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("jax", reason="JAX is not installed: pip install 'cnn-tui[jax]'")
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "XLA_FLAGS")}
    env["PYTHONPATH"] = str(Path.cwd())
    command = [sys.executable, "-m", "cnn_tui", "train", "--backend", "jax", "--dataset",
               str(shared_data / "mnist"), "--model", "seed-cnn", "--runs-dir", str(runs),
               "--seed", "1", *flags]
    # A deadlock of the devices' collectives would hang: the timeout fails the test.
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=400)


def test_two_cpu_devices_train_one_replica_each(shared_data: Path, tmp_path: Path) -> None:
    # 1,001 images: 901 to train, an odd count, so every epoch leaves one out to split
    # each batch evenly; the 10,000 test images validate, 5,000 per device.
    result = _train(shared_data, tmp_path, "--devices", "cpu:2", "--limit", "1001",
                    "--batch-size", "32", "--epochs", "3")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "replicas 2 x 16 images (CPU:0, CPU:1)" in result.stdout
    run_dir = Path(result.stdout.strip().splitlines()[-1])
    config = json.loads((run_dir / "config.json").read_text())
    assert config["strategy"] == "data-parallel"
    assert config["replica_devices"] == ["CPU:0", "CPU:1"]
    status = json.loads((run_dir / "status.json").read_text())
    assert status["state"] == "finished" and status["epochs_done"] == 3
    assert status["test_metrics"]["accuracy"] > 0.5  # it learns (chance: 0.1; seen 0.76)


def test_devices_jax_does_not_have_are_refused_in_one_sentence(shared_data: Path,
                                                               tmp_path: Path) -> None:
    result = _train(shared_data, tmp_path, "--devices", "0", "--limit", "100",
                    "--epochs", "1")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: devices gpu:0 names GPU 0, but JAX sees no GPU "
                                     "here; use auto, cpu, or the GPUs that exist.")
    result = _train(shared_data, tmp_path, "--devices", "cpu:2", "--batch-size", "33",
                    "--limit", "100", "--epochs", "1")
    assert result.returncode == 2 and "does not split evenly between the 2" in result.stderr
