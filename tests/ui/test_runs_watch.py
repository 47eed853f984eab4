"""A run of another process (a real ``cnn-tui train`` on MNIST): listed with its pid, the list
refreshing itself while it runs, watched on the Train tab (`w`) and asked to stop (`s`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, DataTable

import cnn_tui
from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.options import LaunchOptions
from cnn_tui.ui.widgets.curves import TrainingCurves
from tests.ui.run_folders import scanned, wait_until

SOURCE_ROOT = Path(cnn_tui.__file__).resolve().parents[1]


@pytest.fixture
def other_process(shared_data: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, Path]]:
    """``cnn-tui train`` in its own process, and its run folder once it trains."""
    runs_dir = tmp_path / "runs"
    command = [sys.executable, "-m", "cnn_tui", "train", "--dataset", str(shared_data / "mnist"),
               "--model", "seed-mlp", "--limit", "2000", "--batch-size", "16", "--epochs", "40",
               "--runs-dir", str(runs_dir)]
    env = {**os.environ, "PYTHONPATH": str(SOURCE_ROOT)}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env)
    try:
        deadline = time.monotonic() + 120
        while True:
            found = [p.parent for p in runs_dir.glob("*/status.json")
                     if "progress" in json.loads(p.read_text() or "{}")]
            if found:
                break
            assert process.poll() is None, "cnn-tui train ended before it trained"
            assert time.monotonic() < deadline, "cnn-tui train did not start training"
            time.sleep(0.2)
        yield process, found[0]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def status(run_dir: Path) -> dict:
    return json.loads((run_dir / "status.json").read_text())


async def test_watch_a_run_of_another_process_and_stop_it(other_process, tmp_path: Path,
                                                          shared_data: Path) -> None:
    process, run_dir = other_process
    app = CnnTuiApp(LaunchOptions(dataset=str(shared_data / "mnist"), model="seed-mlp",
                                  runs_dir=run_dir.parent), load_keras=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("5")
        await scanned(pilot)
        table = app.query_one("#runs-table", DataTable)
        state_cell = lambda: str(table.get_row(run_dir.name)[2])  # noqa: E731
        epochs_cell = lambda: str(table.get_row(run_dir.name)[4])  # noqa: E731
        assert state_cell() == f"running (pid {process.pid}, {socket.gethostname()})"
        # The list reads the folder again by itself while a run runs: no key pressed.
        shown = epochs_cell()
        await wait_until(pilot, lambda: epochs_cell() != shown, 60, "the list to move on")

        await pilot.press("w")
        await pilot.pause()
        stop = app.query_one("#stop", Button)
        curves = lambda: app.query_one(TrainingCurves).curves  # noqa: E731 - replaced as it goes
        assert app.query_one("#tabs").active == "train-tab"
        assert app.run_state.watched == run_dir and not stop.disabled
        state = lambda: str(app.query_one("#train-state").render())  # noqa: E731
        stats = lambda: str(app.query_one("#train-stats").render())  # noqa: E731
        await wait_until(pilot, lambda: "epoch" in state() and "loss" in state(), 10,
                         "its progress")
        assert stats().startswith(
            f"watching {run_dir.name}, pid {process.pid} on {socket.gethostname()}")
        await wait_until(pilot, lambda: curves().running_x is not None, 10, "its batches")
        seen = len(curves().epochs)
        await wait_until(pilot, lambda: len(curves().epochs) > seen, 60, "its next epoch")
        assert curves().epochs == list(range(1, len(curves().epochs) + 1))

        await pilot.press("s")
        await wait_until(pilot, lambda: app.run_state.phase == "idle", 60, "the run to stop")
        assert stop.disabled
        asked = [n.message for n in app._notifications if n.title == "Stop"]
        assert asked == [f"Asked {run_dir.name} to stop: asked pid {process.pid} to stop "
                         "(SIGTERM and a stop request)."]
        assert process.wait(timeout=30) == 128 + 15  # cnn-tui train: stopped by SIGTERM
        final = status(run_dir)
        assert (final["state"], final["message"]) == ("stopped", "SIGTERM")
        assert state() == f"{run_dir.name} stopped after {final['epochs_done']} epochs: SIGTERM"
        assert curves().epochs == list(range(1, final["epochs_done"] + 1))
        await scanned(pilot)
        assert state_cell() == "stopped (resumable)"


async def test_a_run_starting_here_ends_the_watching(other_process, tmp_path: Path) -> None:
    process, run_dir = other_process
    app = CnnTuiApp(LaunchOptions(dataset="mnist", model="seed-mlp", runs_dir=run_dir.parent),
                    load_keras=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("5")
        await scanned(pilot)
        await pilot.press("w")
        state = lambda: str(app.query_one("#train-state").render())  # noqa: E731
        stats = lambda: str(app.query_one("#train-stats").render())  # noqa: E731
        await wait_until(pilot, lambda: "watching" in stats(), 10, "the first look at its files")
        app.dataset_source = str(tmp_path / "no-such-dataset")  # the run here fails at once
        await pilot.press("t")
        await wait_until(pilot, lambda: not app.training, 30, "the run here to end")
        assert app.run_state.watched is None
        assert not [w for w in app.workers if w.group == "watch" and w.is_running]
        await pilot.pause(1.0)  # later looks at the watched run change nothing
        assert "no-such-dataset" in state()
    assert process.poll() is None  # the other process trains on
