"""Early stopping and reduce-on-plateau: Keras's callbacks, ending as finished, and resuming."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cnn_tui.core.errors import ConfigError
from cnn_tui.core.runs.checkpoint import read_best_weights, read_state
from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.events import EpochEnded, RunFinished
from cnn_tui.core.runs.history import read_history
from cnn_tui.core.runs.resume import plan_resume
from tests.tiny_runs import load_tiny_mnist, resume, train

# A min delta no loss can beat: every epoch after the first is "no improvement",
# so early stopping's counting is the same on any machine.
NEVER_BETTER: dict[str, Any] = {"monitor": "val_loss", "early_stop_patience": 2,
                                "early_stop_min_delta": 10.0, "epochs": 6}
# A rate too small to move the loss by Keras's plateau min delta (1e-4): a plateau.
FLAT: dict[str, Any] = {"learning_rate": 1e-9, "monitor": "val_loss", "plateau_patience": 2,
                        "plateau_factor": 0.5, "epochs": 6}
FLAT_RATES = [1e-9, 1e-9, 1e-9, 5e-10, 5e-10, 2.5e-10]
"""No improvement at epochs 2 and 3: the rate halves after epoch 3, and again after 5."""


@pytest.fixture(scope="module")
def mnist_tiny() -> Any:
    return load_tiny_mnist()


def weights(path: Path) -> list[np.ndarray]:
    import keras

    return list(keras.saving.load_model(path).get_weights())


def keep_checkpoint_of_epoch(epoch: int, copy: Path, events: list[Any]) -> Any:
    """An ``on``-event hook copying checkpoint.keras once ``epoch`` has ended (it is saved
    before the event)."""

    def hook(event: Any) -> None:
        events.append(event)
        if isinstance(event, EpochEnded) and event.epoch == epoch:
            shutil.copy(run_dir_of(events) / "checkpoint.keras", copy)

    return hook


def run_dir_of(events: list[Any]) -> Path:
    from cnn_tui.core.runs.events import RunStarted

    return next(e.run_dir for e in events if isinstance(e, RunStarted))


def assert_same_weights(first: list[np.ndarray], second: list[np.ndarray]) -> None:
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_early_stopping_ends_finished_with_the_best_weights_and_says_why(
    tmp_path: Path, mnist_tiny: Any
) -> None:
    events: list[Any] = []
    outcome = train(tmp_path, mnist_tiny, events=events, **NEVER_BETTER)
    reason = "early stop at epoch 3; best epoch 1 restored"
    assert (outcome.state, outcome.epochs_done, outcome.message) == ("finished", 3, reason)
    finished = events[-1]
    assert isinstance(finished, RunFinished) and finished.reason == reason
    status = json.loads((outcome.run_dir / "status.json").read_text())
    assert (status["state"], status["message"], status["epochs_done"]) == ("finished", reason, 3)
    history = read_history(outcome.run_dir)
    assert history["epoch"] == [1, 2, 3]
    # The test metrics are the restored epoch's, not the last one's.
    assert finished.test_metrics["loss"] == history["val_loss"][0]
    assert not (outcome.run_dir / "checkpoint.keras").exists()
    saved = read_best_weights(outcome.run_dir / "model.keras")
    assert saved is not None
    assert_same_weights(weights(outcome.run_dir / "model.keras"), saved)


def test_the_restored_weights_are_the_best_epochs(tmp_path: Path, mnist_tiny: Any) -> None:
    from cnn_tui.core.runs.runner import run_training
    from tests.tiny_runs import BATCH, RATE, TINY_SPEC

    events: list[Any] = []
    copy = tmp_path / "epoch-1.keras"
    config = TrainConfig(dataset="mnist-tiny", model=TINY_SPEC, batch_size=BATCH, seed=1,
                         learning_rate=RATE, runs_dir=tmp_path / "runs", **NEVER_BETTER)
    outcome = run_training(config, keep_checkpoint_of_epoch(1, copy, events),
                           dataset=mnist_tiny)
    assert outcome.message == "early stop at epoch 3; best epoch 1 restored"
    assert_same_weights(weights(outcome.run_dir / "model.keras"), weights(copy))


def test_without_restore_best_the_last_weights_stay(tmp_path: Path, mnist_tiny: Any) -> None:
    outcome = train(tmp_path, mnist_tiny, restore_best="no", **NEVER_BETTER)
    assert (outcome.state, outcome.message) == ("finished", "early stop at epoch 3")
    assert read_best_weights(outcome.run_dir / "model.keras") is None


def test_reduce_on_plateau_lowers_the_rate(tmp_path: Path, mnist_tiny: Any) -> None:
    outcome = train(tmp_path, mnist_tiny, **FLAT)
    assert outcome.state == "finished" and outcome.message == ""
    assert read_history(outcome.run_dir)["learning_rate"] == pytest.approx(FLAT_RATES, rel=1e-6)


def test_plateau_counters_and_the_lowered_rate_carry_on_after_resumes(
    tmp_path: Path, mnist_tiny: Any
) -> None:
    """Stopped after epoch 2 (one epoch into the wait) and after epoch 4 (after a
    reduction): the rates are those of the run that was never stopped."""
    first = train(tmp_path, mnist_tiny, stop_after=2, **FLAT)
    state = read_state(first.run_dir / "checkpoint.keras")
    assert state is not None and state["monitors"]["reduce_lr_on_plateau"]["wait"] == 1
    second = resume(first.run_dir, mnist_tiny, stop_after=4)
    assert second.state == "stopped" and second.epochs_done == 4
    last = resume(first.run_dir, mnist_tiny)
    assert last.state == "finished"
    assert read_history(last.run_dir)["learning_rate"] == pytest.approx(FLAT_RATES, rel=1e-6)


def test_early_stopping_carries_on_after_a_resume_like_an_uninterrupted_run(
    tmp_path: Path, mnist_tiny: Any
) -> None:
    straight = train(tmp_path / "a", mnist_tiny, **NEVER_BETTER)
    stopped = train(tmp_path / "b", mnist_tiny, stop_after=2, **NEVER_BETTER)
    assert stopped.state == "stopped"
    state = read_state(stopped.run_dir / "checkpoint.keras")
    assert state is not None
    assert state["monitors"]["early_stopping"] == {
        "wait": 1, "best": read_history(stopped.run_dir)["val_loss"][0], "best_epoch": 0}
    kept = read_best_weights(stopped.run_dir / "checkpoint.keras")
    assert kept is not None
    resumed = resume(stopped.run_dir, mnist_tiny)
    # A fresh counter would have stopped at epoch 5, with epoch 3 as the best.
    assert (resumed.state, resumed.epochs_done, resumed.message) == (
        straight.state, straight.epochs_done, straight.message)
    assert resumed.message == "early stop at epoch 3; best epoch 1 restored"
    assert_same_weights(weights(resumed.run_dir / "model.keras"), kept)
    assert_same_weights(weights(resumed.run_dir / "model.keras"),
                        weights(straight.run_dir / "model.keras"))


def test_an_early_stopped_run_goes_on_only_when_given_a_total(tmp_path: Path,
                                                              mnist_tiny: Any) -> None:
    outcome = train(tmp_path, mnist_tiny, **NEVER_BETTER)
    with pytest.raises(ConfigError, match="has finished after 3 epochs .early stop at epoch 3; "
                                          "best epoch 1 restored.; pass --epochs"):
        plan_resume(outcome.run_dir)
    extended = resume(outcome.run_dir, mnist_tiny, epochs=8)
    # Its patience starts again (wait 0), from the best it had: two more epochs.
    assert (extended.state, extended.epochs_done) == ("finished", 5)
    assert extended.message == "early stop at epoch 5; best epoch 1 restored"


@pytest.mark.parametrize("schedule", [{"lr_schedule": "cosine"}, {"warmup_epochs": 1}])
def test_reduce_on_plateau_with_a_schedule_is_refused(schedule: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"plateau wait \(--plateau-patience\) needs lr "
                                          "schedule constant without warm-up"):
        TrainConfig(plateau_patience=2, **schedule).validate()


def test_patience_running_out_at_the_last_planned_epoch_is_no_early_stop(
    tmp_path: Path, mnist_tiny: Any
) -> None:
    outcome = train(tmp_path, mnist_tiny, **{**NEVER_BETTER, "epochs": 3})
    assert (outcome.state, outcome.epochs_done) == ("finished", 3)
    assert outcome.message == "best epoch 1 restored"
