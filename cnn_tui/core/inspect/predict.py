"""Class probabilities for many images at once, and the top classes of one.

``predict_probabilities`` feeds uint8 images to the model (under TensorFlow
through tf.data) the way training's validation does (``pipeline.py``: one tensor of the
images, batches gathered by index and scaled to [0, 1] in parallel, ahead of
the model) and runs ``model.predict`` (inference mode: dropout off, batch
normalisation on its moving statistics). It is as fast per image as
``model.evaluate`` on the same data (``benchmarks/bench_inspect.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

PREDICT_BATCH = 256
"""Images per batch: training's default batch size, which evaluate uses too."""


def predict_probabilities(model: Any, images: np.ndarray, batch_size: int = PREDICT_BATCH
                          ) -> np.ndarray:
    """float32 (N, K) class probabilities for uint8 (N, H, W, C) ``images``."""
    from cnn_tui.core.backend import is_tensorflow

    if images.dtype != np.uint8 or images.ndim != 4:
        raise ValueError(f"expected uint8 (N, H, W, C) images, got {images.dtype} {images.shape}")
    classes = int(model.outputs[0].shape[-1])
    if len(images) == 0:
        return np.zeros((0, classes), dtype=np.float32)
    if is_tensorflow():
        batches = _tf_batches(images, batch_size)
    else:  # JAX, torch: the same scaled batches from numpy (``batches.py`` for training)
        batches = _numpy_batches(images, batch_size)
    probabilities = model.predict(batches, verbose=0)
    return np.asarray(probabilities, dtype=np.float32).reshape(len(images), classes)


def _tf_batches(images: np.ndarray, batch_size: int) -> Any:
    from cnn_tui.core.tf_setup import import_tensorflow

    tf = import_tensorflow()
    with tf.device("/CPU:0"):  # tf.data runs on the host; the model may run on a GPU
        pixels = tf.constant(images)

    def scaled(index: Any) -> Any:
        return tf.cast(tf.gather(pixels, index), tf.float32) / 255.0

    return (tf.data.Dataset.range(len(images)).batch(batch_size)
            .map(scaled, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE))


def _numpy_batches(images: np.ndarray, batch_size: int) -> Any:
    """A Keras PyDataset of scaled batches: ``predict`` takes each in order."""
    import keras

    class Scaled(keras.utils.PyDataset):
        def __len__(self) -> int:
            return -(-len(images) // batch_size)

        def __getitem__(self, index: int) -> np.ndarray:
            batch = images[index * batch_size:(index + 1) * batch_size]
            scaled: np.ndarray = batch.astype(np.float32) / np.float32(255.0)
            return scaled

    return Scaled()


@dataclass(frozen=True)
class ClassProbability:
    """One class and the probability the model gives it."""

    name: str
    probability: float


def top_classes(probabilities: np.ndarray, class_names: Sequence[str], k: int = 3
                ) -> tuple[ClassProbability, ...]:
    """The ``k`` most probable classes of one image, most probable first (ties: lower index)."""
    values = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    if len(values) != len(class_names):
        raise ValueError(f"{len(values)} probabilities for {len(class_names)} classes")
    order = np.argsort(-values, kind="stable")[: max(0, k)]
    return tuple(ClassProbability(class_names[i], float(values[i])) for i in order)

