"""A few real images, each followed by the same image augmented several ways.

The augmenting needs Keras, so the widget draws nothing until
``keras_ready``, and it augments in a thread worker that posts its
result back to the widget. Its inputs are reactives (the Augment tab binds
them to the app's state); ``reroll`` draws new transformations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static
from textual.worker import get_current_worker

from cnn_tui.core.augment import preview_augmentations
from cnn_tui.core.augment_config import AugmentConfig
from cnn_tui.core.backend import backend_name
from cnn_tui.ui.state import Samples
from cnn_tui.ui.widgets.image_grid import ImageGrid

PREVIEW_IMAGES = 3
PREVIEW_VARIANTS = 4


class AugmentPreview(Vertical):
    """A status line and a grid: original, then ``PREVIEW_VARIANTS`` draws, per line."""

    DEFAULT_CSS = """
    AugmentPreview {
        height: 1fr;
        #augment-preview-status { height: 1; color: $text-muted; }
        #augment-preview { height: 1fr; }
    }
    """

    samples: reactive[Samples | None] = reactive(None, repaint=False, init=False)
    """The images to augment (the first ``PREVIEW_IMAGES``)."""
    config: reactive[AugmentConfig] = reactive(AugmentConfig, repaint=False, init=False)
    """The transformations to draw (none: the originals repeated)."""
    keras_ready: reactive[bool] = reactive(False, repaint=False, init=False)
    """Keras can be imported: the preview can be drawn."""

    @dataclass
    class _Drawn(Message, bubble=False):
        """The worker's result: the variants, or why there are none."""

        images: np.ndarray
        labels: tuple[str, ...]
        variants: np.ndarray | None
        config: AugmentConfig
        seed: int
        error: str = ""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._seed = 0

    def compose(self) -> ComposeResult:
        yield Static(id="augment-preview-status")
        # As large as one whole line (an original and its draws) allows: fewer
        # originals at native size rather than all of them small.
        yield ImageGrid(placeholder="pick a dataset to preview augmentation",
                        columns=1 + PREVIEW_VARIANTS, min_shown=1 + PREVIEW_VARIANTS,
                        id="augment-preview")

    def watch_samples(self) -> None:
        self.redraw()

    def watch_config(self) -> None:
        self.redraw()

    def watch_keras_ready(self) -> None:
        self.redraw()

    def reroll(self) -> None:
        """Draw new random transformations."""
        self._seed += 1
        self.redraw()

    def redraw(self) -> None:
        if not self.is_mounted:
            return
        grid = self.query_one(ImageGrid)
        status = self.query_one("#augment-preview-status", Static)
        samples = self.samples
        images = None if samples is None else samples.images[:PREVIEW_IMAGES]
        if images is not None and images.ndim == 4:
            # Whole lines of legible tiles rather than many tiny ones.
            grid.min_tile_width = max(8, round(images.shape[2] / 3))
        if samples is None or images is None or len(images) == 0:
            grid.clear()
            status.update("")
        elif not self.keras_ready:
            grid.clear(f"preview after {backend_name()} loads")
            status.update("")
        else:
            status.update("augmenting…")
            self._augment(images, samples.labels[:PREVIEW_IMAGES], self.config, self._seed)

    @work(thread=True, exclusive=True, group="augment-preview", exit_on_error=False,
          description="augmentation preview")
    def _augment(self, images: np.ndarray, labels: tuple[str, ...], config: AugmentConfig,
                 seed: int) -> None:
        worker = get_current_worker()
        try:
            variants = preview_augmentations(images, config, PREVIEW_VARIANTS, seed=seed)
            drawn = self._Drawn(images, labels, variants, config, seed)
        except Exception as error:  # noqa: BLE001 - shown in the widget, never a crash
            drawn = self._Drawn(images, labels, None, config, seed, str(error))
        if not worker.is_cancelled:  # a newer preview replaced this one
            self.post_message(drawn)

    @on(_Drawn)
    def _show(self, message: _Drawn) -> None:
        grid = self.query_one(ImageGrid)
        status = self.query_one("#augment-preview-status", Static)
        if message.variants is None:
            grid.clear(f"preview failed: {message.error}")
            status.update("")
            return
        tiles, labels = [], []
        for index, image in enumerate(message.images):
            tiles.append(image)
            labels.append(message.labels[index] if index < len(message.labels) else "")
            tiles.extend(message.variants[index])
            labels.extend(f"aug {k + 1}" for k in range(len(message.variants[index])))
        grid.set_images(np.stack(tiles), labels)
        config = message.config
        what = config.summary() if config.enabled else "off: originals repeated"
        status.update(f"original, then {PREVIEW_VARIANTS} draws "
                      f"({what}; seed {message.seed}, r re-rolls)")
