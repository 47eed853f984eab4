"""Messages the app's worker threads post to the UI thread.

The training thread turns each of the engine's plain events
(``cnn_tui.core.runs.events``) into one of these with ``message_for``; handlers in
the app update the widgets. ``post_message`` is thread-safe, and batch
progress and watched-run snapshots are replaceable so a slow UI never
builds a backlog.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from cnn_tui.core.runs.events import (
    BatchProgress,
    EpochEnded,
    RunEvent,
    RunFailed,
    RunFinished,
    RunStarted,
    RunStopped,
    StatusChanged,
)
from cnn_tui.core.runs.watch import WatchedRun


@dataclass
class KerasReady(Message):
    """Keras and its backend are imported; training can start."""

    backend: str
    """The backend as people name it: "TensorFlow", "JAX", "PyTorch"."""
    device: str
    """Where training will run: "CPU", "GPU 0", "GPUs 0, 1"."""


@dataclass
class KerasFailed(Message):
    """Keras or its backend could not be imported."""

    message: str


@dataclass
class TrainingStatus(Message):
    """A set-up step of the run began (loading data, building the model...)."""

    event: StatusChanged


@dataclass
class TrainingStarted(Message):
    """The model is compiled and the first batch is about to run."""

    event: RunStarted


@dataclass
class TrainingBatch(Message):
    """Progress inside an epoch; a newer one replaces an unhandled older one."""

    event: BatchProgress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TrainingBatch)


@dataclass
class TrainingEpoch(Message):
    """An epoch ended and is in history.csv."""

    event: EpochEnded


@dataclass
class TrainingEnded(Message):
    """The run is over: finished, stopped or failed."""

    event: RunFinished | RunStopped | RunFailed


@dataclass
class TrainingRefused(Message):
    """A run could not even start (``plan_resume`` refused to continue it)."""

    message: str


@dataclass
class WatchUpdate(Message):
    """A look at the files of the run being watched; a newer one replaces an unhandled one."""

    run: WatchedRun

    def can_replace(self, message: Message) -> bool:
        # Each look holds the whole history, so an older look adds nothing.
        return isinstance(message, WatchUpdate) and message.run.run_dir == self.run.run_dir


@dataclass
class StopAnswered(Message):
    """What asking a watched run to stop did (or why it could not)."""

    run_dir: Path
    text: str
    error: bool = False


@dataclass
class TerminalLost(Message):
    """The app's terminal went away (``SIGHUP`` or ``EIO``; see hangup.py)."""

    reason: str


def message_for(event: RunEvent) -> Message:
    """The message that carries ``event`` to the UI thread."""
    if isinstance(event, BatchProgress):
        return TrainingBatch(event)
    if isinstance(event, EpochEnded):
        return TrainingEpoch(event)
    if isinstance(event, RunStarted):
        return TrainingStarted(event)
    if isinstance(event, StatusChanged):
        return TrainingStatus(event)
    return TrainingEnded(event)
