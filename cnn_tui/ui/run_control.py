"""Training from the app: start (queued while TensorFlow loads), stop, and the run's events.

``RunControl`` is mixed into ``CnnTuiApp``. The worker thread runs the
engine's ``run_training`` and posts one message per event (``messages.py``);
the handlers here, on the UI thread, pass them to the Train tab. The thread
never touches a widget, and stops within one batch when ``_stop_event`` is set.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.widgets import TabbedContent
from textual.worker import Worker, WorkerState

from cnn_tui.core.augment import AugmentConfig
from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.native_log import NativeStderr
from cnn_tui.core.runs.events import RunFailed, RunFinished, RunStopped
from cnn_tui.ui.heap import collect_and_refreeze, freeze_long_lived
from cnn_tui.ui.messages import (
    TrainingBatch,
    TrainingEnded,
    TrainingEpoch,
    TrainingStarted,
    TrainingStatus,
    message_for,
)
from cnn_tui.ui.panels.model_panel import ModelPanel
from cnn_tui.ui.panels.runs_panel import RunsPanel
from cnn_tui.ui.panels.train_panel import TrainPanel
from cnn_tui.ui.training import build_train_config

if TYPE_CHECKING:
    from textual.app import App

    _Base = App[None]
else:
    _Base = object


class RunControl(_Base):
    """The training half of the app (a mixin: the app provides the state below)."""

    load_tensorflow: bool
    tensorflow_ready: bool
    start_pending: bool
    """Start was asked for while TensorFlow was still loading."""
    dataset_source: str
    augment_config: AugmentConfig | None
    runs_dir: Path
    native_log: NativeStderr | None
    last_run_dir: Path | None
    _run_active: bool
    _stop_event: threading.Event
    _quitting: bool

    def action_show_tab(self, tab: str) -> None:
        """Show ``tab``; the app overrides this to also move the focus."""
        self.query_one(TabbedContent).active = tab

    @property
    def training(self) -> bool:
        """A run is queued or training. Follows the run's own end event rather than
        the worker's state, which lags behind it while the thread winds down."""
        return self.start_pending or self._run_active

    def action_start_training(self) -> None:
        if self.training:
            self.notify("A run is already training; press s to stop it first.")
            return
        model = self.query_one(ModelPanel)
        if not model.report.ok:
            self.notify(model.report.errors[0], title="Fix the model first", severity="error")
            return
        train = self.query_one(TrainPanel)
        try:
            train.values()
        except CnnTuiError as exc:
            self.notify(str(exc), title="Fix the training settings", severity="error",
                        markup=False)
            return
        self._show_train_tab()
        if self.load_tensorflow and not self.tensorflow_ready:
            self.start_pending = True
            train.run_requested("waiting for TensorFlow to load; the run starts when it is ready")
            self.notify("Training starts as soon as TensorFlow has loaded.")
            return
        train.run_requested("starting…")
        self._start_run()

    def _show_train_tab(self) -> None:
        """Training is watched on the Train tab."""
        if self.query_one(TabbedContent).active != "train-tab":
            self.action_show_tab("train-tab")

    def _start_run(self) -> None:
        train = self.query_one(TrainPanel)
        try:
            config = build_train_config(
                dataset=self.dataset_source,
                spec=self.query_one(ModelPanel).spec,
                augment=self.augment_config,
                values=train.values(),
                runs_dir=self.runs_dir,
            )
        except CnnTuiError as exc:
            train.run_ended(str(exc), error=True)
            return
        self._stop_event = threading.Event()
        self._run_active = True
        self._train(config, self._stop_event)

    @work(thread=True, group="training", exit_on_error=False, description="training a model")
    def _train(self, config: Any, stop_event: threading.Event) -> None:
        from cnn_tui.core.runs.runner import run_training

        run_training(config, lambda event: self.post_message(message_for(event)), stop_event,
                     native_log=self.native_log)

    def action_stop_training(self) -> None:
        if self.start_pending:
            self.start_pending = False
            self.query_one(TrainPanel).run_ended("cancelled before it started")
            return
        if not self.training:
            self.notify("Nothing is training.")
            return
        self._stop_event.set()
        self.query_one(TrainPanel).show_state("stopping at the next batch…")

    def on_training_status(self, message: TrainingStatus) -> None:
        self.query_one(TrainPanel).show_state(message.event.text)

    def on_training_started(self, message: TrainingStarted) -> None:
        # TensorFlow is imported and the model built by now; see heap.py.
        freeze_long_lived()
        self.last_run_dir = Path(message.event.run_dir)
        self.query_one(TrainPanel).run_started(message.event)

    def on_training_batch(self, message: TrainingBatch) -> None:
        self.query_one(TrainPanel).batch(message.event)

    def on_training_epoch(self, message: TrainingEpoch) -> None:
        if message.event.epoch == 1:
            freeze_long_lived()  # what tracing the training step made lives with the run
        self.query_one(TrainPanel).epoch(message.event)

    def on_training_ended(self, message: TrainingEnded) -> None:
        self._run_active = False
        event = message.event
        train = self.query_one(TrainPanel)
        if isinstance(event, RunFinished):
            acc = event.test_metrics.get("accuracy")
            score = f": validation accuracy {acc:.4f}" if acc is not None else ""
            train.run_ended(f"finished {event.epochs_done} epochs{score}; "
                            f"saved as {Path(event.run_dir).name}", finished=True)
        elif isinstance(event, RunStopped):
            train.run_ended(f"stopped after {event.epochs_done} epochs; "
                            f"saved as {Path(event.run_dir).name}")
        elif isinstance(event, RunFailed):
            train.run_ended(event.message, error=True)
            self.notify(event.message, title="Training failed", severity="error", timeout=10)
        if event.run_dir is not None:
            self.last_run_dir = Path(event.run_dir)
        collect_and_refreeze()  # one pause, now that nothing trains, frees the run's garbage
        self._refresh_runs()
        if self._quitting:
            self.exit()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # run_training reports its own failures as RunFailed; this catches a bug that
        # escaped it, so the panel does not stay "training" forever.
        if event.worker.group == "training" and event.state == WorkerState.ERROR:
            self._run_active = False
            message = f"training stopped on an unexpected error: {event.worker.error}"
            self.query_one(TrainPanel).run_ended(message, error=True)
            self.notify(message, severity="error", timeout=10)
            if self._quitting:
                self.exit()

    def _refresh_runs(self) -> None:
        for panel in self.query(RunsPanel):
            panel.refresh_runs()

    def on_train_panel_start_requested(self) -> None:
        self.action_start_training()

    def on_train_panel_stop_requested(self) -> None:
        self.action_stop_training()
