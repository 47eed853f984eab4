"""The backend-neutral input pipeline: uint8 arrays in, scaled float batches out.

With the TensorFlow backend the run feeds the model through tf.data
(``pipeline.py``); with JAX or torch it uses this ``keras.utils.PyDataset``
instead, which does the same work in numpy: each batch is gathered by index
from the uint8 images, scaled to float32 in [0, 1] and its labels one-hot
encoded, a few batches ahead of the model in a small thread pool (prefetch),
so the device does not wait for the host. Threads rather than processes:
numpy's gather and cast release the GIL, and processes would copy (or
pickle) the whole dataset.

The prefetch is ours, not Keras's ``workers=N``: Keras's ``OrderedEnqueuer``
keeps the batches it prepared when an epoch ends and serves them first in the
next one, and JAX's ``fit`` ends a warm-up "epoch" after taking one batch to
build the model, so every epoch then mixes two orders (measured: 160 of 200
images seen per epoch). Here a prepared batch is keyed by its epoch and is
dropped when the epoch ends.

Training batches follow a new permutation every epoch, drawn from
``(seed, epoch)`` so that a run repeats. Keras is imported inside functions
only (the core is imported by ``cnn-tui --help`` and the TUI's first frame).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

DEFAULT_WORKERS = min(4, os.cpu_count() or 1)
"""Threads preparing batches ahead of the model (0: each batch when it is asked for)."""

AHEAD_BATCHES = 8
"""Batches prepared ahead of the one asked for: enough to cover a slow batch or two."""


def epoch_order(n_images: int, seed: int, epoch: int) -> np.ndarray:
    """The order of the images in training epoch ``epoch`` (0-based): a permutation of
    ``range(n_images)`` that depends only on ``(seed, epoch)``."""
    rng = np.random.default_rng([seed, epoch])
    order: np.ndarray = rng.permutation(n_images)
    return order


def gather_batch(x: np.ndarray, y: np.ndarray, index: np.ndarray,
                 num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """The images at ``index`` as float32 in [0, 1] and their labels one-hot (float32).

    Divides by 255 in float32, as the tf.data pipeline does, so both backends
    see the same values.
    """
    images = x[index].astype(np.float32) / np.float32(255.0)
    labels = np.asarray(y[index], dtype=np.int64)
    one_hot = np.zeros((len(index), num_classes), dtype=np.float32)
    one_hot[np.arange(len(index)), labels] = 1.0
    return images, one_hot


def images_per_epoch(n_images: int, devices: int = 1) -> int:
    """How many of ``n_images`` an epoch takes when each batch splits evenly between
    ``devices`` (JAX shards every batch): the largest multiple of their number."""
    return n_images - n_images % max(1, devices)


def steps_for(n_images: int, batch_size: int) -> int:
    """Batches in one pass over ``n_images`` (the last one may be short)."""
    return max(1, -(-n_images // batch_size))


_CLASS: type | None = None
_CLASS_LOCK = threading.Lock()


def _uint8_batches_class() -> type:
    """The PyDataset class, defined on first use so that Keras loads lazily."""
    global _CLASS
    with _CLASS_LOCK:
        if _CLASS is not None:
            return _CLASS
        import keras

        class Uint8Batches(keras.utils.PyDataset):
            """Batches of ``(float32 images, one-hot labels)`` over uint8 arrays."""

            def __init__(self, x: np.ndarray, y: np.ndarray, *, num_classes: int,
                         batch_size: int, shuffle: bool, seed: int, first_epoch: int,
                         workers: int, multiple_of: int = 1) -> None:
                # workers=1: Keras asks for the batches in order, in its own
                # thread, with no enqueuer (see the module docstring).
                super().__init__(workers=1, use_multiprocessing=False)
                if len(x) != len(y):
                    raise ValueError(f"{len(x)} images but {len(y)} labels")
                if batch_size < 1:
                    raise ValueError(f"batch size must be at least 1, got {batch_size}")
                self.x, self.y = x, y
                # Each batch is split evenly between the devices (JAX's data sharding
                # needs it): an epoch takes the largest multiple of their number.
                self.used = images_per_epoch(len(x), multiple_of)
                self.num_classes, self.batch_size = num_classes, batch_size
                self.shuffle, self.seed = shuffle, seed
                self.epoch = first_epoch
                self.order = self._order()
                self.threads = workers
                self._pool: ThreadPoolExecutor | None = None
                self._ahead: dict[int, Future[tuple[np.ndarray, np.ndarray]]] = {}

            def _order(self) -> np.ndarray:
                if not self.shuffle:
                    return np.arange(len(self.x))
                return epoch_order(len(self.x), self.seed, self.epoch)

            def __len__(self) -> int:
                return steps_for(self.used, self.batch_size) if self.used else 0

            def _index(self, batch: int) -> np.ndarray:
                start = batch * self.batch_size
                index: np.ndarray = self.order[start:min(start + self.batch_size, self.used)]
                return index

            def __getitem__(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
                if not 0 <= batch < len(self):
                    raise IndexError(f"batch {batch} of {len(self)}")
                ready = self._ahead.pop(batch, None)
                self._prefetch(batch + 1)
                if ready is not None:
                    return ready.result()
                return gather_batch(self.x, self.y, self._index(batch), self.num_classes)

            def _prefetch(self, first: int) -> None:
                """Start the batches after ``first - 1`` of this epoch's order."""
                if self.threads < 1:
                    return
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self.threads, "cnn-tui-batches")
                for batch in range(first, min(first + AHEAD_BATCHES, len(self))):
                    if batch not in self._ahead:
                        # The index is taken now: the future never reads self.order.
                        self._ahead[batch] = self._pool.submit(
                            gather_batch, self.x, self.y, self._index(batch),
                            self.num_classes)

            def on_epoch_end(self) -> None:
                # Batches prepared for this epoch's order are of no use in the next.
                for future in self._ahead.values():
                    future.cancel()
                self._ahead.clear()
                self.epoch += 1
                self.order = self._order()

            def close(self) -> None:
                """Drop what was prepared and stop the threads (a run's end)."""
                self.on_epoch_end()
                if self._pool is not None:
                    self._pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = None

        _CLASS = Uint8Batches
        return _CLASS


def make_batches(x: np.ndarray, y: np.ndarray, num_classes: int, batch_size: int, *,
                 shuffle: bool, seed: int = 0, first_epoch: int = 0,
                 workers: int = DEFAULT_WORKERS, multiple_of: int = 1) -> Any:
    """A ``keras.utils.PyDataset`` of ``(float32 images [0,1], one-hot labels)`` batches.

    ``shuffle``: a new seeded order each epoch, starting at ``first_epoch``'s
    (a resumed run's), else the arrays' order. ``multiple_of``: every batch's
    size is a multiple of it (the devices a batch is split between), so an
    epoch leaves out the last ``len(x) % multiple_of`` images of its order.
    Imports Keras.
    """
    cls = _uint8_batches_class()
    return cls(x, y, num_classes=num_classes, batch_size=batch_size, shuffle=shuffle,
               seed=seed, first_epoch=first_epoch, workers=workers, multiple_of=multiple_of)


def make_train_val_batches(dataset: Any, batch_size: int, seed: int = 0,
                           first_epoch: int = 0, devices: int = 1) -> tuple[Any, Any]:
    """``(train, val)`` PyDatasets of a loaded ``Dataset``: train shuffled every epoch,
    val in order; with several ``devices``, batches that split evenly between them."""
    num_classes = dataset.info.num_classes
    train = make_batches(dataset.x_train, dataset.y_train, num_classes, batch_size,
                         shuffle=True, seed=seed, first_epoch=first_epoch,
                         multiple_of=devices)
    val = make_batches(dataset.x_val, dataset.y_val, num_classes, batch_size,
                       shuffle=False, multiple_of=devices)
    return train, val
