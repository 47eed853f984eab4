"""Datasets: Keras's named ones, the bundled samples and local files, as uint8 NHWC arrays.

``peek_dataset`` describes a source without loading its pixels (for the shape
table); ``load_dataset`` loads it with a validation split and an optional
class-balanced limit. Neither imports TensorFlow for a path.
"""

from __future__ import annotations

from cnn_tui.core.datasets.api import load_dataset, peek_dataset
from cnn_tui.core.datasets.named import NAMED_DATASETS, NamedDataset
from cnn_tui.core.datasets.samples import BUNDLED_SAMPLES, SAMPLE_OF, BundledSample, sample_for
from cnn_tui.core.datasets.skipped import format_warnings
from cnn_tui.core.datasets.types import Dataset, DatasetInfo

__all__ = [
    "BUNDLED_SAMPLES",
    "NAMED_DATASETS",
    "SAMPLE_OF",
    "BundledSample",
    "Dataset",
    "DatasetInfo",
    "NamedDataset",
    "format_warnings",
    "load_dataset",
    "peek_dataset",
    "sample_for",
]
