"""What the training runner tells its caller, as plain data.

The runner calls ``emit(event)`` with one of these frozen dataclasses. They
hold only plain values (numbers, strings, paths, dicts of floats and the
runner's own dataclasses), so the TUI can wrap them in Textual messages and
the CLI can print them, and neither needs TensorFlow to read them.
``epoch`` is 1-based everywhere; ``logs`` use Keras's names (``loss``,
``accuracy``, ``val_loss``, ``val_accuracy``...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cnn_tui.core.datasets import DatasetInfo
    from cnn_tui.core.runs.config import TrainConfig
    from cnn_tui.core.shapes import ShapeReport


@dataclass(frozen=True)
class StatusChanged:
    """A step of the set-up has begun: loading data, importing TensorFlow..."""

    text: str


@dataclass(frozen=True)
class RunStarted:
    """The model is built and compiled and the first batch is about to run."""

    run_dir: Path
    config: TrainConfig
    """The resolved config (its seed filled in)."""
    report: ShapeReport
    """The model's shapes on this dataset."""
    dataset_info: DatasetInfo
    """The data being trained on."""
    n_train: int
    n_val: int
    steps_per_epoch: int
    summary: str = ""
    """Keras's ``model.summary()`` text, also saved as ``summary.txt``."""
    initial_epoch: int = 0
    """Epochs already trained: a resumed run goes on from here."""
    history: dict[str, list[float]] = field(default_factory=dict)
    """The rows of those epochs (``read_history``'s columns), for the curves."""
    compute: dict[str, str] = field(default_factory=dict)
    """How the run computes, label -> text in the order shown (``replicas``,
    ``precision``, ``xla``...): the Train tab's compute line and config.json's
    ``compute``."""


@dataclass(frozen=True)
class BatchProgress:
    """Progress inside an epoch, throttled to a few events a second."""

    epoch: int
    epochs: int
    step: int
    """Batches finished in this epoch (1-based)."""
    steps: int
    logs: dict[str, float]
    """Running means over the epoch so far (``loss``, ``accuracy``)."""
    images_per_s: float
    eta_epoch_s: float
    eta_run_s: float
    learning_rate: float | None = None
    """The rate of the next step (a schedule's value at the optimizer's step count)."""


@dataclass(frozen=True)
class EpochEnded:
    """An epoch is finished, validated, and its row is in ``history.csv``."""

    epoch: int
    epochs: int
    logs: dict[str, float]
    """Keras's metrics; the history row also has ``learning_rate`` and ``epoch_time_s``."""
    duration_s: float
    learning_rate: float | None = None
    """The rate of the epoch's first step (its ``learning_rate`` column)."""


@dataclass(frozen=True)
class RunFinished:
    """Every planned epoch ran, or early stopping ended the run; the model is saved."""

    run_dir: Path
    test_metrics: dict[str, float]
    """The final model on the validation/test split (``loss``, ``accuracy``)."""
    epochs_done: int
    reason: str = ""
    """Why it ended before its planned epochs or with other weights than the last's:
    ``early stop at epoch 9; best epoch 6 restored``; empty when it simply ran to the end."""


@dataclass(frozen=True)
class RunStopped:
    """The caller asked to stop; the model as it stood is saved."""

    run_dir: Path
    epochs_done: int
    reason: str = "stopped"
    """Who stopped it: ``stopped``, ``SIGTERM``, ``stop requested from another process``..."""


@dataclass(frozen=True)
class RunFailed:
    """The run could not go on; ``message`` says what went wrong and what to do."""

    run_dir: Path | None
    """``None`` when the failure came before the run directory existed."""
    message: str
    details: str = field(default="", compare=False)
    """The traceback, for the log; never shown instead of ``message``."""


RunEvent = (
    StatusChanged | RunStarted | BatchProgress | EpochEnded | RunFinished | RunStopped | RunFailed
)
