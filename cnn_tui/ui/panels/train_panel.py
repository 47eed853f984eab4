"""The Train tab: training settings, start/stop, progress and live curves.

The panel never starts training itself: its buttons post ``StartRequested``
and ``StopRequested`` and the app (which owns the worker) decides. What it
shows between runs comes from the app's state, bound in the app's compose:
``run_state`` enables the buttons, ``report`` and ``runs_dir_problem`` say
whether a run can start, ``train_settings`` fills the fields when a run's
settings are opened. The run's events are not state: the app passes them on
as they arrive (``run_started``, ``batch_progress``, ``epoch``, ``run_ended``,
``show_watched`` for a run of another process).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from math import nan
from time import monotonic
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Button

from cnn_tui.core.runs.events import BatchProgress, EpochEnded, RunStarted
from cnn_tui.core.runs.watch import WatchedRun
from cnn_tui.core.shapes import ShapeReport
from cnn_tui.core.time_format import format_duration
from cnn_tui.ui.rates import BATCH_TEXT_INTERVAL_S
from cnn_tui.ui.state import RunState, TrainSettings
from cnn_tui.ui.widgets.curves import TrainingCurves
from cnn_tui.ui.widgets.run_progress import RunProgress
from cnn_tui.ui.widgets.settings_form import SettingsForm


class TrainPanel(Horizontal):
    """Settings and controls on the left, loss/accuracy curves on the right."""

    DEFAULT_CSS = """
    TrainPanel {
        /* The settings' folded groups, opened at 80x24, scroll the side. */
        #train-side { width: 36; height: 100%; overflow-y: auto;
                      scrollbar-size-vertical: 1; }
        #train-buttons { height: 1; margin: 1 0 0 0; }
        #train-buttons Button { margin-right: 1; }
        #curves { width: 1fr; height: 100%; }
    }
    """

    run_state: reactive[RunState] = reactive(RunState, repaint=False, init=False)
    """Bound to ``CnnTuiApp.run_state``."""
    report: reactive[ShapeReport | None] = reactive(None, repaint=False, init=False)
    """Bound to ``CnnTuiApp.report``: Start is enabled only for a model that is ok."""
    runs_dir_problem: reactive[str] = reactive("", repaint=False, init=False)
    """Bound to ``CnnTuiApp.runs_dir_problem``: said on the state line while nothing runs."""
    train_settings: reactive[TrainSettings] = reactive(TrainSettings, repaint=False,
                                                       init=False)
    """Bound to ``CnnTuiApp.train_settings``, and on to the settings form."""

    @dataclass
    class StartRequested(Message):
        """The Start button was pressed."""

    @dataclass
    class StopRequested(Message):
        """The Stop button was pressed."""

    def __init__(self, values: Mapping[str, Any], *, id: str | None = "train-panel") -> None:
        """``values``: the fields' starting values by setting name (``LaunchOptions``)."""
        super().__init__(id=id)
        self.initial = dict(values)
        self._unshown_batch: BatchProgress | None = None
        """The newest batch not drawn yet (the tab is hidden, or it came too soon)."""
        self._batch_shown_at = 0.0
        self._batch_timer: Timer | None = None
        """Draws ``_unshown_batch`` once the redraw interval has passed."""
        self._watched_at: tuple[int, int] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="train-side"):
            yield SettingsForm(self.initial).data_bind(settings=TrainPanel.train_settings)
            with Horizontal(id="train-buttons"):
                yield Button("Start (t)", variant="success", id="start", compact=True)
                yield Button("Stop (s)", variant="error", id="stop", compact=True,
                             disabled=True)
            yield RunProgress(id="run-progress-box")
        yield TrainingCurves(id="curves")

    @property
    def progress(self) -> RunProgress:
        return self.query_one(RunProgress)

    @property
    def curves(self) -> TrainingCurves:
        return self.query_one(TrainingCurves)

    @property
    def model_ok(self) -> bool:
        return self.report is None or self.report.ok

    # -- the app's state ----------------------------------------------------------

    def watch_run_state(self, old: RunState, new: RunState) -> None:
        if not self.is_mounted:
            return
        self._sync_buttons()
        if new.busy and not old.busy:  # a run was asked for (it may wait for TensorFlow)
            self._unshown_batch = None
            self.curves.reset()
            self.progress.reset()
        elif new.phase == "watching" and new.watched != old.watched:
            assert new.watched is not None
            self._watched_at = None
            self.curves.reset()
            self.progress.reset()
            self.show_state(f"watching {new.watched.name}…")

    def watch_report(self) -> None:
        if self.is_mounted:
            self._sync_buttons()
            self._show_idle()

    def watch_runs_dir_problem(self) -> None:
        if self.is_mounted:
            self._show_idle()

    def _show_idle(self) -> None:
        """Say whether a run can start, unless one runs or is watched."""
        if self.run_state.phase != "idle":
            return
        if self.runs_dir_problem:
            self.show_state(self.runs_dir_problem, error=True)
        elif self.model_ok:
            self.show_state("ready")
        else:
            self.show_state("the model has errors: fix them in the Model tab", error=True)

    def _sync_buttons(self) -> None:
        self.query_one("#start", Button).disabled = self.run_state.busy or not self.model_ok
        self.query_one("#stop", Button).disabled = self.run_state.phase == "idle"

    def show_state(self, text: str, *, error: bool = False) -> None:
        self.progress.show_state(text, error=error)

    @on(Button.Pressed, "#start")
    def _start_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.StartRequested())

    @on(Button.Pressed, "#stop")
    def _stop_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.StopRequested())

    # -- a run here -------------------------------------------------------------

    def run_started(self, event: RunStarted) -> None:
        epochs = getattr(event.config, "epochs", 1)
        resumed = f" from epoch {event.initial_epoch + 1}" if event.initial_epoch else ""
        self.show_state(f"training on {event.n_train:,} images, "
                        f"validating on {event.n_val:,}{resumed}")
        # A resumed run's curves start with the epochs it trained before.
        self.curves.load_history(event.history)
        self.progress.show_compute(event.compute)
        self.progress.set_position(event.initial_epoch + 1, 0, event.steps_per_epoch, epochs)

    def batch_progress(self, event: BatchProgress) -> None:
        """Show a batch's progress; out of sight, only the latest is kept, for on_show
        (the curves keep every batch's point and draw when they are shown)."""
        self.curves.set_running(event.epoch, event.step, event.steps, event.logs)
        self._unshown_batch = event
        if not self.is_on_screen:
            return
        # Each redraw of the bars and text costs the training thread CPU on a
        # small machine: a few per second is all the eye can follow.
        wait = BATCH_TEXT_INTERVAL_S - (monotonic() - self._batch_shown_at)
        if wait <= 0:
            self._show_latest_batch()
        elif self._batch_timer is None:
            self._batch_timer = self.set_timer(wait, self._show_latest_batch)

    def on_show(self) -> None:
        self._show_latest_batch()

    def _show_latest_batch(self) -> None:
        self._batch_timer = None
        if self._unshown_batch is not None and self.is_on_screen:
            event, self._unshown_batch = self._unshown_batch, None
            self._batch_shown_at = monotonic()
            self._show_batch(event)

    def _show_batch(self, event: BatchProgress) -> None:
        self.progress.set_position(event.epoch, event.step, event.steps, event.epochs)
        self.show_state(f"epoch {event.epoch}/{event.epochs} · "
                        f"loss {event.logs.get('loss', nan):.3f} · "
                        f"acc {event.logs.get('accuracy', nan):.3f}"
                        + _rate_text(event.learning_rate))
        self.progress.show_stats(f"{event.images_per_s:,.0f} img/s · ETA "
                                 f"{format_duration(event.eta_run_s)} "
                                 f"(epoch {format_duration(event.eta_epoch_s)})",
                                 self.curves.curves)

    def epoch(self, event: EpochEnded) -> None:
        self._unshown_batch = None  # the epoch's end supersedes it
        self.curves.add_epoch(event.epoch, event.logs)
        self.progress.epoch_done(event.epoch, event.epochs)
        self.show_state(f"epoch {event.epoch}/{event.epochs} done in "
                        f"{format_duration(event.duration_s)}: val acc "
                        f"{event.logs.get('val_accuracy', nan):.4f}")
        self.progress.show_stats("", self.curves.curves)

    def run_ended(self, text: str, *, error: bool = False, finished: bool = False) -> None:
        self._unshown_batch = None
        self.progress.show_stats("", self.curves.curves)
        if finished:
            self.progress.complete()
        self.show_state(text, error=error)

    # -- a run of another process -------------------------------------------------

    def show_watched(self, run: WatchedRun) -> None:
        """Curves from history.csv, bars and losses from status.json's progress (the
        app stops watching once this has shown the run's end)."""
        if list(run.history.get("epoch", [])) != self.curves.curves.epochs:
            self.curves.load_history(run.history)
            self._watched_at = None
        progress, planned = run.progress, run.epochs_planned or 1
        # The state line has room for three lines at most, so which run (a long name)
        # is said under the bars, and the state reads as it does for a run here.
        who = f"watching {run.name}" + (f", pid {run.pid} on {run.host}" if run.pid else "")
        if run.ended:
            who = ""
            if run.state == "finished":
                self.progress.complete()
            message = f": {run.message}" if run.message and run.message != run.state else ""
            self.show_state(f"{run.name} {run.state} after {run.epochs_done} epochs{message}",
                            error=run.state in ("failed", "unknown"))
        elif progress is not None and progress.epoch > run.epochs_done:
            if (progress.epoch, progress.step) != self._watched_at:
                self._watched_at = (progress.epoch, progress.step)
                self.curves.set_running(progress.epoch, progress.step, progress.steps,
                                        progress.logs)
            self.progress.set_position(progress.epoch, progress.step, progress.steps, planned)
            self.show_state(f"epoch {progress.epoch}/{planned} · "
                            f"loss {progress.logs.get('loss', nan):.3f} · "
                            f"acc {progress.logs.get('accuracy', nan):.3f}"
                            + _rate_text(progress.learning_rate))
        else:  # between epochs, or before the first batch's progress is written
            self.show_state(f"{run.epochs_done}/{planned} epochs done")
        self.progress.show_stats(who, self.curves.curves)


def _rate_text(rate: float | None) -> str:
    """`` · lr 0.00025`` for the state line; nothing when the run did not say."""
    return "" if rate is None else f" · lr {rate:.3g}"
