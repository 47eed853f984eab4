"""The training thread's messages, on the UI thread: the run's state, and the Train tab.

``RunEvents`` is mixed into ``CnnTuiApp`` next to ``RunControl``, which
starts the thread. Each handler here passes one of the engine's events
(``messages.py``) to the Train tab, which draws it (events are not state:
the tab keeps no copy of them); the end of a run sets ``run_state`` back to
idle, which the Train tab's buttons and the Runs tab's list follow.
"""

from __future__ import annotations

from pathlib import Path

from textual.worker import Worker, WorkerState

from cnn_tui.core.runs.events import RunFailed, RunFinished, RunStopped
from cnn_tui.ui.app_state import AppState
from cnn_tui.ui.heap import collect_and_refreeze, freeze_long_lived
from cnn_tui.ui.messages import (
    TrainingBatch,
    TrainingEnded,
    TrainingEpoch,
    TrainingRefused,
    TrainingStarted,
    TrainingStatus,
)
from cnn_tui.ui.state import RunState


class RunEvents(AppState):
    """Handlers of the training thread's messages (a mixin of the app)."""

    last_run_dir: Path | None
    _quitting: bool

    def on_training_status(self, message: TrainingStatus) -> None:
        self.train_panel.show_state(message.event.text)

    def on_training_started(self, message: TrainingStarted) -> None:
        # TensorFlow is imported and the model built by now; see heap.py.
        freeze_long_lived()
        self.last_run_dir = Path(message.event.run_dir)
        self.train_panel.run_started(message.event)

    def on_training_batch(self, message: TrainingBatch) -> None:
        self.train_panel.batch_progress(message.event)

    def on_training_epoch(self, message: TrainingEpoch) -> None:
        if message.event.epoch == 1:
            freeze_long_lived()  # what tracing the training step made lives with the run
        self.train_panel.epoch(message.event)

    def on_training_refused(self, message: TrainingRefused) -> None:
        """A run could not be continued: one notification, the reason on the Train tab."""
        self.run_state = RunState()
        self.train_panel.run_ended(message.message, error=True)
        self.notify(message.message, title="Cannot continue", severity="error", timeout=10,
                    markup=False)

    def on_training_ended(self, message: TrainingEnded) -> None:
        event = message.event
        train = self.train_panel
        if isinstance(event, RunFinished):
            acc = event.test_metrics.get("accuracy")
            saved = f"saved as {Path(event.run_dir).name}"
            if event.reason:  # early stopping: the reason first, in the state line's 3 lines
                score = f"; val acc {acc:.4f}" if acc is not None else ""
                train.run_ended(f"finished: {event.reason}{score}; {saved}", finished=True)
            else:
                score = f": validation accuracy {acc:.4f}" if acc is not None else ""
                train.run_ended(f"finished {event.epochs_done} epochs{score}; {saved}",
                                finished=True)
        elif isinstance(event, RunStopped):
            why = f" ({event.reason})" if event.reason not in ("", "stopped") else ""
            train.run_ended(f"stopped after {event.epochs_done} epochs{why}; "
                            f"saved as {Path(event.run_dir).name}")
        elif isinstance(event, RunFailed):
            train.run_ended(event.message, error=True)
            self.notify(event.message, title="Training failed", severity="error", timeout=10,
                        markup=False)
        if event.run_dir is not None:
            self.last_run_dir = Path(event.run_dir)
            if isinstance(event, (RunFinished, RunStopped)):  # both save model.keras
                self.ended_run = Path(event.run_dir)  # the Inspect tab offers it
        self.run_state = RunState()  # the Runs tab reads the folder again
        collect_and_refreeze()  # one pause, now that nothing trains, frees the run's garbage
        if self._quitting:
            self.exit()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # run_training reports its own failures as RunFailed; this catches a bug that
        # escaped it, so the panel does not stay "training" forever.
        if event.worker.group == "training" and event.state == WorkerState.ERROR:
            self.run_state = RunState()
            message = f"training stopped on an unexpected error: {event.worker.error}"
            self.train_panel.run_ended(message, error=True)
            self.notify(message, severity="error", timeout=10, markup=False)
            if self._quitting:
                self.exit()
