"""Checks and reshaping shared by every format, and the seeded splits.

Images stay uint8 from file to ``Dataset``: indexing makes uint8 copies of the
chosen rows, never a float32 copy of the set (the pipeline scales per batch).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cnn_tui.core.errors import DatasetError
from cnn_tui.core.limits import MAX_CLASSES


def as_images(x: np.ndarray, where: str) -> np.ndarray:
    """(N, H, W) or (N, H, W, C) pixels as uint8 NHWC, or a DatasetError naming ``where``."""
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise DatasetError(
            f"Images in {where} have shape {x.shape}; expected (N, H, W) or (N, H, W, C) "
            "with C = 1 or 3, so save them in that layout."
        )
    if len(x) == 0:
        raise DatasetError(f"{where} holds no images; add images or pick another dataset.")
    if x.dtype == np.uint8:
        return x
    if not np.issubdtype(x.dtype, np.integer):
        raise DatasetError(
            f"Images in {where} are {x.dtype}, not uint8 pixels 0-255; "
            "save them as uint8, e.g. (x * 255).round().astype('uint8')."
        )
    if x.size and (x.min() < 0 or x.max() > 255):
        raise DatasetError(
            f"Images in {where} have values outside 0-255; save them as uint8 pixels."
        )
    return x.astype(np.uint8)


def as_labels(y: np.ndarray, n_images: int, where: str) -> np.ndarray:
    """Integer labels as int64 (N,) matching ``n_images``, or a DatasetError naming ``where``."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.ndim != 1:
        raise DatasetError(
            f"Labels in {where} have shape {y.shape}; expected one integer class per image, "
            "shape (N,) or (N, 1) (not one-hot)."
        )
    if not np.issubdtype(y.dtype, np.integer):
        raise DatasetError(
            f"Labels in {where} are {y.dtype}; expected integer class indices 0..K-1."
        )
    if len(y) != n_images:
        raise DatasetError(
            f"{where} has {n_images} images but {len(y)} labels; "
            "every image needs exactly one label."
        )
    if y.size and y.min() < 0:
        raise DatasetError(
            f"Labels in {where} include {int(y.min())}; class indices must be 0 or more."
        )
    return y.astype(np.int64, copy=False)


def count_classes(labels: Sequence[np.ndarray | None], where: str) -> int:
    """K for labels that must be exactly 0..K-1 (a source without a list of classes).

    A stray label (a typo such as 1000 among 0..9) would otherwise make a
    model of 1001 outputs, most of them classes without a single image.
    """
    present = _label_values(labels, where)
    if len(present) == 0 or present[-1] == len(present) - 1:
        count = len(present)
    elif present[0] != 0:
        raise DatasetError(
            f"Labels in {where} start at {present[0]}, not 0; renumber them 0..K-1 "
            f"(e.g. subtract {present[0]})."
        )
    else:
        gap = next(index for index, value in enumerate(present) if value != index)
        strays = present[gap:]
        shown = ", ".join(map(str, strays[:5])) + (", ..." if len(strays) > 5 else "")
        start = "0" if gap == 1 else f"0..{gap - 1}"
        raise DatasetError(
            f"Labels in {where} are {start} plus {len(strays)} stray label(s) {shown}, "
            f"which would make {present[-1] + 1:,} classes, most without images; renumber "
            "the labels 0..K-1 or remove the stray ones."
        )
    if count > MAX_CLASSES:
        raise DatasetError(
            f"{where} has {count:,} classes, more than the {MAX_CLASSES:,} cnn-tui trains; "
            "merge classes or use a subset of them."
        )
    return count


def _label_values(labels: Sequence[np.ndarray | None], where: str) -> list[int]:
    """The sorted distinct labels of every split, refusing non-integer and negative ones."""
    parts = [np.asarray(y).reshape(-1) for y in labels if y is not None]
    for y in parts:
        if not np.issubdtype(y.dtype, np.integer):
            raise DatasetError(
                f"Labels in {where} are {y.dtype}; expected integer class indices 0..K-1."
            )
        if y.size and int(y.min()) < 0:
            raise DatasetError(
                f"Labels in {where} include {int(y.min())}; class indices must be 0 or more."
            )
    return [int(v) for v in np.unique(np.concatenate(parts))] if parts else []


def check_labels(labels: Sequence[np.ndarray | None], num_classes: int, where: str) -> None:
    """Integer labels from 0 up to ``num_classes - 1`` in every split, else a DatasetError."""
    present = _label_values(labels, where)
    if present and present[-1] >= num_classes:
        raise DatasetError(
            f"Labels in {where} go up to {present[-1]} but the dataset has {num_classes} "
            f"classes (0..{num_classes - 1}); fix the labels or the class list."
        )


def check_val_split(val_split: float) -> None:
    if not 0.0 < val_split < 1.0:
        raise DatasetError(
            f"The validation split must be between 0 and 1 (got {val_split}); use e.g. 0.1 for 10%."
        )


def check_limit(limit: int | None) -> None:
    if limit is not None and limit < 1:
        raise DatasetError(f"The limit must be at least 1 image (got {limit}); or leave it unset.")


def stratified_split(y: np.ndarray, val_split: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (train, val) row indices holding out ``val_split`` of the rows, class by class.

    Each class gives floor(n * val_split) rows (always keeping one for training);
    the few rows that rounding leaves short are drawn at random from classes that
    can spare them, so the hold-out is round(N * val_split) whenever possible.
    """
    rng = np.random.default_rng(seed)
    target = max(1, int(round(len(y) * val_split)))
    val_parts: list[np.ndarray] = []
    spare_parts: list[np.ndarray] = []
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        n_val = min(int(len(rows) * val_split), len(rows) - 1)
        val_parts.append(rows[:n_val])
        spare_parts.append(rows[n_val + 1 :])  # rows[n_val] stays in training
    val = np.concatenate(val_parts)
    spare = np.concatenate(spare_parts)
    short = min(target - len(val), len(spare))
    if short > 0:
        val = np.concatenate([val, rng.choice(spare, size=short, replace=False)])
    if len(val) == 0:
        raise DatasetError(
            f"Only {len(y)} training images, one per class: too few to hold out a validation "
            "split; add images or provide a test split."
        )
    in_val = np.zeros(len(y), dtype=bool)
    in_val[val] = True
    return np.flatnonzero(~in_val), np.flatnonzero(in_val)


def balanced_subset(y: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """Sorted row indices of ``limit`` images drawn evenly from every class (seeded).

    Each image gets its rank in a shuffled order of its own class; taking the
    lowest ranks first gives every class the same count until a class runs out.
    """
    if limit >= len(y):
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    rank = np.empty(len(y), dtype=np.int64)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        rank[rng.permutation(rows)] = np.arange(len(rows))
    tie_break = rng.random(len(y))
    order = np.lexsort((tie_break, rank))
    return np.sort(order[:limit])
