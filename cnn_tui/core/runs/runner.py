"""Train a model on a dataset, in the calling thread, reporting through events.

``run_training`` works without a UI: the CLI calls it directly and the TUI
from a worker thread. It reports through ``emit(event)`` (see ``events.py``),
stops within one batch when ``stop_event`` is set (or another process asks,
see ``control.py``), and leaves a valid run directory whatever happens. It
never raises for a failure of the run itself: a bad setting, bad data, a NaN
loss, a full disk or an out-of-memory error becomes a ``RunFailed`` event and
a failed ``RunOutcome``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnn_tui.core.backend import configured_backend
from cnn_tui.core.errors import CnnTuiError, first_line
from cnn_tui.core.memory import oom_advice
from cnn_tui.core.native_log import NativeStderr
from cnn_tui.core.runs.callbacks import NonFiniteLoss
from cnn_tui.core.runs.cluster import cluster_of
from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.events import RunEvent, RunFailed, RunStopped
from cnn_tui.core.runs.history import read_history
from cnn_tui.core.runs.outcome import RunOutcome
from cnn_tui.core.runs.resume import ResumePoint
from cnn_tui.core.runs.rundir import native_log_file, update_status

if TYPE_CHECKING:
    from cnn_tui.core.shapes import ShapeReport


def run_training(
    config: TrainConfig,
    emit: Callable[[RunEvent], None],
    stop_event: threading.Event | None = None,
    dataset: Any = None,
    *,
    native_log: NativeStderr | None = None,
    run_dir: Path | None = None,
    resume: ResumePoint | None = None,
    kind: str = "api",
    before_run_dir: Callable[[], None] | None = None,
    report: ShapeReport | None = None,
) -> RunOutcome:
    """Train ``config`` and return how it ended; see the module docstring.

    ``dataset``: an already loaded ``Dataset`` (else ``config.dataset`` is
    loaded). ``native_log``: the caller's active ``NativeStderr``; it is
    pointed at the run's ``tensorflow.log`` (``jax.log``… under other backends)
    for the run and back to its first file afterwards. Without one, fd 2 is
    redirected to that file for the duration of the run. ``run_dir``, ``resume``, ``kind``,
    ``before_run_dir`` and ``report``: see ``prepare.prepare_run``.
    """
    stop_event = stop_event or threading.Event()
    try:
        cluster = cluster_of(config.cluster, config.worker_index, os.environ)
    except CnnTuiError as error:
        emit(RunFailed(None, str(error)))
        return RunOutcome("failed", None, message=str(error), bad_input=True)
    if cluster is None or cluster.is_chief:
        return _run(config, emit, stop_event, dataset, native_log=native_log, run_dir=run_dir,
                    resume=resume, kind=kind, before_run_dir=before_run_dir, report=report)
    if resume is not None:
        message = ("only the chief (--worker-index 0) takes --resume; start the other workers "
                   "with the run's flags, as before.")
        emit(RunFailed(None, message))
        return RunOutcome("failed", None, message=message, bad_input=True)
    # Any other worker writes as the chief does, but into a folder removed at the end.
    with tempfile.TemporaryDirectory(prefix="cnn-tui-worker-") as scratch:
        outcome = _run(replace(config, runs_dir=scratch, name="worker"), emit, stop_event,
                       dataset, native_log=native_log, kind=kind, report=report,
                       before_run_dir=before_run_dir)
    return replace(outcome, run_dir=None)  # gone with the folder


def _run(config: TrainConfig, emit: Callable[[RunEvent], None], stop_event: threading.Event,
         dataset: Any, *, native_log: NativeStderr | None, run_dir: Path | None = None,
         resume: ResumePoint | None = None, kind: str,
         before_run_dir: Callable[[], None] | None = None,
         report: ShapeReport | None = None) -> RunOutcome:
    from cnn_tui.core.runs.fit import train_prepared
    from cnn_tui.core.runs.prepare import prepare_run

    try:
        prepared = prepare_run(config, emit, dataset, run_dir=run_dir, resume=resume, kind=kind,
                               before_run_dir=before_run_dir, report=report)
    except CnnTuiError as error:
        emit(RunFailed(None, str(error)))
        return RunOutcome("failed", None, message=str(error), bad_input=True)
    except (Exception, RecursionError) as error:  # noqa: BLE001 - a reader's bug: still an event
        message = f"could not prepare the run ({type(error).__name__}: {first_line(error)})."
        emit(RunFailed(None, message, traceback.format_exc()))
        return RunOutcome("failed", None, message=message)
    run_dir = prepared.run_dir
    with _native_log(native_log, run_dir / native_log_file(configured_backend())):
        try:
            return train_prepared(prepared, emit, stop_event)
        except KeyboardInterrupt:
            # Interrupted outside fit (building, saving): the checkpoint stands.
            epochs = len(read_history(run_dir).get("epoch", []))
            update_status(run_dir, state="stopped", message="interrupted", epochs_done=epochs)
            emit(RunStopped(run_dir, epochs, "interrupted"))
            return RunOutcome("stopped", run_dir, epochs, message="interrupted",
                              history=read_history(run_dir))
        except Exception as error:  # noqa: BLE001 - a run's failure is an event
            return _failed(run_dir, error, prepared.config, prepared.report, emit)


def _failed(run_dir: Path, error: BaseException, config: TrainConfig, report: Any,
            emit: Callable[[RunEvent], None]) -> RunOutcome:
    message = failure_message(error, config, report)
    details = traceback.format_exc()
    history = read_history(run_dir)
    epochs = len(history.get("epoch", []))
    with contextlib.suppress(OSError):
        update_status(run_dir, state="failed", message=message, epochs_done=epochs,
                      traceback=details[-4000:])
    emit(RunFailed(run_dir, message, details))
    return RunOutcome("failed", run_dir, epochs, message=message, history=history)


@contextlib.contextmanager
def _native_log(native_log: NativeStderr | None, path: Path) -> Iterator[None]:
    if native_log is not None and native_log.active:
        home = native_log.log_path
        native_log.retarget(path)
        try:
            yield
        finally:
            native_log.retarget(home, carry_over=False)
        return
    with NativeStderr(path):
        yield


def failure_message(error: BaseException, config: TrainConfig,
                    report: ShapeReport | None = None) -> str:
    """One sentence for a failed run: what went wrong and what to do."""
    if isinstance(error, CnnTuiError):
        return str(error)
    if isinstance(error, NonFiniteLoss):
        return (
            f"the loss became NaN or infinite at epoch {error.epoch}, batch {error.step}; "
            f"lower the learning rate (now {config.learning_rate:g}) or check the data."
        )
    name = type(error).__name__
    # TensorFlow's, JAX's (XlaRuntimeError: RESOURCE_EXHAUSTED …) and torch's.
    out_of_memory = (name in ("ResourceExhaustedError", "OutOfMemoryError")
                     or str(error).startswith("RESOURCE_EXHAUSTED"))
    if out_of_memory or isinstance(error, MemoryError):
        if report is None:
            smaller = max(1, config.batch_size // 2)
            return (f"out of memory with batch size {config.batch_size}; use a smaller batch "
                    f"size (e.g. --batch-size {smaller}) or a smaller model.")
        # Name the real cause: the model's size or the batch's activations.
        return oom_advice(report, config.batch_size, config.optimizer)
    return (
        f"training failed ({name}: {first_line(error)}); see "
        f"{native_log_file(configured_backend())} in the run directory."
    )
