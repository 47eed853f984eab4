"""What gpu_check.py reads from the machine: devices, nvidia-smi, and the images.

Nothing here imports Keras at module level: the backend must be chosen first.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any


def describe_devices(backend: str) -> list[str]:
    """The backend's own device list, with the GPUs' names where it tells them."""
    if backend in ("jax", "torch"):
        from cnn_tui.core.backend import backend_devices, backend_gpu_details

        names = [str(gpu.get("device_name", "?")) for gpu in backend_gpu_details(backend)]
        return [f"{device} ({names[int(device[4:])]})"
                if device.startswith("GPU:") and int(device[4:]) < len(names) else device
                for device in backend_devices(backend)]
    if backend == "tensorflow":
        import tensorflow as tf

        found = []
        for device in tf.config.list_physical_devices():
            name = device.name.replace("/physical_device:", "")
            if device.device_type == "GPU":
                details = tf.config.experimental.get_device_details(device)
                name += f" ({details.get('device_name', '?')})"
            found.append(name)
        return found
    return [f"unknown backend {backend}"]


def nvidia_smi_gpus() -> list[str]:
    """``name, memory`` of each GPU from nvidia-smi; [] where it is missing or fails."""
    if not shutil.which("nvidia-smi"):
        return []
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=index,name,memory.total,memory.used",
             "--format=csv,noheader"],
            capture_output=True, text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]


class GpuSampler:
    """GPU 0's utilisation (%), sampled every 100 ms by nvidia-smi while a measurement runs."""

    def __init__(self, interval_ms: int = 100) -> None:
        self.interval_ms = interval_ms
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["nvidia-smi", "--id=0", "--query-gpu=utilization.gpu",
             "--format=csv,noheader,nounits", f"-lms={self.interval_ms}"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def stop(self) -> list[float]:
        process, self._process = self._process, None
        if process is None:
            return []
        process.terminate()
        try:
            out, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
        samples = []
        for line in out.splitlines():
            try:
                samples.append(float(line.strip()))
            except ValueError:  # "[N/A]" on GPUs that do not report it
                continue
        return samples


def load_images(folder: Path | None, count: int, seed: int) -> tuple[Any, Any, str]:
    """``count`` 32x32x3 uint8 images, their labels (0-9) and a line saying what they are.

    From a folder: every ``*.npz`` with ``x`` (N, 32, 32, 3) and ``y`` in it, tiled to
    ``count``. Without one: random images, which time the same but learn nothing.
    """
    import numpy as np

    if folder is None:
        rng = np.random.default_rng(seed)
        images = rng.integers(0, 256, (count, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, count)
        return images, labels, (f"SYNTHETIC random uint8 images, {count} of 32x32x3, "
                                "10 classes: for speed only (no accuracy means anything)")
    files = sorted(Path(folder).glob("*.npz"))
    parts = []
    for file in files:
        with np.load(file) as data:
            if "x" in data and data["x"].shape[1:] == (32, 32, 3):
                parts.append((data["x"].astype(np.uint8), data["y"].reshape(-1)))
    if not parts:
        raise SystemExit(f"error: no npz file with x of shape (N, 32, 32, 3) in {folder}")
    images = np.concatenate([x for x, _ in parts])
    labels = np.concatenate([y for _, y in parts]).astype(np.int64) % 10
    real = len(images)
    reps = -(-count // real)
    images, labels = np.concatenate([images] * reps)[:count], np.tile(labels, reps)[:count]
    tiled = f", tiled {reps}x to {count}" if reps > 1 else f", the first {count}"
    return images, labels, (f"real CIFAR-10 images from {folder} ({len(parts)} npz files, "
                            f"{real} images{tiled})")
