"""Tiny training runs on real MNIST for the training-controls tests: 200 images, 4 steps."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.events import EpochEnded
from cnn_tui.core.runs.outcome import RunOutcome
from cnn_tui.core.runs.resume import plan_resume
from cnn_tui.core.runs.runner import run_training
from tests.resources import missing

TINY_SPEC = {"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10,
                                               "activation": "softmax"}]}
N_TRAIN, BATCH = 200, 50
STEPS = N_TRAIN // BATCH
RATE = 0.01

# A model that a learning rate of 1e30 drives to an infinite loss on every draw of
# its weights. With ReLU after the conv, one huge step can instead kill every unit:
# the output goes constant, the loss stays a finite ln(10), and the run "succeeds"
# (it did in CI once). A linear conv keeps the gradient alive, so the second step
# multiplies two ~1e29 weights and overflows float32.
DIVERGING_SPEC = {"layers": [
    {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "linear"},
    {"type": "MaxPooling2D", "pool_size": 2},
    {"type": "Flatten"},
    {"type": "Dense", "units": 10, "activation": "softmax"},
]}


def load_tiny_mnist(n_train: int = N_TRAIN, n_val: int = 100) -> Any:
    """A class-balanced slice of the real MNIST in ../shared/data, with a small
    validation set so that each epoch's evaluation is quick."""
    from cnn_tui.core.datasets import load_dataset

    shared = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
    if not shared.is_dir():
        missing(f"real MNIST not found at {shared} (see shared/data/README.md)")
    data = load_dataset(shared, limit=n_train, seed=0)
    data.x_val, data.y_val = data.x_val[:n_val], data.y_val[:n_val]
    return data


def stopper(stop_after: int | None, events: list[Any] | None = None) -> Any:
    """An ``emit`` that records the events and asks to stop once epoch ``stop_after`` ends."""
    stop = threading.Event()

    def emit(event: Any) -> None:
        if events is not None:
            events.append(event)
        if isinstance(event, EpochEnded) and event.epoch == stop_after:
            stop.set()

    return emit, stop


def train(tmp_path: Path, data: Any, *, stop_after: int | None = None,
          events: list[Any] | None = None, **options: Any) -> RunOutcome:
    settings: dict[str, Any] = {"dataset": "mnist-tiny", "model": TINY_SPEC,
                                "batch_size": BATCH, "seed": 1, "learning_rate": RATE,
                                "runs_dir": tmp_path / "runs", **options}
    emit, stop = stopper(stop_after, events)
    return run_training(TrainConfig(**settings), emit, stop, dataset=data)


def resume(run_dir: Path, data: Any, *, stop_after: int | None = None,
           events: list[Any] | None = None, epochs: int | None = None) -> RunOutcome:
    config, point = plan_resume(run_dir, epochs=epochs)
    emit, stop = stopper(stop_after, events)
    return run_training(config, emit, stop, dataset=data, resume=point)
