"""benchmarks/gpu_check.py on this machine's CPU, with tiny settings, under two backends.

The script is meant for a GPU box; here it checks that it runs from the project's own
pieces under JAX and TensorFlow and prints its table (the speeds mean nothing on CPU).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from gpu_check_env import load_images  # noqa: E402

ROW = re.compile(r"^\s*(\d+)\s+(off|on device)\s+([\d.]+)\s+([\d.]+)\s+(-|\d.*?)\s+([\d.]+)$")


def run_check(backend: str, *args: str) -> str:
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gpu_check.py"), "--batch-sizes", "8",
         "--steps", "2", "--warmup", "1", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def table_rows(out: str) -> list[tuple[int, str, float, float]]:
    rows = []
    for line in out.splitlines():
        match = ROW.match(line)
        if match:
            batch, augment, step_ms, rate = match.group(1, 2, 3, 4)
            rows.append((int(batch), augment, float(step_ms), float(rate)))
    return rows


def test_gpu_check_runs_under_jax_with_and_without_device_augmentation() -> None:
    if importlib.util.find_spec("jax") is None:
        # Like `make test`'s JAX pass: no jax (its install failed) skips, even in CI.
        pytest.skip("jax is not installed (pip install 'cnn-tui[jax]')")
    out = run_check("jax")
    assert out.startswith("backend: jax (keras ")
    assert "devices (jax): CPU:0" in out
    assert "SYNTHETIC" in out and "for speed only" in out
    rows = table_rows(out)
    assert [(batch, augment) for batch, augment, _, _ in rows] == [(8, "off"), (8, "on device")]
    for _, _, step_ms, rate in rows:
        # images/s is the batch over the median step time the row shows.
        assert rate == pytest.approx(8 / (step_ms / 1000), rel=0.01)
    assert "epoch 50k s: 50,000 images / the measured images/s" in out


def test_gpu_check_runs_under_tensorflow_on_real_cifar(shared_data: Path) -> None:
    out = run_check("tensorflow", "--augment", "device", "--data", str(shared_data / "cifar10"))
    assert out.startswith("backend: tensorflow (keras ")
    assert "real CIFAR-10 images from" in out and "3 npz files, 3000 images" in out
    assert [(b, a) for b, a, _, _ in table_rows(out)] == [(8, "on device")]


def test_load_images_tiles_real_files_and_labels_synthetic_ones(tmp_path: Path) -> None:
    x = np.arange(3 * 32 * 32 * 3, dtype=np.uint8).reshape(3, 32, 32, 3)
    np.savez(tmp_path / "part.npz", x=x, y=np.array([1, 2, 3], dtype=np.uint8))
    images, labels, said = load_images(tmp_path, 7, seed=0)
    assert images.shape == (7, 32, 32, 3) and labels.tolist() == [1, 2, 3, 1, 2, 3, 1]
    assert (images[3] == x[0]).all() and "tiled 3x to 7" in said
    images, labels, said = load_images(None, 5, seed=0)
    assert images.dtype == np.uint8 and images.shape == (5, 32, 32, 3)
    assert said.startswith("SYNTHETIC") and "for speed only" in said
    with pytest.raises(SystemExit):
        load_images(tmp_path / "empty", 4, seed=0)
