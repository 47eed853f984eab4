"""Training from the TUI on real MNIST: queued start, live curves, history.csv, stop, quit."""

from __future__ import annotations

import csv
import json
import re
import time
from pathlib import Path

import pytest
from textual.widgets import Button, Input

from cnn_tui.core.runs.history import HISTORY_FILE
from cnn_tui.core.runs.rundir import STATUS_FILE
from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.messages import TrainingBatch
from cnn_tui.ui.options import LaunchOptions
from cnn_tui.ui.panels.train_panel import TrainPanel
from cnn_tui.ui.screens.confirm import ConfirmScreen
from cnn_tui.ui.widgets.curves import MetricPlot, TrainingCurves

LIMIT = 2000  # real MNIST training images per run: seconds per epoch on 2 CPU cores


def make_app(shared_data: Path, tmp_path: Path, *, epochs: int, **kwargs) -> CnnTuiApp:
    options = LaunchOptions(dataset=str(shared_data / "mnist"), model="seed-mlp",
                            epochs=epochs, limit=LIMIT, runs_dir=tmp_path / "runs")
    return CnnTuiApp(options, **kwargs)


async def wait_until(pilot, condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.1)


def status(run_dir: Path) -> dict:
    return json.loads((run_dir / STATUS_FILE).read_text())


async def test_train_seed_mlp_on_real_mnist(shared_data: Path, tmp_path: Path) -> None:
    app = make_app(shared_data, tmp_path, epochs=2)
    batches: list[float] = []

    def record_batches(message) -> None:
        # Every batch-progress message the worker posted, as an x on the epoch axis.
        if isinstance(message, TrainingBatch):
            event = message.event
            batches.append(event.epoch - 1 + event.step / event.steps)

    async with app.run_test(size=(120, 40), message_hook=record_batches) as pilot:
        # `t` right away, while TensorFlow may still be loading: the run is queued.
        await pilot.press("t")
        await pilot.pause()
        # With TensorFlow already imported (earlier tests in this process) the
        # whole small run can end within that pause: then it has a run directory.
        assert app.training or app.last_run_dir is not None, (
            f"t did not start a run: focus={app.focused!r}, "
            f"state={app.query_one('#train-state').render()!s}"
        )
        if app.start_pending:
            assert "waiting for TensorFlow" in str(app.query_one("#train-state").render())
        curves = app.query_one(TrainingCurves)
        if app.training and not app.start_pending:
            assert app.query_one("#stop", Button).disabled is False
            assert app.query_one("#start", Button).disabled is True
        await wait_until(pilot, lambda: not app.training)

        assert app.keras_ready and "TensorFlow ready" in app.sub_title
        run_dir = app.last_run_dir
        assert run_dir is not None and run_dir.parent == tmp_path / "runs"
        assert status(run_dir)["state"] == "finished"
        # The seed field was left empty: a random seed, recorded with the run.
        options = json.loads((run_dir / "config.json").read_text())["options"]
        assert isinstance(options["seed"], int)
        with (run_dir / HISTORY_FILE).open() as file:
            rows = list(csv.DictReader(file))
        assert [int(row["epoch"]) for row in rows] == [1, 2]

        # One curve point per epoch, train and validation, equal to history.csv.
        assert curves.curves.epochs == [1, 2]
        assert curves.curves.history["val_accuracy"] == pytest.approx(
            [float(row["val_accuracy"]) for row in rows])
        accuracy = app.query_one("#accuracy-plot", MetricPlot)
        assert [s.label for s in accuracy.series] == ["train", "val"]
        assert all(len(s.xs) == 2 for s in accuracy.series)
        assert "best epoch" in accuracy.plt._active.monitor.title  # the best epoch is marked
        stats = str(app.query_one("#train-stats").render())
        assert "train-val gap" in stats and "best epoch" in stats
        assert "finished 2 epochs" in str(app.query_one("#train-state").render())
        # The compute line: the replicas (one on this box unless it has several GPUs),
        # each replica's share of the batch and the devices.
        compute = str(app.query_one("#train-compute").render())
        assert re.match(r"replicas \d+ x \d+ images \([A-Z]+:\d[^)]*\)( · |$)", compute), compute
        # The running point was drawn inside the run while it trained.
        assert batches and all(0 < x <= 2 for x in batches)
        # The Runs tab lists the new run (read again in a thread at the run's end).
        runs_panel = app.query_one("#runs-panel")
        await wait_until(pilot, lambda: [row.name for row in runs_panel.rows] == [run_dir.name],
                         timeout=10)
        assert str(runs_panel.query_one("#runs-table").get_row_at(0)[1]) == run_dir.name
        assert not app.query_one("#start", Button).disabled

        # `e` off the Runs tab exports the last run's history to the path given.
        await pilot.press("e")
        await pilot.pause()
        target = tmp_path / "last-run.csv"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        with target.open() as file:
            exported = list(csv.DictReader(file))
        assert [row["run"] for row in exported] == [run_dir.name] * 2
        assert [row["val_accuracy"] for row in exported] == [row["val_accuracy"] for row in rows]


async def test_stop_saves_the_run(shared_data: Path, tmp_path: Path) -> None:
    app = make_app(shared_data, tmp_path, epochs=50, load_keras=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#tabs").active = "train-tab"
        await pilot.pause()
        app.query_one("#start", Button).press()
        panel = app.query_one(TrainPanel)
        await wait_until(pilot, lambda: panel.query_one(TrainingCurves).curves.running_x
                         is not None)
        await pilot.press("s")
        await wait_until(pilot, lambda: not app.training, timeout=30)
        run_dir = app.last_run_dir
        assert run_dir is not None
        assert status(run_dir)["state"] == "stopped"
        assert (run_dir / "model.keras").is_file()
        assert "stopped after" in str(app.query_one("#train-state").render())
        await pilot.press("s")  # nothing to stop: a notice, no crash
        await pilot.pause()


async def test_quit_while_training_asks_then_stops_and_saves(shared_data: Path,
                                                             tmp_path: Path) -> None:
    app = make_app(shared_data, tmp_path, epochs=50, load_keras=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        panel = app.query_one(TrainPanel)
        await wait_until(pilot, lambda: panel.query_one(TrainingCurves).curves.running_x
                         is not None)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and app.training
        await pilot.press("q")
        await pilot.pause()
        started = time.monotonic()
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, timeout=20)
        # The run stops at a batch edge, far before its 50 epochs end (minutes); the
        # bound leaves room for a loaded machine (4.1 s seen in a full suite run).
        assert time.monotonic() - started < 8
    run_dir = app.last_run_dir
    assert run_dir is not None
    deadline = time.monotonic() + 30
    while status(run_dir)["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status(run_dir)["state"] == "stopped"


async def test_bad_settings_refuse_to_start(tmp_path: Path) -> None:
    options = LaunchOptions(dataset="mnist", model="seed-mlp", runs_dir=tmp_path / "runs")
    app = CnnTuiApp(options, load_keras=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#tabs").active = "train-tab"
        await pilot.pause()
        app.query_one("#epochs", Input).value = "zero"
        await pilot.pause()
        assert "epochs" in str(app.query_one("#settings-error").render())
        app.query_one("#start", Button).focus()
        await pilot.press("t")
        await pilot.pause()
        assert not app.training
        assert any("training settings" in (n.title or "") for n in app._notifications)
