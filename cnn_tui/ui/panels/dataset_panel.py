"""The Dataset panel: pick a named dataset or a local path, see what it holds.

Peeking (shapes, counts, class names) is cheap and needs no TensorFlow; the
sample images come from a small load. Both run in one thread worker so the UI
never waits on a disk or a download, and every failure ends as a sentence in
the panel: the engine's ``CnnTuiError`` message, or a plain description of
anything unexpected.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from cnn_tui.core.datasets import (
    NAMED_DATASETS,
    DatasetInfo,
    format_warnings,
    load_dataset,
    peek_dataset,
)
from cnn_tui.core.errors import CnnTuiError
from cnn_tui.ui.rates import DATASET_PROGRESS_INTERVAL_S
from cnn_tui.ui.widgets.image_grid import ImageGrid

SAMPLE_COUNT = 24
"""Sample images loaded for the grid (it shows as many as fit)."""
SAMPLE_LOAD_LIMIT = 200
"""Training images to load for the samples: a small, cheap load."""


class DatasetPanel(Vertical):
    """A named dataset or a path, its description and a grid of its real images."""

    DEFAULT_CSS = """
    DatasetPanel {
        height: 1fr;
        padding: 0 1;
        #dataset-input { margin-bottom: 0; }
        #dataset-status-row { height: auto; }
        #dataset-progress { width: 24; margin-right: 1; }
        #dataset-message { width: 1fr; height: auto; color: $text-muted; }
        #dataset-message.-error { color: $error; }
        #dataset-body { height: 1fr; }
        #dataset-side { width: 26; height: 1fr; margin-right: 1; }
        #dataset-list { height: auto; max-height: 6; }
        #dataset-info { height: auto; }
        #dataset-samples { height: 1fr; }
    }
    """

    @dataclass
    class Selected(Message):
        """A dataset was peeked successfully (cheap: no pixels, no TensorFlow)."""

        source: str
        info: DatasetInfo

    @dataclass
    class SamplesLoaded(Message):
        """Sample images of the selected dataset: uint8 (N, H, W, C) and a class name each."""

        source: str
        images: np.ndarray
        labels: list[str]

    def __init__(self, source: str = "mnist", *, id: str = "dataset-panel") -> None:
        super().__init__(id=id)
        self._requested = source
        self._source: str | None = None
        self._info: DatasetInfo | None = None

    def compose(self) -> ComposeResult:
        yield Input(
            self._requested,
            placeholder="dataset name, or a path: IDX folder, .npz, CIFAR batches, image folders",
            id="dataset-input", compact=True,
        )
        with Horizontal(id="dataset-status-row"):
            yield ProgressBar(total=1.0, show_eta=False, id="dataset-progress")
            yield Static(id="dataset-message")
        with Horizontal(id="dataset-body"):
            with Vertical(id="dataset-side"):
                yield OptionList(*(Option(name, id=name) for name in NAMED_DATASETS),
                                 id="dataset-list")
                yield Static(id="dataset-info")
            yield ImageGrid(placeholder="no dataset loaded", id="dataset-samples")

    def on_mount(self) -> None:
        self.query_one("#dataset-list", OptionList).border_title = "datasets"
        self.query_one("#dataset-progress", ProgressBar).display = False
        self.select(self._requested)

    @property
    def source(self) -> str | None:
        """The dataset last peeked successfully (a name or a path as typed)."""
        return self._source

    @property
    def info(self) -> DatasetInfo | None:
        """What ``peek_dataset`` said about :attr:`source`."""
        return self._info

    def select(self, source: str) -> None:
        """Check ``source`` and load its samples in the background."""
        source = source.strip()
        self._requested = source
        field = self.query_one("#dataset-input", Input)
        if field.value != source:
            field.value = source
        option_list = self.query_one("#dataset-list", OptionList)
        option_list.highlighted = (
            option_list.get_option_index(source) if source in NAMED_DATASETS else None
        )
        if not source:
            self._show_error("Type a dataset name (mnist, fashion_mnist, cifar10, cifar100) "
                             "or a path, then press enter.")
            return
        self._show_progress(0.0, f"checking {source}…")
        self._load_worker(source)

    @on(Input.Submitted, "#dataset-input")
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.select(event.value)

    @on(OptionList.OptionSelected, "#dataset-list")
    def _named_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.select(event.option.id)

    @work(thread=True, exclusive=True, group="dataset", exit_on_error=False,
          description="dataset peek and samples")
    def _load_worker(self, source: str) -> None:
        worker = get_current_worker()

        def to_ui(callback: Callable[..., None], *args: Any) -> None:
            if not worker.is_cancelled:
                self.app.call_from_thread(callback, *args)

        try:
            info = peek_dataset(source)
        except CnnTuiError as error:
            to_ui(self._failed, str(error))
            return
        except Exception as error:  # noqa: BLE001 - a message in the panel, never a crash
            to_ui(self._failed, _unexpected(source, error))
            return
        to_ui(self._peeked, source, info)

        last_report = 0.0

        def progress(fraction: float, text: str = "") -> None:
            nonlocal last_report
            now = time.monotonic()
            if now - last_report >= DATASET_PROGRESS_INTERVAL_S or fraction >= 1.0:
                last_report = now
                to_ui(self._show_progress, fraction, text or f"loading samples of {source}…")

        try:
            dataset = load_dataset(source, limit=SAMPLE_LOAD_LIMIT, progress=progress)
        except CnnTuiError as error:
            to_ui(self._failed, str(error), True)
            return
        except Exception as error:  # noqa: BLE001
            to_ui(self._failed, _unexpected(source, error), True)
            return
        images, labels = _pick_samples(dataset.x_train, dataset.y_train, info.class_names)
        warnings = format_warnings(dataset.warnings)
        to_ui(self._samples_loaded, source, images, labels, warnings)

    def _peeked(self, source: str, info: DatasetInfo) -> None:
        self._source, self._info = source, info
        self.query_one("#dataset-input", Input).remove_class("-invalid")
        self.query_one("#dataset-info", Static).update(_describe(info))
        self._show_progress(0.0, f"loading samples of {source}…")
        self.post_message(self.Selected(source, info))

    def _samples_loaded(
        self, source: str, images: np.ndarray, labels: list[str], warnings: str
    ) -> None:
        grid = self.query_one("#dataset-samples", ImageGrid)
        # Fewer, legible digits beat many smudges: never below ~40% of native size.
        grid.min_tile_width = max(8, round(images.shape[2] / 2.5))
        grid.set_images(images, labels)
        self.query_one("#dataset-progress", ProgressBar).display = False
        message = self.query_one("#dataset-message", Static)
        message.remove_class("-error")
        # Text, not markup: the source and the warnings are paths.
        message.update(Text(f"{source}: sample training images"
                            + (f"\n{warnings}" if warnings else "")))
        self.post_message(self.SamplesLoaded(source, images, labels))

    def _failed(self, text: str, peeked: bool = False) -> None:
        if not peeked:
            self.query_one("#dataset-input", Input).add_class("-invalid")
        self.query_one("#dataset-samples", ImageGrid).clear("no samples")
        self._show_error(text)

    def _show_error(self, text: str) -> None:
        self.query_one("#dataset-progress", ProgressBar).display = False
        message = self.query_one("#dataset-message", Static)
        message.add_class("-error")
        message.update(Text(text))

    def _show_progress(self, fraction: float, text: str) -> None:
        bar = self.query_one("#dataset-progress", ProgressBar)
        bar.display = True
        bar.update(progress=max(0.0, min(1.0, fraction)))
        message = self.query_one("#dataset-message", Static)
        message.remove_class("-error")
        message.update(Text(text))


def _pick_samples(
    images: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...]
) -> tuple[np.ndarray, list[str]]:
    """The first SAMPLE_COUNT images with their class names."""
    chosen = images[:SAMPLE_COUNT]
    names = [
        class_names[int(y)] if 0 <= int(y) < len(class_names) else str(int(y))
        for y in labels[:SAMPLE_COUNT]
    ]
    return chosen, names


def _describe(info: DatasetInfo) -> Text:
    """The info box; Text, so a folder or class named like markup shows as it is."""
    height, width, channels = info.input_shape
    classes = ", ".join(info.class_names[:4]) + ("…" if info.num_classes > 4 else "")
    name = Path(info.name).name if info.source != "keras.datasets" else info.name
    text = Text(name, style="bold")
    text.append("\n" + "\n".join([
        f"shape   {height}×{width}×{channels}",
        f"classes {info.num_classes}: {classes}",
        f"train   {_count(info.n_train)}",
        f"test    {_count(info.n_test) if info.n_test is not None else 'none (hold-out)'}",
        f"format  {info.source}",
        "offline ",
    ]))
    text.append(*(("yes",) if info.available_offline else ("no", "bold")))
    if not info.available_offline:
        text.append(": needs a download")
    return text


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def _unexpected(source: str, error: Exception) -> str:
    return (f"Could not read {source} ({type(error).__name__}: {error}); "
            "check that it is a dataset cnn-tui reads, or pick a named one.")
