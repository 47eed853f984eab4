"""The caller's view of a run in progress: ``BatchProgress`` and ``EpochEnded`` events.

``ProgressReporter`` is mixed into a Keras callback by ``callbacks.make_callbacks``
(it is the last of them, so an epoch's event comes once its row is saved). Batch
events are throttled to ``PROGRESS_EVENTS_HZ``; each carries the speed, the ETAs
and the learning rate of the next step.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from cnn_tui.core.runs.events import BatchProgress, EpochEnded, RunEvent
from cnn_tui.core.runs.history import EPOCH_TIME, LEARNING_RATE, RUN_COLUMNS
from cnn_tui.core.runs.schedule import current_learning_rate

Logs = dict[str, Any] | None
"""What Keras passes to a callback hook."""

PROGRESS_EVENTS_HZ = 10.0
"""Batch progress events a second at most (the TUI redraws less often still)."""


class ProgressReporter:
    """Emits ``BatchProgress`` (throttled) and ``EpochEnded`` events for the caller."""

    reads_rate = True
    """Whether batch events carry the optimizer's rate (not under JAX: see callbacks.py)."""

    def __init__(self, *, emit: Callable[[RunEvent], None], epochs: int, steps: int,
                 batch_size: int) -> None:
        super().__init__()
        self.emit = emit
        self.epochs = epochs
        self.steps = steps
        self.batch_size = batch_size
        self.min_interval_s = 1.0 / PROGRESS_EVENTS_HZ
        self._epoch = 0
        self._epoch_start = 0.0
        self._last_emit = 0.0
        self._last_step = 0
        self._epoch_durations: list[float] = []
        # Batch-end hooks may run concurrently on Keras's pool: one at a time
        # decides whether to emit, and never an older step after a newer one.
        self._emit_lock = threading.Lock()
        self._closed = False

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._epoch = epoch + 1
        self._epoch_start = time.monotonic()
        # The first batch hook to run in an epoch is always reported: its step 1, except
        # where Keras runs two hooks at once on its pool (JAX: it can be step 2).
        self._last_emit = 0.0
        self._last_step = 0

    def close(self) -> None:
        """No batch event after this (one may be pending on Keras's pool when fit stops)."""
        with self._emit_lock:
            self._closed = True

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        now = time.monotonic()
        with self._emit_lock:
            if (self._closed or batch + 1 <= self._last_step
                    or now - self._last_emit < self.min_interval_s):
                return
            self._last_emit, self._last_step = now, batch + 1
            event = self._progress(batch + 1, logs or {}, now)
        self.emit(event)

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        row = _floats(logs)
        # The row's own time when EpochTimer measured it, so that both say the same.
        duration = row.get(EPOCH_TIME, time.monotonic() - self._epoch_start)
        self._epoch_durations.append(duration)
        metrics = {name: value for name, value in row.items() if name not in RUN_COLUMNS}
        self.emit(EpochEnded(epoch + 1, self.epochs, metrics, duration,
                             learning_rate=row.get(LEARNING_RATE)))

    def _learning_rate(self) -> float | None:
        """The optimizer's next rate; None outside a Keras callback (no model)."""
        model = getattr(self, "model", None) if self.reads_rate else None
        return None if model is None else current_learning_rate(model.optimizer)

    def _progress(self, step: int, logs: Logs, now: float) -> BatchProgress:
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
            logs=_floats(logs),
            images_per_s=step * self.batch_size / elapsed,
            eta_epoch_s=eta_epoch,
            eta_run_s=eta_run,
            learning_rate=self._learning_rate(),
        )


def _floats(logs: Logs) -> dict[str, float]:
    return {name: float(value) for name, value in (logs or {}).items()}
