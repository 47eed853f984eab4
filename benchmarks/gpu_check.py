"""seed-cnn's training speed on CIFAR-10-shaped data, on whatever device the backend has.

Run on a GPU box by ``benchmarks/gpu_check.sh`` (README, "Other backends"); it needs
only Keras, the backend's library (jax, torch or tensorflow), numpy and this project.
It prints the backend, its devices, then one row per batch size and augmentation
setting: training images/s (the median of several timed steps, after warm-up steps
that compile and are not timed), the GPU's utilisation sampled during the timed steps
(where ``nvidia-smi`` exists), and seed-cnn's epoch time on 50,000 images.

Each step is one ``train_on_batch`` on a batch of uint8 images; its returned loss is
read back, which waits for the device, so each step's wall time is the device's time
plus the dispatch. "On device" puts cnn-tui's seed augmentation
(``build_augmenter(SEED_AUGMENT)``) in front of the model, as ``--augment-on device``
does, so that it runs on the accelerator inside the compiled step.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from gpu_check_env import (  # noqa: E402
    GpuSampler,
    describe_devices,
    load_images,
    nvidia_smi_gpus,
)

EPOCH_IMAGES = 50_000
"""CIFAR-10's training set: the epoch the report's epoch time is for."""


def pick_backend() -> str:
    """KERAS_BACKEND if set; else tensorflow where it is importable, else jax.

    Set before Keras is imported: Keras reads it once, at import.
    """
    chosen = os.environ.get("KERAS_BACKEND")
    if not chosen:
        chosen = "tensorflow" if importlib.util.find_spec("tensorflow") else "jax"
        os.environ["KERAS_BACKEND"] = chosen
    return chosen


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None,
                        help="folder of CIFAR-10 npz files (x, y); default: synthetic images")
    parser.add_argument("--batch-sizes", default="128,256,512",
                        help="comma-separated batch sizes (default 128,256,512)")
    parser.add_argument("--steps", type=int, default=30, help="timed steps (default 30)")
    parser.add_argument("--warmup", type=int, default=5,
                        help="untimed steps first, which compile (default 5)")
    parser.add_argument("--augment", choices=("both", "off", "device"), default="both",
                        help="without, with the seed augmentation on the device, or both")
    parser.add_argument("--precision", default="float32",
                        help="Keras dtype policy: float32 (default), mixed_float16, "
                             "mixed_bfloat16")
    parser.add_argument("--real-epoch", type=int, default=0, metavar="BATCH",
                        help="also time one real model.fit epoch of 50,000 images at this "
                             "batch size (after a warm-up epoch of a few steps)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    args.batch_sizes = [int(size) for size in args.batch_sizes.split(",") if size.strip()]
    if args.steps < 1 or args.warmup < 1 or not args.batch_sizes:
        parser.error("--steps and --warmup must be at least 1, and a batch size given")
    return args


def build_model(augment: bool, precision: str, seed: int) -> Any:
    """seed-cnn for 32x32x3 / 10 classes, from cnn-tui's own pieces, compiled as the
    engine compiles it (RMSprop, categorical cross-entropy). Input: uint8 images,
    scaled to [0, 1] in the model so both variants feed the device the same bytes."""
    import keras

    from cnn_tui.core.augment import build_augmenter
    from cnn_tui.core.augment_config import SEED_AUGMENT
    from cnn_tui.core.keras_model import build_keras_model
    from cnn_tui.core.presets import PRESETS

    net = build_keras_model(PRESETS["seed-cnn"], (32, 32, 3), 10, policy=precision)
    inputs = keras.Input((32, 32, 3), dtype="uint8")
    x = keras.layers.Rescaling(1.0 / 255)(keras.ops.cast(inputs, "float32"))
    if augment:
        x = build_augmenter(SEED_AUGMENT, seed=seed)(x)  # imports no TensorFlow off it
    model = keras.Model(inputs, net(x), name="seed_cnn_check")
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss="categorical_crossentropy")
    return model


def time_steps(model: Any, images: Any, labels: Any, batch: int, warmup: int,
               steps: int, sampler: GpuSampler | None) -> tuple[float, list[float]]:
    """Median seconds of one training step, and the GPU utilisation samples (%)."""
    count = len(images)

    def step(index: int) -> None:
        start = (index * batch) % (count - batch + 1)
        loss = model.train_on_batch(images[start:start + batch], labels[start:start + batch])
        float(loss if not isinstance(loss, list) else loss[0])  # waits for the device

    for index in range(warmup):
        step(index)
    times = []
    if sampler:
        sampler.start()
    try:
        for index in range(warmup, warmup + steps):
            began = time.perf_counter()
            step(index)
            times.append(time.perf_counter() - began)
    finally:
        samples = sampler.stop() if sampler else []
    return statistics.median(times), samples


def time_real_epoch(images: Any, labels: Any, batch: int, precision: str, seed: int) -> float:
    """Seconds of one ``model.fit`` epoch over 50,000 images (a short warm-up fit first)."""
    import numpy as np

    reps = -(-EPOCH_IMAGES // len(images))
    x = np.concatenate([images] * reps)[:EPOCH_IMAGES]
    y = np.concatenate([labels] * reps)[:EPOCH_IMAGES]
    model = build_model(False, precision, seed)
    model.fit(x[: batch * 3], y[: batch * 3], batch_size=batch, epochs=1, verbose=0)
    began = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backend = pick_backend()
    import keras
    import numpy as np

    # Not keras.utils.set_random_seed: it imports TensorFlow whenever it is installed,
    # which on a GPU box would start it beside JAX. Weights' draws do not change speed.
    print(f"backend: {keras.backend.backend()} (keras {keras.__version__}, "
          f"{backend} {_version(backend)}); python {sys.version.split()[0]}")
    print(f"devices ({backend}): {', '.join(describe_devices(backend))}")
    gpus = nvidia_smi_gpus()
    print("nvidia-smi: " + ("; ".join(gpus) if gpus else "not found (no GPU utilisation)"))
    images, labels, source = load_images(args.data, max(args.batch_sizes) * 4, args.seed)
    print(f"data: {source}")
    onehot = np.eye(10, dtype="float32")[labels]
    print(f"model: seed-cnn, 32x32x3, 10 classes, precision {args.precision}; "
          f"{args.warmup} warm-up steps (not timed), median of {args.steps} timed steps")
    print()
    header = (f"{'batch':>5}  {'augmentation':<12} {'step ms':>8} {'images/s':>10} "
              f"{'GPU util %':>11} {'epoch 50k s':>12}")
    print(header)
    print("-" * len(header))
    variants = {"both": (False, True), "off": (False,), "device": (True,)}[args.augment]
    for augment in variants:
        for batch in args.batch_sizes:
            model = build_model(augment, args.precision, args.seed)
            sampler = GpuSampler() if gpus else None
            seconds, samples = time_steps(model, images, onehot, batch, args.warmup,
                                          args.steps, sampler)
            rate = batch / seconds
            util = (f"{statistics.mean(samples):.0f} (max {max(samples):.0f})"
                    if samples else "-")
            print(f"{batch:>5}  {'on device' if augment else 'off':<12} "
                  f"{seconds * 1000:>8.1f} {rate:>10.1f} {util:>11} "
                  f"{EPOCH_IMAGES / rate:>12.1f}", flush=True)
            del model
    print()
    print(f"epoch 50k s: {EPOCH_IMAGES:,} images / the measured images/s (training steps "
          "only: no validation, no input pipeline, no epoch-end work).")
    if args.real_epoch:
        seconds = time_real_epoch(images, onehot, args.real_epoch, args.precision, args.seed)
        print(f"real epoch: one model.fit epoch of {EPOCH_IMAGES:,} images (the same images "
              f"tiled), batch {args.real_epoch}, no augmentation, no validation: "
              f"{seconds:.1f} s")
    return 0


def _version(module: str) -> str:
    return str(getattr(__import__(module), "__version__", "unknown"))


if __name__ == "__main__":
    sys.exit(main())
