"""Reading a dataset for the Dataset tab: a peek, then a few real sample images.

``read_dataset`` is what the tab's thread worker runs. It imports nothing
of Textual: it reports each step as a plain event through ``emit`` (the
worker turns them into messages), and every failure as a ``Failed`` event
with a sentence to show, never as an exception.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnn_tui.core.datasets import DatasetInfo, format_warnings, load_dataset, peek_dataset
from cnn_tui.core.errors import CnnTuiError
from cnn_tui.ui.rates import DATASET_PROGRESS_INTERVAL_S

SAMPLE_COUNT = 24
"""Sample images loaded for the grid (it shows as many as fit)."""
SAMPLE_LOAD_LIMIT = 200
"""Training images to load for the samples: a small, cheap load."""


@dataclass(frozen=True)
class Peeked:
    """The dataset was described (shapes, counts, class names); its samples load next."""

    source: str
    info: DatasetInfo


@dataclass(frozen=True)
class Progress:
    """How far the samples' load is, 0 to 1."""

    source: str
    fraction: float
    text: str


@dataclass(frozen=True, eq=False)
class Loaded:
    """The samples: uint8 (N, H, W, C), a class name each, and the files skipped."""

    source: str
    images: np.ndarray
    labels: list[str]
    warnings: str


@dataclass(frozen=True)
class Failed:
    """What went wrong, as a sentence; ``peeked``: the peek worked, the samples did not."""

    source: str
    text: str
    peeked: bool


ReadEvent = Peeked | Progress | Loaded | Failed


def read_dataset(source: str, emit: Callable[[ReadEvent], None]) -> None:
    """Peek at ``source``, then load its first samples, telling ``emit`` each step."""
    try:
        info = peek_dataset(source)
    except CnnTuiError as error:
        emit(Failed(source, str(error), peeked=False))
        return
    except Exception as error:  # noqa: BLE001 - a message in the panel, never a crash
        emit(Failed(source, _unexpected(source, error), peeked=False))
        return
    emit(Peeked(source, info))

    last_report = 0.0

    def progress(fraction: float, text: str = "") -> None:
        nonlocal last_report
        now = time.monotonic()
        if now - last_report >= DATASET_PROGRESS_INTERVAL_S or fraction >= 1.0:
            last_report = now
            emit(Progress(source, fraction, text or f"loading samples of {source}…"))

    try:
        dataset = load_dataset(source, limit=SAMPLE_LOAD_LIMIT, progress=progress)
    except CnnTuiError as error:
        emit(Failed(source, str(error), peeked=True))
        return
    except Exception as error:  # noqa: BLE001
        emit(Failed(source, _unexpected(source, error), peeked=True))
        return
    images, labels = pick_samples(dataset.x_train, dataset.y_train, info.class_names)
    emit(Loaded(source, images, labels, format_warnings(dataset.warnings)))


def pick_samples(
    images: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...]
) -> tuple[np.ndarray, list[str]]:
    """The first SAMPLE_COUNT images with their class names."""
    chosen = images[:SAMPLE_COUNT]
    names = [
        class_names[int(y)] if 0 <= int(y) < len(class_names) else str(int(y))
        for y in labels[:SAMPLE_COUNT]
    ]
    return chosen, names


def _unexpected(source: str, error: Exception) -> str:
    return (f"Could not read {source} ({type(error).__name__}: {error}); "
            "check that it is a dataset cnn-tui reads, or pick a named one.")
