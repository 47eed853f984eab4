"""The backend-neutral PyDataset pipeline (core/batches.py) on a slice of real MNIST.

Batch shapes and dtypes, [0, 1] values equal to the tf.data pipeline's
scaling, one-hot labels matching the source labels, every image once per
epoch, a new order each epoch, and the same orders again for the same seed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cnn_tui.core.batches import (
    epoch_order,
    gather_batch,
    make_batches,
    make_train_val_batches,
    steps_for,
)
from tests.tiny_runs import load_tiny_mnist

BATCH = 64  # 200 images: three full batches and a short one of 8


@pytest.fixture(scope="module")
def mnist() -> Any:
    return load_tiny_mnist()


def _epoch(ds: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """One epoch's batches, read as Keras's adapter reads them, then its end."""
    xs, ys = zip(*[ds[i] for i in range(len(ds))], strict=True)
    ds.on_epoch_end()
    return list(xs), list(ys)


def _positions(data: Any, xs: list[np.ndarray]) -> np.ndarray:
    """Which training image each batch row is (the slice's images are distinct)."""
    lookup = {data.x_train[i].tobytes(): i for i in range(len(data.x_train))}
    rows = np.concatenate(xs)
    return np.array([lookup[np.rint(row * 255).astype(np.uint8).tobytes()] for row in rows])


def test_batches_have_the_shapes_dtypes_and_values_of_the_pipeline(mnist: Any) -> None:
    train, val = make_train_val_batches(mnist, BATCH, seed=3)
    n = len(mnist.x_train)
    assert len(train) == steps_for(n, BATCH) == 4
    xs, ys = _epoch(train)
    assert [len(x) for x in xs] == [64, 64, 64, 8]
    for x, y in zip(xs, ys, strict=True):
        assert x.dtype == np.float32 and x.shape[1:] == mnist.info.input_shape
        assert y.dtype == np.float32 and y.shape[1:] == (mnist.info.num_classes,)
        assert x.min() >= 0.0 and x.max() <= 1.0
        assert np.all(y.sum(axis=1) == 1.0) and set(np.unique(y)) <= {0.0, 1.0}
    # Real MNIST has black backgrounds and white strokes: both ends are reached.
    assert np.concatenate(xs).min() == 0.0 and np.concatenate(xs).max() == 1.0
    vx, vy = _epoch(val)
    assert np.array_equal(np.concatenate(vx), mnist.x_val.astype(np.float32) / 255.0)
    assert np.array_equal(np.concatenate(vy).argmax(axis=1), mnist.y_val)


def test_an_epoch_visits_every_image_once_with_its_own_label(mnist: Any) -> None:
    train, _ = make_train_val_batches(mnist, BATCH, seed=5)
    xs, ys = _epoch(train)
    positions = _positions(mnist, xs)
    assert sorted(positions.tolist()) == list(range(len(mnist.x_train)))
    assert np.array_equal(np.concatenate(ys).argmax(axis=1), mnist.y_train[positions])
    assert not np.array_equal(positions, np.arange(len(positions)))  # shuffled


def test_each_epoch_has_a_new_order_and_a_seed_repeats_them(mnist: Any) -> None:
    def orders(seed: int, first_epoch: int = 0) -> list[list[int]]:
        ds = make_batches(mnist.x_train, mnist.y_train, 10, BATCH, shuffle=True,
                          seed=seed, first_epoch=first_epoch, workers=1)
        return [_positions(mnist, _epoch(ds)[0]).tolist() for _ in range(3)]

    first = orders(seed=7)
    assert first[0] != first[1] != first[2]
    assert orders(seed=7) == first
    assert orders(seed=8) != first
    assert orders(seed=7, first_epoch=1)[:2] == first[1:]  # a resume continues the orders


def test_with_several_devices_every_batch_splits_evenly_between_them(mnist: Any) -> None:
    """JAX shards each batch over the devices: 200 images on 3 devices use 198 a pass,
    a different 2 left out each training epoch, and the last 2 of validation's order."""
    train, val = make_train_val_batches(mnist, 63, seed=2, devices=3)
    n = len(mnist.x_train)
    used = n - n % 3
    first, second = (_positions(mnist, _epoch(train)[0]) for _ in range(2))
    assert [len(x) for x in _epoch(train)[0]] == [63, 63, 63, used - 189]
    for positions in (first, second):
        assert len(positions) == used == len(set(positions.tolist()))
    assert set(first.tolist()) != set(second.tolist())
    vx, _ = _epoch(val)
    kept = len(mnist.x_val) - len(mnist.x_val) % 3
    assert all(len(x) % 3 == 0 for x in vx)
    assert np.array_equal(np.concatenate(vx), mnist.x_val[:kept].astype(np.float32) / 255.0)


def test_validation_keeps_its_order_across_epochs(mnist: Any) -> None:
    _, val = make_train_val_batches(mnist, BATCH, seed=1)
    first, _ = _epoch(val)
    second, _ = _epoch(val)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_out_of_range_batches_and_bad_arguments_are_refused(mnist: Any) -> None:
    ds = make_batches(mnist.x_train, mnist.y_train, 10, BATCH, shuffle=False, workers=1)
    with pytest.raises(IndexError):
        ds[len(ds)]
    with pytest.raises(ValueError, match="labels"):
        make_batches(mnist.x_train, mnist.y_train[:-1], 10, BATCH, shuffle=False)
    with pytest.raises(ValueError, match="batch size"):
        make_batches(mnist.x_train, mnist.y_train, 10, 0, shuffle=False)


def test_the_order_and_the_gather_are_pure_numpy() -> None:
    assert np.array_equal(epoch_order(50, 1, 2), epoch_order(50, 1, 2))
    assert sorted(epoch_order(50, 1, 2).tolist()) == list(range(50))
    x = np.array([[[[0]]], [[[255]]], [[[51]]]], np.uint8)
    images, labels = gather_batch(x, np.array([2, 0, 1]), np.array([2, 1]), 3)
    assert images.ravel().tolist() == [np.float32(51) / np.float32(255), 1.0]
    assert labels.tolist() == [[0, 1, 0], [1, 0, 0]]


def test_prefetched_batches_equal_the_ones_made_when_asked_for(mnist: Any) -> None:
    def epochs(workers: int) -> list[np.ndarray]:
        ds = make_batches(mnist.x_train, mnist.y_train, 10, BATCH, shuffle=True, seed=2,
                          workers=workers)
        out = [np.concatenate(_epoch(ds)[0]) for _ in range(2)]
        ds.close()
        return out

    threaded, inline = epochs(workers=2), epochs(workers=0)
    assert all(np.array_equal(a, b) for a, b in zip(threaded, inline, strict=True))


# Counts, per epoch, the training images that Keras's fit hands to the model:
# the adapter's _standardize_batch sees every batch on its way in.
FIT_SCRIPT = """
import numpy as np, keras
from keras.src.trainers.data_adapters import py_dataset_adapter as adapter
from tests.tiny_runs import load_tiny_mnist
from cnn_tui.core.batches import make_train_val_batches
data = load_tiny_mnist()
where = {data.x_train[i].tobytes(): i for i in range(len(data.x_train))}
train, val = make_train_val_batches(data, 50, seed=0)
seen = [[]]
standardize = adapter.PyDatasetAdapter._standardize_batch
def spy(self, batch):
    if self.py_dataset is train:
        seen[-1].extend(where[np.rint(r * 255).astype(np.uint8).tobytes()] for r in batch[0])
    return standardize(self, batch)
adapter.PyDatasetAdapter._standardize_batch = spy
class Epochs(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        seen.append([])
model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                          keras.layers.Dense(10, activation="softmax")])
model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
h = model.fit(train, validation_data=val, epochs=3, verbose=0, shuffle=False,
              callbacks=[Epochs()])
train.close()
print(keras.backend.backend())
print([sorted(s) == list(range(len(data.x_train))) for s in seen[1:]])
print([s[:5] for s in seen[1:]])
print(h.history["accuracy"])
"""


def test_keras_fit_on_jax_sees_every_image_once_per_epoch(mnist: Any) -> None:
    """Keras's own adapter drives it under JAX; its OrderedEnqueuer (workers > 1)
    served stale batches after fit's warm-up (see core/batches.py)."""
    pytest.importorskip("jax")
    env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": str(Path.cwd())}
    result = subprocess.run([sys.executable, "-c", FIT_SCRIPT], capture_output=True,
                            text=True, timeout=240, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    backend, complete, firsts, accuracy = result.stdout.strip().splitlines()[-4:]
    assert backend == "jax"
    assert complete == "[True, True, True]"
    assert len(set(firsts.split("], ["))) == 3  # a new order each epoch
    history = [float(a) for a in accuracy.strip("[]").split(",")]
    assert history[-1] > history[0]
