"""Continuing runs from the Runs tab (`c`) on real MNIST: a stopped run goes on to its planned
epochs, a finished one to a new total asked for in a prompt, and a refusal is one message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.control import StopRequest
from cnn_tui.core.runs.events import EpochEnded
from cnn_tui.core.runs.history import read_history
from cnn_tui.core.runs.runner import run_training
from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.messages import TrainingStarted
from cnn_tui.ui.options import LaunchOptions
from cnn_tui.ui.screens.text_prompt import TextPromptScreen
from cnn_tui.ui.widgets.curves import TrainingCurves
from tests.ui.run_folders import scanned, wait_until


def stopped_after_one_epoch(mnist: str, runs_dir: Path) -> Path:
    """A run of 3 planned epochs that the engine stopped after its first."""
    stop = StopRequest()

    def emit(event: object) -> None:
        if isinstance(event, EpochEnded):
            stop.request("stopped")

    config = TrainConfig(dataset=mnist, model="seed-mlp", epochs=3, limit=300, seed=1,
                         runs_dir=runs_dir)
    outcome = run_training(config, emit, stop)
    assert (outcome.state, outcome.epochs_done) == ("stopped", 1)
    assert outcome.run_dir is not None
    return outcome.run_dir


async def press_c_on(pilot, app: CnnTuiApp, name: str) -> None:
    await pilot.press("5")
    await scanned(pilot)
    table = app.query_one("#runs-table", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(name))
    await pilot.press("c")
    await pilot.pause()


def status(run_dir: Path) -> dict:
    return json.loads((run_dir / "status.json").read_text())


async def test_continue_a_stopped_run_then_a_finished_one(shared_data: Path,
                                                         tmp_path: Path) -> None:
    mnist, runs_dir = str(shared_data / "mnist"), tmp_path / "runs"
    run_dir = stopped_after_one_epoch(mnist, runs_dir)
    started: list = []

    def hook(message: object) -> None:
        if isinstance(message, TrainingStarted):
            started.append(message.event)

    app = CnnTuiApp(LaunchOptions(dataset=mnist, model="seed-mlp", runs_dir=runs_dir),
                    load_keras=False)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await pilot.pause()
        await press_c_on(pilot, app, run_dir.name)  # stopped: no question asked
        assert app.query_one("#tabs").active == "train-tab"
        await wait_until(pilot, lambda: not app.training, 120, "the continued run")
        # The curves began with the epoch trained before.
        assert [(e.initial_epoch, e.history["epoch"]) for e in started] == [(1, [1])]
        assert app.query_one(TrainingCurves).curves.epochs == [1, 2, 3]
        assert status(run_dir)["state"] == "finished"
        assert read_history(run_dir)["epoch"] == [1, 2, 3]

        await press_c_on(pilot, app, run_dir.name)  # finished: asks for the new total
        assert isinstance(app.screen, TextPromptScreen)
        field = app.screen.query_one(Input)
        assert field.value == "8"  # 5 more by default
        field.value = "3"
        await pilot.press("enter")
        await pilot.pause()
        assert not app.training  # not more than it has
        assert "must be more than 3" in list(app._notifications)[-1].message

        await press_c_on(pilot, app, run_dir.name)
        app.screen.query_one(Input).value = "4"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not app.training, 120, "the extended run")
        assert started[-1].initial_epoch == 3
        assert app.query_one(TrainingCurves).curves.epochs == [1, 2, 3, 4]
        assert read_history(run_dir)["epoch"] == [1, 2, 3, 4]
        resumes = json.loads((run_dir / "config.json").read_text())["resumes"]
        assert [(r["from_epoch"], r["epochs"]) for r in resumes] == [(1, 3), (3, 4)]


async def test_a_run_that_cannot_be_continued_is_one_message(tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    broken = runs_dir / "20260101-120000-broken"
    broken.mkdir(parents=True)
    (broken / "history.csv").write_text("epoch,loss\n1,0.5\n")  # listed, but no config.json
    app = CnnTuiApp(LaunchOptions(dataset="mnist", model="seed-mlp", runs_dir=runs_dir),
                    load_keras=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press_c_on(pilot, app, broken.name)
        await wait_until(pilot, lambda: not app.training, 30, "the refusal")
        notes = list(app._notifications)
        assert [n.title for n in notes] == ["Cannot continue"]
        assert "is not a run directory" in notes[0].message
        assert "Traceback" not in notes[0].message
        state = str(app.query_one("#train-state").render())
        assert "is not a run directory" in state


async def test_continue_goes_on_with_the_schedule_and_the_early_stopping_counter(
    shared_data: Path, tmp_path: Path
) -> None:
    """`c` takes the engine's resume path: the step schedule's rate and early stopping's
    best carry on, and the run ends at epoch 3 as it would have without the stop."""
    mnist, runs_dir = str(shared_data / "mnist"), tmp_path / "runs"
    stop = StopRequest()

    def emit(event: object) -> None:
        if isinstance(event, EpochEnded):
            stop.request("stopped")

    config = TrainConfig(dataset=mnist, model="seed-mlp", epochs=6, limit=300, seed=1,
                         runs_dir=runs_dir, learning_rate=0.001, lr_schedule="step",
                         lr_step_epochs=1, lr_decay=0.5, early_stop_patience=2,
                         early_stop_min_delta=10.0)
    outcome = run_training(config, emit, stop)
    assert outcome.run_dir is not None and outcome.epochs_done == 1
    run_dir = outcome.run_dir

    app = CnnTuiApp(LaunchOptions(dataset=mnist, model="seed-mlp", runs_dir=runs_dir),
                    load_keras=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press_c_on(pilot, app, run_dir.name)
        await wait_until(pilot, lambda: not app.training, 120, "the continued run")
        assert status(run_dir)["message"] == "early stop at epoch 3; best epoch 1 restored"
        assert read_history(run_dir)["learning_rate"] == pytest.approx(
            [0.001, 0.0005, 0.00025], rel=1e-6)
        state = str(app.query_one("#train-state").render())
        assert state.startswith("finished: early stop at epoch 3; best epoch 1 restored")
