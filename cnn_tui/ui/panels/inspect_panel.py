"""The Inspect panel: a trained run's confusion matrix, its mistakes, and inside one image.

Which run is the app's state (``inspect_target``, bound): ``i`` on the Runs
tab sets it, and so does ``l`` here, which posts ``RunChosen`` for the run
that ended last in this session (``ended_run``, bound). Loading runs in a
thread worker (``inspect_loader.py``): a cached evaluation shows at once,
the model and the split follow with a progress line; a newer choice cancels
the load before it (it posts nothing more). Looking inside an image is a
second worker, one forward pass (``inspect_images.py``). Three views share the tab: the matrix
(``m``), the mistakes gallery (``g``) and the feature maps (``f``); what
they show stays here, not in the app: no other tab needs it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, ProgressBar, Static
from textual.worker import get_current_worker

from cnn_tui.core.inspect import Evaluation, FeatureExtractor, LoadedRun, RunToInspect
from cnn_tui.ui.panels.inspect_images import InsideImages
from cnn_tui.ui.panels.inspect_loader import (
    Failed,
    ImageChoice,
    Loaded,
    LoadEvent,
    Opened,
    Progress,
    load_for_inspection,
)
from cnn_tui.ui.state import InspectTarget
from cnn_tui.ui.thread_priority import in_lowered_thread
from cnn_tui.ui.widgets.confusion_text import accuracy_text
from cnn_tui.ui.widgets.confusion_view import ConfusionView
from cnn_tui.ui.widgets.inside_view import InsideView
from cnn_tui.ui.widgets.map_tiles import TileStack
from cnn_tui.ui.widgets.mistakes_gallery import MistakesGallery

VIEWS = {"confusion": "inspect-confusion", "mistakes": "inspect-mistakes",
         "inside": "inspect-inside"}
NOTHING_YET = "Nothing to inspect yet: press i on a run in the Runs tab (5)."


class InspectPanel(InsideImages, Vertical):
    """A run's evaluation, its mistakes and the feature maps of one image."""

    DEFAULT_CSS = """
    InspectPanel {
        height: 1fr;
        #inspect-title { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
        #inspect-status-row { height: 1; }
        #inspect-progress { width: 24; margin-right: 1; }
        #inspect-message {
            width: 1fr; height: 1; color: $text-muted; text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        #inspect-message.-error { color: $error; }
        #inspect-views { height: 1fr; }
    }
    """

    BINDINGS = [
        Binding("m", "view('confusion')", "Matrix",
                tooltip="the confusion matrix, per-class figures and most confused pairs"),
        Binding("g", "view('mistakes')", "Mistakes",
                tooltip="the misclassified images, the most confident first"),
        Binding("f", "view('inside')", "Maps",
                tooltip="inside the chosen image: feature maps, first filters, probabilities"),
        Binding("number_sign", "ask_index", "Image", key_display="#",
                tooltip="look inside an image of the split, by its number"),
        Binding("o", "ask_file", "File",
                tooltip="look inside an image file (resized to the model's input)"),
        Binding("l", "inspect_last", "Last run",
                tooltip="inspect the run that finished or stopped last in this session"),
    ]

    inspect_target: reactive[InspectTarget | None] = reactive(None, repaint=False, init=False)
    """Bound to ``CnnTuiApp.inspect_target``: the run to show."""
    ended_run: reactive[Path | None] = reactive(None, repaint=False, init=False)
    """Bound to ``CnnTuiApp.ended_run``: offered with ``l``."""

    @dataclass
    class RunChosen(Message):
        """Inspect this run (``l``); the app checks it and sets ``inspect_target``."""

        run_dir: Path

    @dataclass
    class _Loading(Message, bubble=False):
        """A step of the load worker; a newer progress report replaces an unhandled one."""

        target: InspectTarget
        event: LoadEvent

        def can_replace(self, message: Message) -> bool:
            return (isinstance(message, InspectPanel._Loading)
                    and isinstance(message.event, Progress) and isinstance(self.event, Progress))

    def __init__(self, *, id: str = "inspect-panel") -> None:
        super().__init__(id=id)
        self.run: RunToInspect | None = None
        self.evaluation: Evaluation | None = None
        self.loaded: LoadedRun | None = None
        self.extractor: FeatureExtractor | None = None
        self.filters: TileStack | None = None
        self.choice: ImageChoice | None = None
        """The image looked inside (or being looked at)."""

    def compose(self) -> ComposeResult:
        yield Static(Text(NOTHING_YET), id="inspect-title")
        with Horizontal(id="inspect-status-row"):
            yield ProgressBar(total=1.0, show_eta=False, id="inspect-progress")
            yield Static(id="inspect-message")
        with ContentSwitcher(id="inspect-views", initial=VIEWS["confusion"]):
            yield ConfusionView(id=VIEWS["confusion"], classes="-shown")
            yield MistakesGallery(id=VIEWS["mistakes"])
            yield InsideView(id=VIEWS["inside"])

    def on_mount(self) -> None:
        self._status("")
        self.query_one(ConfusionView).show(None, "Press i on a run in the Runs tab to see its "
                                                 "confusion matrix, mistakes and feature maps.")

    # -- the app's state ----------------------------------------------------------

    def watch_inspect_target(self, target: InspectTarget | None) -> None:
        if target is None or not self.is_mounted:
            return
        self.workers.cancel_group(self, "inspect-image")
        self.run = self.evaluation = self.loaded = self.extractor = self.filters = None
        self.choice = None
        self._title(Text.assemble((target.run_dir.name, "bold"), " · opening…"))
        self._show_evaluation()
        self.query_one(InsideView).show(None, None, (), "", same_model=False)
        self._status("opening the run…", fraction=0.0)
        self.refresh_bindings()
        self._load(target)

    def watch_ended_run(self, run_dir: Path | None) -> None:
        self.refresh_bindings()
        if run_dir is not None and self.is_mounted:
            self._status(f"{run_dir.name} has ended: l inspects it.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "inspect_last":
            return self.ended_run is not None
        if action in ("ask_index", "ask_file"):
            return None if self.loaded is None else True  # shown, dimmed, until loaded
        return True

    # -- keys -----------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        self.show_view(view)

    def show_view(self, view: str) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = VIEWS[view]
        for name, widget_id in VIEWS.items():
            self.query_one(f"#{widget_id}").set_class(name == view, "-shown")
        self.query_one(f"#{VIEWS[view]}").focus()

    def action_inspect_last(self) -> None:
        if self.ended_run is not None:
            self.post_message(self.RunChosen(self.ended_run))

    # -- loading ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="inspect-load", exit_on_error=False,
          description="loading a run to inspect")
    def _load(self, target: InspectTarget) -> None:
        from cnn_tui.core.backend import start_keras

        # Keys first: the backend's thread pools start (if nothing started them yet) with
        # a lower priority than the UI thread's. A failed import is the loader's to tell.
        with contextlib.suppress(Exception):
            in_lowered_thread(start_keras)
        worker = get_current_worker()

        def post(event: LoadEvent) -> None:
            if not worker.is_cancelled:  # a newer choice replaced this one
                self.post_message(self._Loading(target, event))

        load_for_inspection(target.run_dir, post, lambda: worker.is_cancelled)

    @on(_Loading)
    def _loading(self, message: _Loading) -> None:
        if message.target != self.inspect_target:
            return
        event = message.event
        if isinstance(event, Opened):
            self.run, self.evaluation = event.run, event.evaluation
            self._show_evaluation()
            self._status("loading the model and the split…", fraction=0.0)
        elif isinstance(event, Progress):
            self._status(event.text, fraction=event.fraction)
        elif isinstance(event, Loaded):
            self.loaded, self.evaluation = event.loaded, event.evaluation
            self.extractor, self.filters = event.extractor, event.filters
            self.run = event.loaded.run
            self._show_evaluation()
            self.query_one(InsideView).show(None, self.filters, self.run.class_names,
                                            "", same_model=False)
            self._status("")
            self.refresh_bindings()
        elif isinstance(event, Failed):
            self._title(Text.assemble((message.target.run_dir.name, "bold"),
                                      " · cannot be inspected"))
            self.query_one(ConfusionView).show(None, event.text)
            self._status(event.text, error=True)
            self.notify(event.text, title="Cannot inspect", severity="error", timeout=10,
                        markup=False)

    def _show_evaluation(self) -> None:
        evaluation, run = self.evaluation, self.run
        if run is not None:
            epochs = run.epochs_done
            saved = run.model_path.name + (
                "" if epochs is None else f" after {epochs} epoch{'s' if epochs != 1 else ''}")
            parts: list[str | tuple[str, str]] = [(run.name, "bold"), f" · {saved}"]
            if evaluation is not None:
                parts.append(f" · {accuracy_text(evaluation)}")
            self._title(Text.assemble(*parts))
        self.query_one(ConfusionView).show(evaluation, "evaluating…")
        images = self.loaded.split.images if self.loaded is not None else None
        self.query_one(MistakesGallery).show(evaluation, images)

    # -- lines ------------------------------------------------------------------------

    def _title(self, text: Text) -> None:
        self.query_one("#inspect-title", Static).update(text)  # names and paths: Text

    def _status(self, text: str, *, fraction: float | None = None, error: bool = False) -> None:
        bar = self.query_one("#inspect-progress", ProgressBar)
        bar.display = fraction is not None
        if fraction is not None:
            bar.update(progress=max(0.0, min(1.0, fraction)))
        message = self.query_one("#inspect-message", Static)
        message.set_class(error, "-error")
        message.update(Text(text))
        self.query_one("#inspect-status-row").display = bool(text) or fraction is not None
