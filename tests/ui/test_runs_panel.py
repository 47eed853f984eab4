"""The Runs panel on its own: list, select two, overlay, export, open, refresh.

The run folders here are written with the engine's own writers (run_folders.py:
create_run_dir, write_config, HistoryWriter, update_status). Their per-epoch numbers
are KNOWN TEST VALUES chosen to check the overlay and export mechanics, not results of
training; the real-training flow is covered by the app's training tests.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input

from cnn_tui.core.augment_config import NO_AUGMENT, SEED_AUGMENT
from cnn_tui.core.runs import history, rundir
from cnn_tui.ui.panels.runs_panel import RunsPanel
from cnn_tui.ui.screens.export import ExportScreen
from cnn_tui.ui.widgets.run_overlay import RunOverlay
from tests.ui.run_folders import scanned, write_run

# Known values for the mechanics tests (not training results).
KNOWN_LOGS = {
    "plain": [
        {"loss": 0.9, "accuracy": 0.70, "val_loss": 0.8, "val_accuracy": 0.75},
        {"loss": 0.5, "accuracy": 0.85, "val_loss": 0.6, "val_accuracy": 0.80},
        {"loss": 0.3, "accuracy": 0.92, "val_loss": 0.7, "val_accuracy": 0.78},
    ],
    "augmented": [
        {"loss": 1.1, "accuracy": 0.60, "val_loss": 0.9, "val_accuracy": 0.70},
        {"loss": 0.7, "accuracy": 0.78, "val_loss": 0.6, "val_accuracy": 0.81},
    ],
}


def make_runs_dir(root: Path, dataset: str = "../shared/data/mnist") -> tuple[Path, Path, Path]:
    runs_dir = root / "runs"
    plain = write_run(runs_dir, 0, NO_AUGMENT, KNOWN_LOGS["plain"], 3, "finished", dataset)
    augmented = write_run(runs_dir, 5, SEED_AUGMENT, KNOWN_LOGS["augmented"], 4, "stopped",
                          dataset)
    broken = runs_dir / "20260101-130000-killed-early"
    broken.mkdir()
    (broken / history.HISTORY_FILE).write_text("epoch,loss\n1,0.5\n2,0.")  # cut mid-row
    (runs_dir / "notes").mkdir()  # not a run: not listed
    return runs_dir, plain, augmented


class RunsApp(App[None]):
    def __init__(self, runs_dir: Path) -> None:
        super().__init__()
        self.runs_dir = runs_dir
        self.opened: list[dict] = []

    def compose(self) -> ComposeResult:
        yield RunsPanel(self.runs_dir)

    def on_runs_panel_open_config(self, message: RunsPanel.OpenConfig) -> None:
        self.opened.append(message.config)


async def test_select_two_overlay_export_and_open(tmp_path: Path) -> None:
    runs_dir, plain, augmented = make_runs_dir(tmp_path)
    app = RunsApp(runs_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await scanned(pilot)
        panel = app.query_one(RunsPanel)
        table = app.query_one(DataTable)
        assert table.row_count == 3
        assert [row.name for row in panel.rows[:2]] == [plain.name, augmented.name]
        plain_row = table.get_row(plain.name)
        assert str(plain_row[2]) == "finished" and str(plain_row[3]) == "0.8000"
        assert [str(cell) for cell in plain_row[4:7]] == ["3/3", "mnist", "seed-mlp"]
        assert str(table.get_row(augmented.name)[7]) == "shift 0.1x0.1, hflip"
        assert str(table.get_row("20260101-130000-killed-early")[2]) == "broken"

        table.focus()
        await pilot.press("down", "down")
        status = str(app.query_one("#runs-status").render())
        assert "killed-early: no config.json" in status  # the broken row says why
        await pilot.press("up", "up", "space", "down", "space")
        await pilot.pause()
        assert panel.selected == [plain.name, augmented.name]
        assert str(table.get_row(plain.name)[0]) == "●1"
        overlay = app.query_one(RunOverlay)
        assert [len(run.history["epoch"]) for run in overlay.runs] == [3, 2]
        labels = [series.label for series in overlay.series]
        # Same name, told apart by their augmentation (the tutorial's comparison).
        assert labels == ["1 seed-mlp-mnist (aug none) train", "1 seed-mlp-mnist (aug none) val",
                          "2 seed-mlp-mnist (aug shift 0.1x0.1, hflip) train",
                          "2 seed-mlp-mnist (aug shift 0.1x0.1, hflip) val"]
        assert overlay.series[1].ys == [0.75, 0.80, 0.78]  # val_accuracy of the plain run
        assert overlay.series[0].color != overlay.series[2].color  # one colour per run
        await pilot.press("l")
        assert overlay.metric == "loss" and overlay.series[0].ys == [0.9, 0.5, 0.3]

        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        field = app.screen.query_one("#export-path", Input)
        assert Path(field.value).parent == runs_dir and field.value.endswith(".csv")
        field.value = str(tmp_path / "missing-folder" / "x.csv")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)  # stays open, says why
        assert "does not exist" in str(app.screen.query_one("#export-error").render())
        out = tmp_path / "both.csv"
        field.value = str(out)
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        with out.open() as file:
            rows = list(csv.reader(file))
        assert rows[0] == ["run", "epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
        assert [row[0] for row in rows[1:]] == [plain.name] * 3 + [augmented.name] * 2
        assert rows[4][1:] == ["1", "1.1", "0.6", "0.9", "0.7"]
        assert any(str(out) in str(n.message) for n in app._notifications)

        await pilot.press("o")
        await pilot.pause()
        assert app.opened[-1]["augmentation"] == SEED_AUGMENT.to_dict()  # cursor on row 2
        await pilot.press("up", "enter")  # enter opens too
        await pilot.pause()
        assert len(app.opened) == 2 and app.opened[-1]["augmentation"] == NO_AUGMENT.to_dict()


async def test_refresh_keeps_selection_and_shows_new_runs(tmp_path: Path) -> None:
    runs_dir, plain, _ = make_runs_dir(tmp_path)
    app = RunsApp(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await scanned(pilot)
        panel = app.query_one(RunsPanel)
        app.query_one(DataTable).focus()
        await pilot.press("space")
        newer = write_run(runs_dir, 30, NO_AUGMENT, KNOWN_LOGS["plain"][:1], 5, "running")
        gone = subprocess.Popen(["true"])
        gone.wait()
        rundir.update_status(newer, pid=gone.pid)  # its process has exited
        alive = write_run(runs_dir, 31, NO_AUGMENT, KNOWN_LOGS["plain"][:1], 5, "running")
        await pilot.press("R")
        await scanned(pilot)
        assert newer.name in [row.name for row in panel.rows]
        assert panel.selected == [plain.name]
        table = app.query_one(DataTable)
        # A dead process's "running" run is reported as interrupted, a live one with its pid.
        assert table.get_row(newer.name)[2].plain == "interrupted"
        assert table.get_row(alive.name)[2].plain == (
            f"running (pid {os.getpid()}, {socket.gethostname()})")


async def test_empty_or_missing_runs_dir_and_export_with_nothing(tmp_path: Path) -> None:
    app = RunsApp(tmp_path / "nothing-here")
    async with app.run_test(size=(80, 24)) as pilot:
        await scanned(pilot)
        panel = app.query_one(RunsPanel)
        assert panel.rows == []
        await pilot.press("e", "o", "space", "l")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        assert any("No runs to export" in str(n.message) for n in app._notifications)


async def test_through_the_real_app_overlay_export_and_reopen(
    shared_data: Path, tmp_path: Path
) -> None:
    from textual.widgets import Switch, TabbedContent

    from cnn_tui.ui.app import CnnTuiApp
    from cnn_tui.ui.options import LaunchOptions

    mnist = str(shared_data / "mnist")
    runs_dir, plain, augmented = make_runs_dir(tmp_path, dataset=mnist)
    app = CnnTuiApp(LaunchOptions(dataset=mnist, runs_dir=runs_dir), load_keras=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # A run that appears while another tab is shown is listed when the Runs tab opens.
        later = write_run(runs_dir, 40, NO_AUGMENT, KNOWN_LOGS["plain"][:1], 2, "stopped", mnist)
        app.query_one(TabbedContent).active = "runs-tab"
        await pilot.pause()
        await scanned(pilot)
        assert later.name in [row.name for row in app.query_one(RunsPanel).rows]
        table = app.query_one("#runs-table", DataTable)
        table.focus()
        await pilot.press("space", "down", "space")
        assert len(app.query_one(RunOverlay).series) == 4
        await pilot.press("e")  # the app's export key on the Runs tab: the selected runs
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        out = tmp_path / "overlay.csv"
        app.screen.query_one("#export-path", Input).value = str(out)
        await pilot.press("enter")
        await pilot.pause()
        with out.open() as file:
            runs_in_csv = [row[0] for row in csv.DictReader(file).reader if row][1:]
        assert set(runs_in_csv) == {plain.name, augmented.name}
        await pilot.press("enter")  # reopen the highlighted (augmented) run's settings
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.augment_config == SEED_AUGMENT
        # The Augment tab shows it: switched on, the tutorial's shifts in its fields.
        assert app.query_one("#augment-switch", Switch).value is True
        assert app.query_one("#augment-width_shift_range", Input).value == "0.1"


async def test_the_status_line_counts_in_words(tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    write_run(runs_dir, 0, NO_AUGMENT, KNOWN_LOGS["plain"], 3, "finished")
    app = RunsApp(runs_dir)
    async with app.run_test(size=(100, 24)) as pilot:
        await scanned(pilot)
        status = str(app.query_one("#runs-status").render())
        assert status.startswith("1 run · ") and "no augmentation" in status
