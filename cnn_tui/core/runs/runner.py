"""Train a model on a dataset, in the calling thread, reporting through events.

``run_training`` works without a UI: the CLI calls it directly and the TUI
from a worker thread. It reports through ``emit(event)`` (see ``events.py``),
stops within one batch when ``stop_event`` is set, and leaves a valid run
directory whatever happens (see ``rundir.py``). It never raises for a
failure of the run itself: a bad setting, bad data, a NaN loss or an
out-of-memory error becomes a ``RunFailed`` event and a failed
``RunOutcome``.
"""

from __future__ import annotations

import contextlib
import platform
import random
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cnn_tui.core.augment import NO_AUGMENT, AugmentConfig
from cnn_tui.core.runs.callbacks import NonFiniteLoss
from cnn_tui.core.errors import CnnTuiError, ConfigError
from cnn_tui.core.runs.events import RunEvent, RunFailed, RunStopped
from cnn_tui.core.native_log import NativeStderr
from cnn_tui.core.runs.rundir import TF_LOG_FILE, read_history, update_status

OPTIMIZERS = ("rmsprop", "adam", "sgd")


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run needs; defaults follow the tutorial."""

    dataset: str
    """A named dataset (``mnist``...) or a path."""
    model: str | dict[str, Any] = "seed-cnn"
    """A preset name, a path to a JSON spec, or a spec dict."""
    augment: AugmentConfig = NO_AUGMENT
    epochs: int = 10
    batch_size: int = 256
    optimizer: str = "rmsprop"
    """rmsprop (the tutorial's), adam, or sgd (with momentum 0.9)."""
    learning_rate: float = 0.001
    limit: int | None = None
    """Train on a class-balanced subset of this many images."""
    val_split: float = 0.1
    """Hold-out fraction when the dataset has no test split."""
    image_size: int | tuple[int, int] | None = None
    """Resize images to this size (an image folder with mixed sizes needs it)."""
    seed: int | None = None
    """``None``: a random seed is drawn and recorded in config.json."""
    runs_dir: str | Path = "runs"
    name: str | None = None
    """Run name; default ``<model>-<dataset>``."""

    def validate(self) -> None:
        """Raise ConfigError for an option out of range."""
        if isinstance(self.epochs, bool) or not isinstance(self.epochs, int) or self.epochs < 1:
            raise ConfigError(f"epochs must be a whole number of at least 1, got {self.epochs}.")
        if (
            isinstance(self.batch_size, bool)
            or not isinstance(self.batch_size, int)
            or self.batch_size < 1
        ):
            raise ConfigError(
                f"batch size must be a whole number of at least 1, got {self.batch_size}."
            )
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(
                f"unknown optimizer {self.optimizer!r}; use one of {', '.join(OPTIMIZERS)}."
            )
        if not self.learning_rate > 0:
            raise ConfigError(
                f"learning rate must be above 0, got {self.learning_rate}; try 0.001."
            )
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"limit must be at least 1 image, got {self.limit}.")
        if not 0 < self.val_split < 1:
            raise ConfigError(f"val split must be between 0 and 1, got {self.val_split}; try 0.1.")
        if self.seed is not None and not 0 <= self.seed < 2**32:
            raise ConfigError(f"seed must be a whole number from 0 to 2**32-1, got {self.seed}.")

    @property
    def model_name(self) -> str:
        if isinstance(self.model, dict):
            return str(self.model.get("name") or "custom")
        return Path(self.model).stem if self.model.lower().endswith(".json") else self.model

    @property
    def dataset_name(self) -> str:
        return Path(self.dataset).name or self.dataset

    @property
    def run_name(self) -> str:
        return self.name or f"{self.model_name}-{self.dataset_name}"

    def resolved(self) -> TrainConfig:
        """This config with a seed: a random one when none was given."""
        if self.seed is not None:
            return self
        return replace(self, seed=random.SystemRandom().randrange(2**31))


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended."""

    state: str
    """finished, stopped or failed."""
    run_dir: Path | None
    epochs_done: int = 0
    test_metrics: dict[str, float] = field(default_factory=dict)
    message: str = ""
    bad_input: bool = False
    """The run failed before training because of the user's input (spec,
    dataset, options): the CLI's exit status 2 rather than 1."""
    history: dict[str, list[float]] = field(default_factory=dict)


def run_training(
    config: TrainConfig,
    emit: Callable[[RunEvent], None],
    stop_event: threading.Event | None = None,
    dataset: Any = None,
    *,
    native_log: NativeStderr | None = None,
) -> RunOutcome:
    """Train ``config`` and return how it ended; see the module docstring.

    ``dataset``: an already loaded ``Dataset`` (else ``config.dataset`` is
    loaded). ``native_log``: the caller's active ``NativeStderr``; it is
    pointed at the run's ``tensorflow.log`` for the run and back to its first
    file afterwards. Without one, fd 2 is redirected to ``tensorflow.log``
    for the duration of the run.
    """
    from cnn_tui.core.runs.fit import prepare_run, train_prepared

    stop_event = stop_event or threading.Event()
    try:
        prepared = prepare_run(config, emit, dataset)
    except CnnTuiError as error:
        emit(RunFailed(None, str(error)))
        return RunOutcome("failed", None, message=str(error), bad_input=True)
    except Exception as error:  # noqa: BLE001 - e.g. a reader's bug: still an event
        message = f"could not prepare the run ({type(error).__name__}: {_first_line(error)})."
        emit(RunFailed(None, message, traceback.format_exc()))
        return RunOutcome("failed", None, message=message)
    run_dir = prepared.run_dir
    with _tensorflow_log(native_log, run_dir / TF_LOG_FILE):
        try:
            return train_prepared(prepared, emit, stop_event)
        except KeyboardInterrupt:
            history = read_history(run_dir)
            epochs = len(history.get("epoch", []))
            update_status(run_dir, state="stopped", message="interrupted", epochs_done=epochs)
            emit(RunStopped(run_dir, epochs))
            return RunOutcome("stopped", run_dir, epochs, history=history)
        except Exception as error:  # noqa: BLE001 - a run's failure is an event
            message = failure_message(error, config)
            details = traceback.format_exc()
            history = read_history(run_dir)
            epochs = len(history.get("epoch", []))
            update_status(
                run_dir, state="failed", message=message, epochs_done=epochs, traceback=details
            )
            emit(RunFailed(run_dir, message, details))
            return RunOutcome(
                "failed",
                run_dir,
                epochs,
                message=message,
                bad_input=False,
                history=history,
            )


@contextlib.contextmanager
def _tensorflow_log(native_log: NativeStderr | None, path: Path) -> Iterator[None]:
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


def failure_message(error: BaseException, config: TrainConfig) -> str:
    """One sentence for a failed run: what went wrong and what to do."""
    if isinstance(error, CnnTuiError):
        return str(error)
    if isinstance(error, NonFiniteLoss):
        return (
            f"the loss became NaN or infinite at epoch {error.epoch}, batch {error.step}; "
            f"lower the learning rate (now {config.learning_rate:g}) or check the data."
        )
    name = type(error).__name__
    if name == "ResourceExhaustedError" or isinstance(error, MemoryError):
        smaller = max(1, config.batch_size // 2)
        return (
            f"out of memory with batch size {config.batch_size}; "
            f"use a smaller batch size (e.g. --batch-size {smaller}) or a smaller model."
        )
    return (
        f"training failed ({name}: {_first_line(error)}); see tensorflow.log in the run directory."
    )


def _first_line(error: BaseException) -> str:
    """The start of an error's message, short enough for one status line."""
    return (str(error).strip().splitlines() or [""])[0][:300]


def library_versions() -> dict[str, str]:
    """Versions recorded in config.json (imports TensorFlow)."""
    import keras
    import numpy
    import tensorflow

    import cnn_tui

    return {
        "python": platform.python_version(),
        "tensorflow": tensorflow.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
        "cnn-tui": cnn_tui.__version__,
    }


def config_to_dict(config: TrainConfig) -> dict[str, Any]:
    """The user's options as JSON-ready data."""
    data = asdict(config)
    data["augment"] = config.augment.to_dict()
    data["runs_dir"] = str(config.runs_dir)
    data["created"] = datetime.now().isoformat(timespec="seconds")
    return data
