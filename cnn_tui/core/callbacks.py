"""The Keras callback that turns ``model.fit`` into run events and history rows.

It runs in the training thread after every batch, so its per-batch work is a
few comparisons: Keras hands it the running ``loss``/``accuracy`` already as
Python floats (synchronous dispatch, because this callback overrides
``on_train_batch_end``), and events are built at most ``max_rate_hz`` times a
second.

Stopping: Keras's ``fit`` (keras/src/backend/tensorflow/trainer.py), after
``model.stop_training`` is set mid-epoch, still validates and calls
``on_epoch_end`` for the partial epoch. A stop must neither spend seconds on
validation nor record a partial epoch, so the callback raises
``StopRequested`` out of ``fit`` instead; the runner catches it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cnn_tui.core.events import BatchProgress, EpochEnded, RunEvent
from cnn_tui.core.rundir import HistoryWriter, update_status


class StopRequested(Exception):
    """Raised inside ``fit`` when the caller's stop event is set."""


class NonFiniteLoss(Exception):
    """Raised inside ``fit`` when the running loss becomes NaN or infinite."""

    def __init__(self, epoch: int, step: int) -> None:
        super().__init__(f"loss is not finite at epoch {epoch}, batch {step}")
        self.epoch = epoch
        self.step = step


def make_run_callback(**kwargs: Any) -> Any:
    """A ``keras.callbacks.Callback`` doing ``RunTracker``'s work (imports keras)."""
    global _CALLBACK_CLASS
    if _CALLBACK_CLASS is None:
        import keras

        class RunCallback(RunTracker, keras.callbacks.Callback):
            pass

        _CALLBACK_CLASS = RunCallback
    return _CALLBACK_CLASS(**kwargs)


_CALLBACK_CLASS: type | None = None


class RunTracker:
    """Emits progress events, writes ``history.csv`` and honours the stop event.

    A plain mixin so that this module imports without keras; combined with
    ``keras.callbacks.Callback`` (which provides ``self.model``) by
    ``make_run_callback``.
    """

    model: Any

    def __init__(
        self,
        *,
        emit: Callable[[RunEvent], None],
        stop_event: threading.Event,
        history: HistoryWriter,
        run_dir: Path,
        epochs: int,
        steps: int,
        batch_size: int,
        max_rate_hz: float = 10.0,
    ) -> None:
        super().__init__()
        self.emit = emit
        self.stop_event = stop_event
        self.history = history
        self.run_dir = run_dir
        self.epochs = epochs
        self.steps = steps
        self.batch_size = batch_size
        self.min_interval_s = 1.0 / max_rate_hz
        self.epochs_done = 0
        self.last_logs: dict[str, float] = {}
        self._epoch = 0
        self._epoch_start = 0.0
        self._last_emit = 0.0
        self._epoch_durations: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.stop_event.is_set():
            raise StopRequested
        self._epoch = epoch + 1
        self._epoch_start = time.monotonic()
        self._last_emit = 0.0  # the first batch of every epoch is always reported

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        loss = logs.get("loss")
        if loss is not None and not math.isfinite(loss):
            raise NonFiniteLoss(self._epoch, batch + 1)
        if self.stop_event.is_set():
            self.model.stop_training = True
            raise StopRequested
        now = time.monotonic()
        if now - self._last_emit >= self.min_interval_s:
            self._last_emit = now
            self.emit(self._progress(batch + 1, logs, now))

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        # A stop during validation abandons the epoch: it has no complete row yet.
        if self.stop_event.is_set():
            raise StopRequested

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = {name: float(value) for name, value in (logs or {}).items()}
        duration = time.monotonic() - self._epoch_start
        self._epoch_durations.append(duration)
        self.history.append(epoch + 1, logs)
        self.epochs_done = epoch + 1
        update_status(self.run_dir, epochs_done=self.epochs_done)
        self.last_logs = logs
        self.emit(EpochEnded(epoch + 1, self.epochs, logs, duration))
        if self.stop_event.is_set():
            self.model.stop_training = True

    def _progress(self, step: int, logs: dict, now: float) -> BatchProgress:
        elapsed = max(now - self._epoch_start, 1e-9)
        per_step = elapsed / step
        eta_epoch = per_step * max(self.steps - step, 0)
        # Later epochs take as long as the last whole one (validation included),
        # or, before any has finished, this epoch's pace.
        per_epoch = self._epoch_durations[-1] if self._epoch_durations else per_step * self.steps
        eta_run = eta_epoch + per_epoch * (self.epochs - self._epoch)
        return BatchProgress(
            epoch=self._epoch,
            epochs=self.epochs,
            step=step,
            steps=self.steps,
            logs={name: float(value) for name, value in logs.items()},
            images_per_s=step * self.batch_size / elapsed,
            eta_epoch_s=eta_epoch,
            eta_run_s=eta_run,
        )
