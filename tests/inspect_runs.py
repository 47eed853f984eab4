"""Run folders with models whose weights are set by hand, so every prediction is known.

The images are S x S grey with one lit pixel; ``column_model`` predicts the
lit pixel's column modulo the number of classes, with a confidence that
grows with its brightness: logit ``scale * value / 255`` for that class, 0
for the others.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from cnn_tui.core.datasets import peek_dataset
from cnn_tui.core.runs.checkpoint import save_model
from cnn_tui.core.runs.config import TrainConfig, config_to_dict
from cnn_tui.core.runs.rundir import MODEL_FILE, update_status, write_config
from tests.dataset_files import write_idx_folder

Spot = tuple[int, int, int]
"""(row, column, brightness) of an image's lit pixel."""


def spot_images(spots: list[Spot], size: int = 4) -> np.ndarray:
    images = np.zeros((len(spots), size, size), dtype=np.uint8)
    for number, (row, column, value) in enumerate(spots):
        images[number, row, column] = value
    return images


def column_model(size: int = 4, classes: int = 3, scale: float = 10.0) -> Any:
    import keras

    model = keras.Sequential([keras.Input((size, size, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(classes, activation="softmax")])
    weights = np.zeros((size * size, classes), dtype=np.float32)
    for pixel in range(size * size):
        weights[pixel, (pixel % size) % classes] = scale
    model.layers[-1].set_weights([weights, np.zeros(classes, dtype=np.float32)])
    return model


def confidence(value: int, classes: int = 3, scale: float = 10.0) -> float:
    """The probability ``column_model`` gives its predicted class for a pixel of ``value``."""
    logit = math.exp(scale * value / 255)
    return logit / (logit + classes - 1)


def write_dataset(folder: Path, test_spots: list[Spot], test_labels: list[int],
                  size: int = 4) -> Path:
    """An IDX folder whose test split is the given images.

    Its training split is the same plus a class-0 image, so that the classes are
    0, 1, 2 even when the test images have no class 0.
    """
    images, labels = spot_images(test_spots, size), np.array(test_labels, dtype=np.uint8)
    train_images = np.concatenate([images, spot_images([(0, 0, 255)], size)])
    train_labels = np.concatenate([labels, np.array([0], dtype=np.uint8)])
    return write_idx_folder(folder, train_images, train_labels, images, labels)


def write_run(runs_dir: Path, name: str, dataset: Path, model: Any, *, seed: int = 0) -> Path:
    """A finished run of ``model`` on ``dataset``, laid out as cnn-tui train leaves it."""
    info = peek_dataset(str(dataset))
    config = TrainConfig(dataset=str(dataset), model="seed-mlp", seed=seed, epochs=1,
                         runs_dir=runs_dir, name=name)
    run = runs_dir / name
    run.mkdir(parents=True)
    options = config_to_dict(config)
    write_config(run, {
        "name": name, "created": options["created"],
        "dataset": {"source": str(dataset), "name": info.name, "format": info.source,
                    "input_shape": list(info.input_shape), "num_classes": info.num_classes,
                    "class_names": list(info.class_names), "limit": None},
        "model": {"name": "column", "source": None, "spec": {"layers": []}},
        "augmentation": {}, "optimizer": "rmsprop", "learning_rate": 0.001, "batch_size": 256,
        "epochs": 1, "seed": seed, "options": options, "resumes": [],
    })
    update_status(run, state="finished", epochs_done=1)
    save_model(model, run / MODEL_FILE, {"epochs_done": 1, "history": [], "complete": True})
    return run
