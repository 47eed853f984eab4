"""One real headless run: a few thousand real MNIST digits, and the model must learn."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.events import EpochEnded, RunFinished
from cnn_tui.core.runs.history import read_history
from cnn_tui.core.runs.index import export_histories, list_runs
from cnn_tui.core.runs.runner import run_training
from tests.resources import missing

MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"


def test_seed_mlp_learns_real_mnist(tmp_path: Path) -> None:
    if not MNIST.is_dir():
        missing(f"real MNIST not found at {MNIST}")
    events: list[Any] = []
    config = TrainConfig(
        dataset=str(MNIST),
        model="seed-mlp",
        epochs=3,
        batch_size=128,
        limit=3000,
        seed=0,
        runs_dir=tmp_path / "runs",
    )
    outcome = run_training(config, events.append, threading.Event())

    assert outcome.state == "finished", outcome.message
    accuracies = [e.logs["val_accuracy"] for e in events if isinstance(e, EpochEnded)]
    assert len(accuracies) == 3
    # On the real 10,000-image test split: chance is 0.1.
    assert accuracies[-1] > 0.8, accuracies
    assert accuracies[-1] > accuracies[0] or accuracies[0] > 0.85
    assert isinstance(events[-1], RunFinished)
    assert events[-1].test_metrics["accuracy"] == pytest.approx(accuracies[-1])

    history = read_history(outcome.run_dir)
    assert history["val_accuracy"] == pytest.approx(accuracies)
    [record] = list_runs(tmp_path / "runs")
    assert record.model == "seed-mlp" and record.epochs_done == 3
    assert record.best_val_accuracy == pytest.approx(max(accuracies))
    exported = export_histories([outcome.run_dir], tmp_path / "all.csv").read_text()
    assert exported.splitlines()[0] == (
        "run,epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,epoch_time_s")
