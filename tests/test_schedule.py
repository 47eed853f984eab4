"""Learning-rate schedules: Keras's schedules on the optimizer, and how they resume."""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any

import pytest

from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.events import EpochEnded
from cnn_tui.core.runs.resume import plan_resume
from cnn_tui.core.runs.runner import run_training
from tests.resources import missing

TINY_SPEC = {"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10,
                                               "activation": "softmax"}]}
N_TRAIN, BATCH = 200, 50
STEPS = N_TRAIN // BATCH
RATE = 0.01


@pytest.fixture(scope="module")
def mnist_tiny() -> Any:
    from cnn_tui.core.datasets import load_dataset

    shared = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
    if not shared.is_dir():
        missing(f"real MNIST not found at {shared} (see shared/data/README.md)")
    data = load_dataset(shared, limit=N_TRAIN, seed=0)
    data.x_val, data.y_val = data.x_val[:100], data.y_val[:100]
    return data


def train(tmp_path: Path, data: Any, *, stop_after: int | None = None, **options: Any) -> Any:
    stop = threading.Event()

    def emit(event: Any) -> None:
        if isinstance(event, EpochEnded) and event.epoch == stop_after:
            stop.set()

    config = TrainConfig(dataset="mnist-tiny", model=TINY_SPEC, batch_size=BATCH, seed=1,
                         learning_rate=RATE, runs_dir=tmp_path / "runs", **options)
    return run_training(config, emit, stop, dataset=data)


def resume(run_dir: Path, data: Any) -> Any:
    config, point = plan_resume(run_dir)
    return run_training(config, lambda event: None, dataset=data, resume=point)


def saved_optimizer(path: Path) -> tuple[int, float]:
    """The iteration count and the rate of the next step, in a saved model."""
    import keras

    from cnn_tui.core.runs.schedule import current_learning_rate

    optimizer = keras.saving.load_model(path).optimizer
    return int(optimizer.iterations.numpy()), current_learning_rate(optimizer)


def cosine(step: int, total_steps: int) -> float:
    return 0.5 * RATE * (1 + math.cos(math.pi * min(step, total_steps) / total_steps))


def test_cosine_decays_over_the_run_and_goes_on_where_a_resume_left_it(
    tmp_path: Path, mnist_tiny: Any
) -> None:
    stopped = train(tmp_path, mnist_tiny, epochs=4, lr_schedule="cosine", stop_after=2)
    assert stopped.state == "stopped" and stopped.epochs_done == 2
    steps, rate = saved_optimizer(stopped.run_dir / "checkpoint.keras")
    assert steps == 2 * STEPS
    assert rate == pytest.approx(cosine(2 * STEPS, 4 * STEPS), rel=1e-5)  # half-way: RATE / 2

    finished = resume(stopped.run_dir, mnist_tiny)
    assert finished.state == "finished" and finished.epochs_done == 4
    steps, rate = saved_optimizer(finished.run_dir / "model.keras")
    assert steps == 4 * STEPS and rate == pytest.approx(0.0, abs=1e-9)


def test_constant_is_the_optimizers_own_variable(tmp_path: Path, mnist_tiny: Any) -> None:
    import keras

    outcome = train(tmp_path, mnist_tiny, epochs=1)
    optimizer = keras.saving.load_model(outcome.run_dir / "model.keras").optimizer
    assert isinstance(optimizer._learning_rate, keras.Variable)
    assert float(optimizer.learning_rate.numpy()) == pytest.approx(RATE)
