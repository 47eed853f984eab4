"""JAX against TensorFlow: the real engine's training speed under each Keras backend.

Each trial is ``python -m cnn_tui train`` in a fresh process with ``KERAS_BACKEND``
set (Keras picks its backend once per process), on the same real images (the bench's
class-balanced MNIST subset and validation slice, written to one .npz), the same seed,
batch size and ``--precision float32`` on both sides, so that like is compared with
like (``auto`` would pick bfloat16 here under either backend).

Images/s: training images x epochs after the first / the sum of those epochs'
``epoch_time_s`` in the run's history.csv (the first epoch compiles; each epoch's time
includes its validation). Per CPU-second: the child stamps its own CPU clock whenever
history.csv gets a row (``cli_epoch_clock.py``), over the same epochs.

Figure: ``jax_vs_tensorflow`` (JAX's images/s over TensorFlow's; measured, no goal:
on this CPU JAX's XLA convolutions were ~7-9x slower than TF's oneDNN).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_common import REPO_ROOT, Results, Throughput, median_ratio, run_rounds, say

JAX_SIDE = "cnn-tui train, KERAS_BACKEND=jax"
TF_SIDE = "cnn-tui train, KERAS_BACKEND=tensorflow"
CLOCK_SCRIPT = Path(__file__).resolve().parent / "cli_epoch_clock.py"


def write_slice(dataset: Any, path: Path) -> Path:
    """The bench's training images and validation slice as a Keras-layout .npz."""
    import numpy as np

    np.savez(path, x_train=dataset.x_train, y_train=dataset.y_train,
             x_test=dataset.x_val, y_test=dataset.y_val)
    return path


def cli_trial(backend: str, data: Path, n_train: int, options: dict[str, Any],
              folder: Path, trial: int) -> Throughput:
    """One ``cnn-tui train`` under ``backend``; its steady images/s and per CPU-s."""
    runs_dir = folder / f"{backend}-{trial}"
    stamps = folder / f"{backend}-{trial}.cpu.jsonl"
    argv = [sys.executable, str(CLOCK_SCRIPT), "train", "--dataset", str(data),
            "--runs-dir", str(runs_dir), "--precision", "float32"]
    for name, value in options.items():
        argv += [f"--{name.replace('_', '-')}", str(value)]
    env = {**os.environ, "KERAS_BACKEND": backend, "CNN_TUI_CPU_STAMPS": str(stamps),
           "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"{backend} trial failed ({done.returncode}): "
                           f"{(done.stderr or done.stdout)[-2000:]}")
    (run_dir,) = runs_dir.iterdir()
    with (run_dir / "history.csv").open(encoding="utf-8") as file:
        times = [float(row["epoch_time_s"]) for row in csv.DictReader(file)]
    if len(times) < 2:
        raise RuntimeError(f"{backend} trial wrote {len(times)} epochs; need 2 or more")
    cpu = [json.loads(line)["cpu"] for line in stamps.read_text().splitlines()]
    images = n_train * (len(times) - 1)
    per_cpu = images / (cpu[-1] - cpu[0]) if len(cpu) == len(times) else None
    return Throughput(images / sum(times[1:]), per_cpu)


def run_backends_bench(results: Results, dataset: Any, model: str, batch_size: int,
                       epochs: int, rounds: int, seed: int) -> None:
    """Alternating JAX / TensorFlow trials; records ``jax_vs_tensorflow``."""
    import importlib.util

    if importlib.util.find_spec("jax") is None:
        say("backends: SKIPPED: jax is not installed (pip install 'cnn-tui[jax]')")
        return
    n_train = len(dataset.x_train)
    options = {"model": model, "epochs": epochs, "batch_size": batch_size, "seed": seed}
    say(f"backends: {model}, `cnn-tui train` in a fresh process per trial, float32, "
        f"{n_train} train / {len(dataset.x_val)} val images, batch {batch_size}, {epochs} "
        f"epochs per trial (the first not timed), seed {seed} on both sides")
    with tempfile.TemporaryDirectory(prefix="cnn-tui-bench-backends-") as tmp:
        folder = Path(tmp)
        data = write_slice(dataset, folder / "mnist-slice.npz")
        counter = iter(range(10_000))
        sides = {
            JAX_SIDE: lambda: cli_trial("jax", data, n_train, options, folder, next(counter)),
            TF_SIDE: lambda: cli_trial("tensorflow", data, n_train, options, folder,
                                       next(counter)),
        }
        run_rounds(results, sides, rounds)
    median_ratio(results, "jax_vs_tensorflow", JAX_SIDE, TF_SIDE, "(CPU)")
