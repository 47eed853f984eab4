"""The Keras callbacks of a run: one callback, one job.

``StopOnRequest`` stops at a batch edge, ``NonFiniteLossGuard`` fails on a
NaN loss, ``EpochLearningRate`` and ``EpochTimer`` add the ``learning_rate``
and ``epoch_time_s`` columns to the epoch's logs, ``EpochCheckpoint`` saves
the model after each epoch, ``HistoryRows`` writes ``history.csv``,
``StatusFile`` keeps ``status.json`` current and ``ProgressEvents`` tells the
caller. ``make_callbacks`` builds them in that order, which matters at an
epoch's end: Keras passes one ``logs`` dict down the list, so the columns are
in it before the row is saved, and the checkpoint is written first, so a
history row never runs ahead of it.

Keras dispatches ``on_train_batch_end`` synchronously, forcing a device sync
on every batch, unless every callback is ``async_safe``. On a GPU that sync
leaves the device idle between steps, so every callback here is async-safe:
batch-end work runs on Keras's callback thread pool while the next step is
already dispatched. Keras waits for it before ``on_epoch_end``, and an
exception raised there (a NaN loss) surfaces in the training thread at the
next batch.

Stopping: after ``model.stop_training`` is set mid-epoch, Keras's ``fit``
still validates and calls ``on_epoch_end`` for the partial epoch. A stop
must neither spend seconds on validation nor record a partial epoch, so
``StopOnRequest`` raises ``StopRequested`` out of ``fit`` from the batch
*begin* hooks (synchronous, in the training thread): at most the batch
already running completes after a stop is requested.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cnn_tui.core.runs.checkpoint import save_model
from cnn_tui.core.runs.control import StopSignal
from cnn_tui.core.runs.events import RunEvent
from cnn_tui.core.runs.history import EPOCH_TIME, LEARNING_RATE, HistoryWriter, Row
from cnn_tui.core.runs.monitors import best_weights
from cnn_tui.core.runs.monitors import state as monitor_state
from cnn_tui.core.runs.progress_events import ProgressReporter
from cnn_tui.core.runs.rundir import CHECKPOINT_FILE, update_status
from cnn_tui.core.runs.schedule import current_learning_rate

Logs = dict[str, Any] | None
"""What Keras passes to a callback hook."""

STATUS_PROGRESS_S = 1.0
"""``status.json`` carries batch progress for other processes at most this often."""


class StopRequested(Exception):
    """Raised inside ``fit`` when a stop was requested."""


class NonFiniteLoss(Exception):
    """Raised inside ``fit`` when the running loss becomes NaN or infinite."""

    def __init__(self, epoch: int, step: int) -> None:
        super().__init__(f"loss is not finite at epoch {epoch}, batch {step}")
        self.epoch = epoch
        self.step = step


def make_callbacks(
    *,
    run_dir: Path,
    stop: StopSignal,
    emit: Callable[[RunEvent], None],
    history: HistoryWriter,
    rows: list[Row],
    epochs: int,
    steps: int,
    batch_size: int,
    monitors: Sequence[Any] = (),
    tensorboard_dir: Path | None = None,
    agreed_stops: bool = False,
    synchronous: bool = False,
) -> list[Any]:
    """The run's callbacks in the order their epoch-end work must happen (imports keras).

    ``monitors``: early stopping and reduce-on-plateau (``monitors.py``); they
    act on the epoch's logs before the checkpoint keeps their counters.
    ``tensorboard_dir``: where Keras's own TensorBoard callback writes, or None.
    ``agreed_stops``: the workers of a cluster stop together (``worker_loop.py``),
    so no callback may stop one of them alone.
    """
    import keras

    # Under JAX, ``self.model`` syncs the training state into the model and the
    # optimizer's step counter lives in donated buffers: read from this pool's
    # threads mid-epoch it races the next step ("Array has been deleted"), so the
    # batch-level rate is TensorFlow's only; the epoch rows still carry it.
    live_rate = keras.backend.backend() == "tensorflow"

    class StopOnRequest(keras.callbacks.Callback):
        async_safe = True

        def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
            if stop.is_set():
                raise StopRequested

        def on_train_batch_begin(self, batch: int, logs: Logs = None) -> None:
            if stop.is_set():
                raise StopRequested

        def on_test_batch_begin(self, batch: int, logs: Logs = None) -> None:
            # A stop during validation abandons the epoch: it has no complete row yet.
            if stop.is_set():
                raise StopRequested

        def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
            if stop.is_set():
                self.model.stop_training = True

    class NonFiniteLossGuard(keras.callbacks.Callback):
        async_safe = True

        def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
            self.epoch = epoch + 1

        def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
            loss = (logs or {}).get("loss")
            if loss is not None and not math.isfinite(loss):
                raise NonFiniteLoss(self.epoch, batch + 1)

    class EpochLearningRate(keras.callbacks.Callback):
        """Adds ``learning_rate`` to the epoch's logs: the rate of its first step."""

        async_safe = True

        def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
            self.rate = current_learning_rate(self.model.optimizer)

        def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
            if logs is not None:
                logs[LEARNING_RATE] = self.rate

    class EpochTimer(keras.callbacks.Callback):
        """Adds ``epoch_time_s``: from the epoch's start to the end of its validation."""

        async_safe = True

        def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
            self.start = time.monotonic()

        def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
            if logs is not None:
                logs[EPOCH_TIME] = time.monotonic() - self.start

    class EpochCheckpoint(keras.callbacks.Callback):
        """Saves ``checkpoint.keras`` (model, optimizer, finished epochs and their rows)."""

        async_safe = True

        def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
            finished = [*rows, {"epoch": epoch + 1, **_floats(logs)}]
            save_checkpoint(self.model, run_dir, finished, monitors)
            rows[:] = finished  # only once the checkpoint holds them

    class HistoryRows(keras.callbacks.Callback):
        async_safe = True

        def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
            history.append(epoch + 1, _floats(logs))

    class StatusFile(keras.callbacks.Callback):
        async_safe = True

        def __init__(self) -> None:
            super().__init__()
            self._next_write = 0.0
            self._closed = False
            # Batch-end hooks may overlap on Keras's pool, and one may still be
            # pending when a stop raises out of fit: the lock and ``close`` keep
            # a late progress write from overwriting the final state.
            self._lock = threading.Lock()

        def close(self) -> None:
            with self._lock:
                self._closed = True

        def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
            self.epoch = epoch + 1

        def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
            now = time.monotonic()
            with self._lock:
                if self._closed or now < self._next_write:
                    return
                self._next_write = now + STATUS_PROGRESS_S
                progress = {"epoch": self.epoch, "step": batch + 1, "steps": steps,
                            "logs": _floats(logs)}
                if live_rate:
                    progress["learning_rate"] = current_learning_rate(self.model.optimizer)
                update_status(run_dir, durable=False, progress=progress)

        def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
            update_status(run_dir, epochs_done=epoch + 1,
                          progress={"epoch": epoch + 1, "step": steps, "steps": steps,
                                    "logs": _floats(logs)})

    class SynchronousBatches(keras.callbacks.Callback):
        """Not async-safe, with batch hooks: by Keras's rule every batch hook then runs
        in the training thread. JAX on several CPU devices needs it: converting logs
        on the pool while the next sharded step starts deadlocks XLA:CPU's
        collectives (seen: a stuck all-reduce in validation, then an abort)."""

        def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
            pass

        def on_test_batch_end(self, batch: int, logs: Logs = None) -> None:
            pass

    class ProgressEvents(ProgressReporter, keras.callbacks.Callback):
        async_safe = True
        reads_rate = live_rate

    # Last but one: the epoch's logs hold the learning rate and time by then, and
    # the checkpoint is safe before a failing log write could end the run.
    tensorboard = [] if tensorboard_dir is None else [keras.callbacks.TensorBoard(
        log_dir=str(tensorboard_dir), update_freq="epoch", write_graph=True)]
    return [
        *([] if agreed_stops else [StopOnRequest()]),
        NonFiniteLossGuard(),
        EpochLearningRate(),
        EpochTimer(),
        *monitors,
        EpochCheckpoint(),
        HistoryRows(),
        StatusFile(),
        *tensorboard,
        ProgressEvents(emit=emit, epochs=epochs, steps=steps, batch_size=batch_size),
        *([SynchronousBatches()] if synchronous else []),
    ]


def close_callbacks(callbacks: list[Any]) -> None:
    """Silence the callbacks whose batch-end work may still be pending after ``fit``."""
    for callback in callbacks:
        close = getattr(callback, "close", None)
        if close is not None:
            close()


def save_checkpoint(model: Any, run_dir: Path, rows: list[Row],
                    monitors: Sequence[Any] = ()) -> None:
    """``checkpoint.keras`` after ``len(rows)`` finished epochs (raises SaveFailed)."""
    state = {"epochs_done": len(rows), "history": rows, "monitors": monitor_state(monitors)}
    save_model(model, run_dir / CHECKPOINT_FILE, state, best_weights(monitors))


def _floats(logs: Logs) -> dict[str, float]:
    return {name: float(value) for name, value in (logs or {}).items()}
