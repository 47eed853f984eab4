"""Augmentation throughput: the engine's tf.data pipeline against ImageDataGenerator.

Both sides produce the tutorial's augmentation (shifts of 10% both ways and
horizontal flips) for the same images in batches of the same size, and
nothing trains: this measures how fast augmented batches come out.

* ``tf.data + seed augmenter``: ``make_train_val_datasets`` with
  ``build_augmenter(SEED_AUGMENT)``, the exact pipeline the runner trains on
  (uint8 in memory, gather, scale, one-hot, augment, prefetch). One pass is
  run first and not timed, so graph building is not counted; then one full
  pass over the training images is timed.
* ``ImageDataGenerator``: Keras's legacy generator (scipy's affine transform
  per image, the tutorial's code) with ``flow(x, y, batch_size)``, iterated
  until it has produced as many images. Its input is given already scaled to
  float32, as the tutorial does, and that conversion is not timed.

Then where augmentation runs while training (``--augment-on``), the engine
training seed-cnn with the seed augmentation on real CIFAR-10 images
(``../shared/data/cifar10``: colour, 32x32, so the image work is 4x MNIST's):

* ``augmentation on the host``: the augmenter in the tf.data pipeline.
* ``augmentation on the device``: the augmenter as the model's first layer,
  in the training step.

``augment_device_vs_host`` is device images/s over host images/s (steady
epochs, as ``bench_training`` times them), the median of alternated rounds;
``auto`` chooses from it (``core/augment_place.py``).
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

import numpy as np
from bench_common import SHARED_DATA, Results, Throughput, median_ratio, run_rounds, say

if TYPE_CHECKING:
    from cnn_tui.core.datasets import Dataset

PIPELINE_SIDE = "tf.data + seed augmenter (no training)"
GENERATOR_SIDE = "ImageDataGenerator.flow (no training)"
HOST_SIDE = "training, augmentation on the host"
DEVICE_SIDE = "training, augmentation on the device"
PLACEMENT_DATA = SHARED_DATA / "cifar10"


def pipeline_throughput(dataset: Dataset, batch_size: int, seed: int) -> float:
    """Images/s of one pass over the engine's augmented training pipeline."""
    from cnn_tui.core.augment import build_augmenter
    from cnn_tui.core.augment_config import SEED_AUGMENT
    from cnn_tui.core.pipeline import make_train_val_datasets

    augmenter = build_augmenter(SEED_AUGMENT, seed=seed)
    train, _ = make_train_val_datasets(dataset, batch_size, augmenter, seed)
    count_images(train)  # warm-up pass: builds the augmenter and fills the prefetch
    start = perf_counter()
    produced = count_images(train)
    return produced / (perf_counter() - start)


def count_images(batches: Any) -> int:
    """Iterate a tf.data dataset of ``(images, labels)`` and count the images it yields."""
    total = 0
    for images, _ in batches:
        total += int(images.shape[0])
    return total


def generator_throughput(
    images: np.ndarray, labels: np.ndarray, num_classes: int, batch_size: int, seed: int
) -> float:
    """Images/s of ImageDataGenerator doing the same shift+flip over as many images."""
    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    x = images.astype("float32") / 255.0
    y = np.eye(num_classes, dtype="float32")[labels]
    generator = ImageDataGenerator(
        width_shift_range=0.1, height_shift_range=0.1, horizontal_flip=True
    )
    flow = generator.flow(x, y, batch_size=batch_size, shuffle=True, seed=seed)
    wanted = len(x)
    start = perf_counter()
    produced = 0
    for batch_x, _ in flow:
        produced += len(batch_x)
        if produced >= wanted:
            break
    return produced / (perf_counter() - start)


def run_augment_bench(
    results: Results, dataset: Dataset, batch_size: int, rounds: int, seed: int
) -> None:
    """Alternate the two sides ``rounds`` times and record their median ratio."""
    say(f"augmentation pipeline: {len(dataset.x_train)} images, batch {batch_size}")
    sides = {
        PIPELINE_SIDE: lambda: Throughput(pipeline_throughput(dataset, batch_size, seed)),
        GENERATOR_SIDE: lambda: Throughput(
            generator_throughput(
                dataset.x_train, dataset.y_train, dataset.info.num_classes, batch_size, seed
            )
        ),
    }
    run_rounds(results, sides, rounds)
    median_ratio(
        results, "aug_pipeline_vs_imagedatagenerator", PIPELINE_SIDE, GENERATOR_SIDE, ">= 3"
    )


def load_placement_data(limit: int | None, n_val: int, seed: int) -> Dataset | None:
    """Real CIFAR-10 images (a class-balanced ``limit``, ``n_val`` validation images),
    or None when ``../shared/data/cifar10`` is not there."""
    from cnn_tui.core.datasets import load_dataset

    if not PLACEMENT_DATA.is_dir():
        return None
    dataset = load_dataset(PLACEMENT_DATA, limit=limit, seed=seed)
    return replace(dataset, x_val=dataset.x_val[:n_val], y_val=dataset.y_val[:n_val])


def run_placement_bench(
    results: Results, dataset: Dataset, model: str, batch_size: int, epochs: int,
    rounds: int, seed: int, native_log: Any = None,
) -> None:
    """Alternate training with the augmenter on the host and on the device ``rounds``
    times and record ``augment_device_vs_host``."""
    from bench_training import TrainingSetup, engine_throughput, warm_up

    setup = TrainingSetup(dataset, model, batch_size, epochs, seed)
    say(f"augmentation placement: {model} on {len(dataset.x_train)} train / "
        f"{len(dataset.x_val)} val CIFAR-10 images, seed augmentation, batch {batch_size}, "
        f"{epochs} epochs per trial (first not timed), float32")
    warm_up(setup)
    with tempfile.TemporaryDirectory(prefix="cnn-tui-bench-aug-") as tmp:
        runs_dir = Path(tmp)
        sides = {
            side: (lambda where=where: engine_throughput(
                setup, "seed", runs_dir, native_log, augment_on=where))
            for side, where in ((HOST_SIDE, "host"), (DEVICE_SIDE, "device"))
        }
        run_rounds(results, sides, rounds)
    median_ratio(results, "augment_device_vs_host", DEVICE_SIDE, HOST_SIDE, "measured")
