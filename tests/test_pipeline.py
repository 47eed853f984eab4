"""The tf.data pipeline: scaling, one-hot labels, shuffling, augmentation only in training."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_tui.core.augment import build_augmenter
from cnn_tui.core.augment_config import AugmentConfig
from cnn_tui.core.datasets import Dataset, DatasetInfo
from cnn_tui.core.pipeline import make_train_val_datasets, steps_per_epoch

pytestmark = pytest.mark.tf_only("the tf.data pipeline (others: batches.py, test_batches)")


def _dataset(n_train: int = 50, n_val: int = 20) -> Dataset:
    rng = np.random.default_rng(0)
    info = DatasetInfo("generated", (8, 8, 1), 3, ("a", "b", "c"), n_train, n_val, "npz", True)
    # Each image's pixels all equal its index, so batches can be traced back.
    x_train = np.broadcast_to(
        np.arange(n_train, dtype=np.uint8)[:, None, None, None], (n_train, 8, 8, 1)
    ).copy()
    x_val = np.full((n_val, 8, 8, 1), 255, np.uint8)
    x_val[:, :, :4] = 0  # left half black, so a flip would show
    return Dataset(
        info, x_train, rng.integers(0, 3, n_train), x_val, rng.integers(0, 3, n_val), "test split"
    )


def _collect(ds: object) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds], strict=True)
    return np.concatenate(xs), np.concatenate(ys)


def test_batches_are_scaled_one_hot_and_complete() -> None:
    data = _dataset()
    train, val = make_train_val_datasets(data, batch_size=16, augmenter=None, seed=1)
    x, y = _collect(train)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert x.shape == (50, 8, 8, 1) and y.shape == (50, 3)
    assert x.min() >= 0.0 and x.max() <= 1.0
    order = np.rint(x[:, 0, 0, 0] * 255).astype(int)
    assert sorted(order) == list(range(50))  # every image once per epoch
    np.testing.assert_array_equal(y.argmax(1), data.y_train[order])  # labels follow images
    assert [len(b[0]) for b in train] == [16, 16, 16, 2]
    assert steps_per_epoch(50, 16) == 4


def test_training_order_is_reshuffled_each_epoch_and_seeded() -> None:
    data = _dataset()
    train, _ = make_train_val_datasets(data, batch_size=50, augmenter=None, seed=1)
    first = _collect(train)[0][:, 0, 0, 0]
    second = _collect(train)[0][:, 0, 0, 0]
    assert not np.array_equal(first, second)
    again, _ = make_train_val_datasets(data, batch_size=50, augmenter=None, seed=1)
    np.testing.assert_array_equal(_collect(again)[0][:, 0, 0, 0], first)


def test_validation_is_never_augmented_nor_shuffled() -> None:
    data = _dataset()
    augmenter = build_augmenter(AugmentConfig(horizontal_flip=True, width_shift_range=0.3), seed=0)
    train, val = make_train_val_datasets(data, batch_size=8, augmenter=augmenter, seed=0)
    x_val, y_val = _collect(val)
    np.testing.assert_array_equal(x_val, data.x_val.astype(np.float32) / 255.0)
    np.testing.assert_array_equal(y_val.argmax(1), data.y_val)
    # The same augmenter does change images on the training side.
    flipped = make_train_val_datasets(
        Dataset(data.info, data.x_val, data.y_val, data.x_val, data.y_val, "test split"),
        batch_size=20,
        augmenter=augmenter,
        seed=0,
    )[0]
    x_aug, _ = _collect(flipped)
    assert not np.allclose(x_aug, data.x_val.astype(np.float32) / 255.0)
    assert x_aug.min() >= 0.0 and x_aug.max() <= 1.0


@pytest.mark.parametrize("batch_size", [1, 7, 64])
def test_any_batch_size_covers_the_data(batch_size: int) -> None:
    data = _dataset(n_train=10, n_val=3)
    train, val = make_train_val_datasets(data, batch_size=batch_size, augmenter=None, seed=0)
    assert len(_collect(train)[0]) == 10 and len(_collect(val)[0]) == 3
