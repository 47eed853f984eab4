"""The Dataset panel: pick a named dataset or a local path, see what it holds.

Peeking (shapes, counts, class names) is cheap and needs no TensorFlow; the
sample images come from a small load. Both run in one thread worker
(dataset_reader.py) so the UI never waits on a disk or a download; it posts
each step to the panel as a message, and every failure ends as a sentence in
the panel: the engine's ``CnnTuiError`` message, or a plain description of
anything unexpected.

What was read is the app's: the panel posts ``Selected`` and ``SamplesLoaded``,
and shows the app's ``dataset_info`` and ``dataset_samples`` (bound). A
``dataset_source`` set elsewhere (a run's config opened) is read here too.

When a named dataset cannot be loaded (not cached, no network) and a sample
of it is bundled, ``b`` switches to the sample; the key is in the footer only
then. A ``notice`` (why the app opened on a sample) stays above the status
until another dataset is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from cnn_tui.core.datasets import DatasetInfo, sample_for
from cnn_tui.ui.panels.dataset_reader import Loaded, Peeked, Progress, ReadEvent, read_dataset
from cnn_tui.ui.panels.dataset_text import LISTED, USE_SAMPLE_KEY, describe, offer_text
from cnn_tui.ui.state import Samples, SentValues
from cnn_tui.ui.widgets.image_grid import ImageGrid

MIN_SAMPLES_SHOWN = 4
"""Samples stay at native size (a 32x32 image in 32x16 cells) while this many fit;
shrunk only to show this many on a small screen (80x24)."""


class DatasetPanel(Vertical):
    """A named dataset or a path, its description and a grid of its real images."""

    BINDINGS = [
        Binding(USE_SAMPLE_KEY, "use_sample", "Use sample",
                tooltip="train on the bundled sample of the dataset that cannot be loaded"),
    ]

    DEFAULT_CSS = """
    DatasetPanel {
        height: 1fr;
        padding: 0 1;
        #dataset-input { margin-bottom: 0; }
        #dataset-status-row { height: auto; }
        #dataset-progress { width: 24; margin-right: 1; }
        #dataset-message { width: 1fr; height: auto; color: $text-muted; }
        #dataset-message.-error { color: $error; }
        #dataset-notice { height: auto; color: $warning; }
        #dataset-body { height: 1fr; }
        #dataset-side { width: 26; height: 1fr; margin-right: 1; }
        #dataset-list { height: auto; max-height: 8; }
        #dataset-info { height: auto; }
        #dataset-samples { height: 1fr; }
    }
    """

    source: reactive[str] = reactive("", repaint=False, init=False)
    """Bound to ``CnnTuiApp.dataset_source``: one set elsewhere is read here."""
    info: reactive[DatasetInfo | None] = reactive(None, repaint=False, init=False)
    """Bound to ``CnnTuiApp.dataset_info``: the info box."""
    samples: reactive[Samples | None] = reactive(None, repaint=False, init=False)
    """Bound to ``CnnTuiApp.dataset_samples``: the grid."""

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

    @dataclass
    class _Read(Message, bubble=False):
        """A step of the worker's read, for the panel alone; a newer progress report
        replaces an unhandled one."""

        event: ReadEvent

        def can_replace(self, message: Message) -> bool:
            return (isinstance(message, DatasetPanel._Read)
                    and isinstance(message.event, Progress) and isinstance(self.event, Progress))

    def __init__(self, source: str = "mnist", *, notice: str = "",
                 id: str = "dataset-panel") -> None:
        super().__init__(id=id)
        self._requested = source
        """What the field holds and the worker reads: the source being shown."""
        self._sent: SentValues[str] = SentValues()
        self._notice = notice
        """Why the app opened on ``source`` (a bundled sample), shown until another is chosen."""
        self._offer: str | None = None
        """The bundled sample ``b`` switches to: set while the shown dataset cannot load."""

    def compose(self) -> ComposeResult:
        yield Input(
            self._requested,
            placeholder="dataset name, or a path: IDX folder, .npz, CIFAR batches, image folders",
            id="dataset-input", compact=True,
        )
        yield Static(Text(self._notice), id="dataset-notice")
        with Horizontal(id="dataset-status-row"):
            yield ProgressBar(total=1.0, show_eta=False, id="dataset-progress")
            yield Static(id="dataset-message")
        with Horizontal(id="dataset-body"):
            with Vertical(id="dataset-side"):
                yield OptionList(*(Option(name, id=name) for name in LISTED),
                                 id="dataset-list")
                yield Static(id="dataset-info")
            yield ImageGrid(placeholder="no dataset loaded", id="dataset-samples")

    def on_mount(self) -> None:
        self.query_one("#dataset-list", OptionList).border_title = "datasets"
        self.query_one("#dataset-progress", ProgressBar).display = False
        self.query_one("#dataset-notice", Static).display = bool(self._notice)
        self.select(self._requested)

    # -- the app's state ----------------------------------------------------------

    def watch_source(self, source: str) -> None:
        if not self.is_mounted or self._sent.came_back(source) or source == self._requested:
            return  # one this panel read (maybe since replaced by a newer choice)
        if source:
            self.select(source)  # chosen elsewhere (a run's config opened)

    def watch_info(self, info: DatasetInfo | None) -> None:
        if self.is_mounted:
            self.query_one("#dataset-info", Static).update(describe(info) if info else "")

    def watch_samples(self, samples: Samples | None) -> None:
        if not self.is_mounted or samples is None:
            return
        grid = self.query_one("#dataset-samples", ImageGrid)
        # Fewer, legible digits beat many smudges: native size while MIN_SAMPLES_SHOWN
        # fit, and never below ~40% of it.
        grid.min_shown = MIN_SAMPLES_SHOWN
        grid.min_tile_width = max(8, round(samples.images.shape[2] / 2.5))
        grid.set_images(samples.images, samples.labels)

    # -- choosing -----------------------------------------------------------------

    def select(self, source: str) -> None:
        """Check ``source`` and load its samples in the background."""
        source = source.strip()
        if source != self._requested:  # the notice was about the dataset opened on
            self.query_one("#dataset-notice", Static).display = False
        self._requested = source
        self._set_offer(None)
        field = self.query_one("#dataset-input", Input)
        if field.value != source:
            field.value = source
        option_list = self.query_one("#dataset-list", OptionList)
        option_list.highlighted = (
            option_list.get_option_index(source) if source in LISTED else None
        )
        if not source:
            self._show_error(f"Type a dataset name ({', '.join(LISTED)}) "
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

        def post(event: ReadEvent) -> None:
            if not worker.is_cancelled:  # a newer choice replaced this one
                self.post_message(self._Read(event))

        read_dataset(source, post)

    @on(_Read)
    def _read(self, message: _Read) -> None:
        """Show a step of the read, and pass what was read on to the app; a step of a
        source no longer asked for is dropped."""
        event = message.event
        if event.source != self._requested:
            return
        if isinstance(event, Peeked):
            self.query_one("#dataset-input", Input).remove_class("-invalid")
            self._show_progress(0.0, f"loading samples of {event.source}…")
            self.post_message(self.Selected(self._sent.sent(event.source), event.info))
        elif isinstance(event, Progress):
            self._show_progress(event.fraction, event.text)
        elif isinstance(event, Loaded):
            self.query_one("#dataset-progress", ProgressBar).display = False
            status = self.query_one("#dataset-message", Static)
            status.remove_class("-error")
            # Text, not markup: the source and the warnings are paths.
            status.update(Text(f"{event.source}: sample training images"
                               + (f"\n{event.warnings}" if event.warnings else "")))
            self.post_message(self.SamplesLoaded(event.source, event.images, event.labels))
        else:
            if not event.peeked:
                self.query_one("#dataset-input", Input).add_class("-invalid")
            self.query_one("#dataset-samples", ImageGrid).clear("no samples")
            # A named dataset that peeks but cannot load is missing from the cache
            # and cannot be downloaded: offer its bundled sample, if it has one.
            sample = sample_for(event.source) if event.peeked else None
            self._set_offer(sample)
            self._show_error(offer_text(event.text, sample) if sample else Text(event.text))

    # -- the bundled sample ---------------------------------------------------------

    def _set_offer(self, sample: str | None) -> None:
        if sample != self._offer:
            self._offer = sample
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "use_sample":
            return self._offer is not None  # in the footer only while offered
        return True

    def action_use_sample(self) -> None:
        if self._offer is not None:
            self.select(self._offer)

    def _show_error(self, text: str | Text) -> None:
        self.query_one("#dataset-progress", ProgressBar).display = False
        message = self.query_one("#dataset-message", Static)
        message.add_class("-error")
        message.update(Text(text) if isinstance(text, str) else text)

    def _show_progress(self, fraction: float, text: str) -> None:
        bar = self.query_one("#dataset-progress", ProgressBar)
        bar.display = True
        bar.update(progress=max(0.0, min(1.0, fraction)))
        message = self.query_one("#dataset-message", Static)
        message.remove_class("-error")
        message.update(Text(text))

