"""The two dataset records the rest of the engine sees.

``DatasetInfo`` is cheap (what ``peek_dataset`` returns without loading pixels);
``Dataset`` holds the arrays, always uint8 NHWC images and int64 labels, so the
pipeline can scale to float batch by batch instead of copying the whole set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np



@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is, without its pixels."""

    name: str
    """The name (e.g. mnist) or the path as given."""
    input_shape: tuple[int, int, int]
    """Height, width, channels."""
    num_classes: int
    class_names: tuple[str, ...]
    n_train: int | None
    """Training images in the source (before any hold-out or limit)."""
    n_test: int | None
    """Test images in the source; None when it has no test split."""
    source: str
    """keras.datasets, bundled, idx, npz, cifar-batches or image-folder."""
    available_offline: bool
    """True when it is local or already in Keras's cache."""


@dataclass
class Dataset:
    """A loaded dataset: uint8 (N, H, W, C) images and int64 (N,) labels."""

    info: DatasetInfo
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    """The test split, or a stratified hold-out of the training data."""
    y_val: np.ndarray
    val_source: str
    """Either "test split" or "10% held out of train"."""
    warnings: list[str] = field(default_factory=list)
    """What was left out while loading (corrupt images, stray files, empty class folders):
    one line per reason with the count and the first paths (``skipped.SkippedFiles``);
    ``format_warnings`` makes them one line."""


@dataclass
class RawSplits:
    """What a format reader hands back before splitting and limiting."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    class_names: tuple[str, ...]
    warnings: list[str] = field(default_factory=list)
