"""The stratified hold-out and the class-balanced limit: seeded, disjoint, proportional."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from dataset_files import random_images
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_tui.core.datasets import load_dataset
from cnn_tui.core.datasets.arrays import balanced_subset, stratified_split


def _unbalanced_labels() -> np.ndarray:
    return np.repeat(np.arange(4), [100, 50, 30, 7])


def test_stratified_split_keeps_class_proportions() -> None:
    y = _unbalanced_labels()
    train, val = stratified_split(y, 0.2, seed=0)
    assert len(val) == round(len(y) * 0.2)
    assert set(train).isdisjoint(val) and len(train) + len(val) == len(y)
    for label, count in enumerate(np.bincount(y)):
        held_out = int(np.sum(y[val] == label))
        assert abs(held_out - count * 0.2) <= 1.0
        assert np.sum(y[train] == label) >= 1


def test_stratified_split_is_seeded() -> None:
    y = _unbalanced_labels()
    first, again = stratified_split(y, 0.1, seed=5), stratified_split(y, 0.1, seed=5)
    other = stratified_split(y, 0.1, seed=6)
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[1], other[1])


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 40), min_size=2, max_size=6),
    val_split=st.floats(0.05, 0.6),
    seed=st.integers(0, 1000),
)
def test_stratified_split_properties(counts: list[int], val_split: float, seed: int) -> None:
    y = np.repeat(np.arange(len(counts)), counts)
    if all(c == 1 for c in counts):
        return  # nothing can be held out; covered by the error test
    train, val = stratified_split(y, val_split, seed)
    assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(len(y)))
    assert set(np.unique(y[train])) == set(range(len(counts)))  # no class lost from training
    assert 1 <= len(val) <= max(1, round(len(y) * val_split))


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 30), min_size=1, max_size=6),
    limit=st.integers(1, 120),
    seed=st.integers(0, 1000),
)
def test_balanced_subset_properties(counts: list[int], limit: int, seed: int) -> None:
    y = np.repeat(np.arange(len(counts)), counts)
    rows = balanced_subset(y, limit, seed)
    assert len(rows) == min(limit, len(y)) and len(set(rows)) == len(rows)
    taken = np.bincount(y[rows], minlength=len(counts))
    # balanced: a class gets fewer than another only when it has run out of images
    for label, count in enumerate(counts):
        if taken[label] < taken.max() - 1:
            assert taken[label] == count
    np.testing.assert_array_equal(rows, balanced_subset(y, limit, seed))


def test_limit_on_a_loaded_dataset(tmp_path: Path) -> None:
    path = tmp_path / "set.npz"
    y = np.repeat(np.arange(5), [40, 30, 20, 20, 10]).astype(np.uint8)
    np.savez(path, x=random_images(len(y), (4, 4, 3)), y=y)
    full = load_dataset(path, val_split=0.1, seed=1)
    limited = load_dataset(path, val_split=0.1, seed=1, limit=25)
    assert np.bincount(limited.y_train).tolist() == [5, 5, 5, 5, 5]
    assert limited.x_train.dtype == np.uint8 and limited.x_train.shape == (25, 4, 4, 3)
    np.testing.assert_array_equal(limited.y_val, full.y_val)  # the limit leaves validation alone
    seen = {row.tobytes() for row in full.x_train}
    assert all(row.tobytes() in seen for row in limited.x_train)  # a subset of training
    assert len(load_dataset(path, limit=10_000).y_train) == len(full.y_train)


def test_held_out_split_of_a_loaded_dataset(tmp_path: Path) -> None:
    path = tmp_path / "set.npz"
    y = np.repeat(np.arange(2), [60, 40]).astype(np.uint8)
    x = random_images(100, (3, 3))
    np.savez(path, x=x, y=y)
    dataset = load_dataset(path, val_split=0.3, seed=2)
    assert np.bincount(dataset.y_val).tolist() == [18, 12]
    assert dataset.val_source == "30% held out of train"
    rows = {r.tobytes() for r in dataset.x_train} | {r.tobytes() for r in dataset.x_val}
    assert len(rows) == len({r.tobytes() for r in x[..., None]})


def test_one_image_per_class_cannot_be_split(tmp_path: Path) -> None:
    from cnn_tui.core.errors import DatasetError

    path = tmp_path / "tiny.npz"
    np.savez(path, x=random_images(3, (3, 3)), y=np.arange(3))
    with pytest.raises(DatasetError, match="too few to hold out"):
        load_dataset(path)
