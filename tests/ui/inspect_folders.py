"""A run folder for the Inspect tab whose every number is known: weights set by hand.

The data is an image folder (train/ and test/ subfolders named after
CIFAR-10's ten classes, so names must be cut to fit) of 10x10 grey images,
each black but for one lit pixel. The model is a real Keras CNN:

* ``conv2d``: 3x3 'same', 12 filters; filter 0 is a centre 1 (it copies the
  image), the others fixed patterns (something to look at, unused after);
* ``max_pooling2d``: 2x1 windows (rows only: every column survives);
* Flatten and a softmax Dense reading filter 0 only: the logit of class
  ``column % 10`` is ``SCALE * brightness / 255``.

So an image is predicted as its lit pixel's column, the more surely the
brighter it is; a test image whose label is not its column is a mistake.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tests.dataset_files import write_png
from tests.inspect_runs import write_run

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck")
SIZE = 10
FILTERS = 12
SCALE = 10.0


def split_spots() -> list[tuple[int, int, int, int]]:
    """(row, column, brightness, label) of each test image.

    Class ``c`` has 3 + c % 3 images right and c % 4 taken for class c + 1;
    classes 2 and 7 one more each, taken for c + 5. Brightness differs from
    image to image, so no two mistakes are equally sure.
    """
    cases = [(label, label) for label in range(10) for _ in range(3 + label % 3)]
    cases += [(label, (label + 1) % 10) for label in range(10) for _ in range(label % 4)]
    cases += [(2, 7), (7, 2)]
    return [(number % SIZE, column, 100 + (number * 37) % 156, label)
            for number, (label, column) in enumerate(cases)]


def write_dataset(root: Path) -> Path:
    """train/<class>/ (one image each) and test/<class>/ (``split_spots``) as PNGs."""
    for label, name in enumerate(CLASSES):
        write_png(root / "train" / name / "0.png", spot(0, label, 255))
    for number, (row, column, value, label) in enumerate(split_spots()):
        write_png(root / "test" / CLASSES[label] / f"{number:02d}.png", spot(row, column, value))
    return root


def spot(row: int, column: int, value: int) -> np.ndarray:
    image = np.zeros((SIZE, SIZE, 1), dtype=np.uint8)
    image[row, column] = value
    return image


def column_cnn() -> Any:
    import keras

    model = keras.Sequential([
        keras.Input((SIZE, SIZE, 1)),
        # Named: Keras numbers unnamed layers by how many the process has made before.
        keras.layers.Conv2D(FILTERS, 3, padding="same", name="conv2d"),
        keras.layers.MaxPooling2D((2, 1), name="max_pooling2d"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(len(CLASSES), activation="softmax", name="dense"),
    ])
    kernel = np.zeros((3, 3, 1, FILTERS), dtype=np.float32)
    kernel[1, 1, 0, 0] = 1.0
    for f in range(1, FILTERS):  # fixed patterns, each different
        kernel[:, :, 0, f] = np.cos(np.arange(9).reshape(3, 3) * f) / f
    model.layers[0].set_weights([kernel, np.zeros(FILTERS, dtype=np.float32)])
    pooled = (SIZE // 2, SIZE, FILTERS)
    weights = np.zeros((*pooled, len(CLASSES)), dtype=np.float32)
    for column in range(SIZE):
        weights[:, column, 0, column % len(CLASSES)] = SCALE
    model.layers[-1].set_weights([weights.reshape(-1, len(CLASSES)),
                                  np.zeros(len(CLASSES), dtype=np.float32)])
    return model


def write_column_run(root: Path, name: str = "column-cnn") -> Path:
    """The dataset and a finished run of ``column_cnn`` on it, under ``root``."""
    data = write_dataset(root / "spots")
    return write_run(root / "runs", name, data, column_cnn())
