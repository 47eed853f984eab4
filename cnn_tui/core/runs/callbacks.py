"""The Keras callback that turns ``model.fit`` into run events and history rows.

Keras dispatches ``on_train_batch_end`` synchronously, forcing a device sync
on every batch, unless every callback is ``async_safe``. On a GPU that sync
leaves the device idle between steps, so this callback is async-safe: its
per-batch work (reading the running loss, building at most ``max_rate_hz``
progress events a second) runs on Keras's callback thread pool while the
next step is already dispatched, exactly as plain ``fit`` does. Keras waits
for those callbacks before ``on_epoch_end``, and an exception raised in one
(a NaN loss) surfaces in the training thread at the next batch.

Stopping: Keras's ``fit`` (keras/src/backend/tensorflow/trainer.py), after
``model.stop_training`` is set mid-epoch, still validates and calls
``on_epoch_end`` for the partial epoch. A stop must neither spend seconds on
validation nor record a partial epoch, so the callback raises
``StopRequested`` out of ``fit`` instead, from the batch *begin* hooks
(synchronous, in the training thread): at most the batch already running
completes after a stop is requested.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cnn_tui.core.runs.events import BatchProgress, EpochEnded, RunEvent
from cnn_tui.core.runs.rundir import HistoryWriter, update_status


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
    async_safe = True
    """Read by Keras's CallbackList: batch-end hooks may run on its thread pool."""

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
        # Batch-end hooks may run concurrently on Keras's pool: one at a time
        # decides whether to emit, and never an older step after a newer one.
        self._emit_lock = threading.Lock()
        self._last_step = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.stop_event.is_set():
            raise StopRequested
        self._epoch = epoch + 1
        self._epoch_start = time.monotonic()
        self._last_emit = 0.0  # the first batch of every epoch is always reported
        self._last_step = 0

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self.stop_event.is_set():
            raise StopRequested

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        # A stop during validation abandons the epoch: it has no complete row yet.
        if self.stop_event.is_set():
            raise StopRequested

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        loss = logs.get("loss")
        if loss is not None and not math.isfinite(loss):
            raise NonFiniteLoss(self._epoch, batch + 1)
        now = time.monotonic()
        with self._emit_lock:
            if batch + 1 <= self._last_step or now - self._last_emit < self.min_interval_s:
                return
            self._last_emit, self._last_step = now, batch + 1
        self.emit(self._progress(batch + 1, logs, now))

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
