"""The run directory: names, atomic JSON, history rows that survive a kill, listing, export."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.history import HistoryWriter, order_columns, read_history
from cnn_tui.core.runs.index import export_histories, list_runs
from cnn_tui.core.runs.rundir import create_run_dir, update_status, write_config

NOW = datetime(2026, 11, 25, 18, 15, 0)


def test_run_dir_names_are_dated_sanitised_and_unique(tmp_path: Path) -> None:
    first = create_run_dir(tmp_path / "runs", "seed cnn/mnist?", now=NOW)
    second = create_run_dir(tmp_path / "runs", "seed cnn/mnist?", now=NOW)
    assert first.name == "20261125-181500-seed-cnn-mnist"
    assert second.name == "20261125-181500-seed-cnn-mnist-2"
    assert first.is_dir() and second.is_dir()
    assert create_run_dir(tmp_path, "../..", now=NOW).parent == tmp_path


def test_column_order_follows_keras_logs() -> None:
    names = {"val_accuracy", "learning_rate", "loss", "val_loss", "accuracy", "auc", "val_auc"}
    assert order_columns(names) == [
        "loss",
        "accuracy",
        "auc",
        "val_loss",
        "val_accuracy",
        "val_auc",
        "learning_rate",
    ]


def _logs(epoch: int) -> dict[str, float]:
    return {
        "val_loss": 1 / epoch,
        "accuracy": 0.5 + epoch / 100,
        "loss": 2 / epoch,
        "val_accuracy": 0.6 + epoch / 100,
        "learning_rate": 0.001,
    }


def test_history_rows_read_back(tmp_path: Path) -> None:
    writer = HistoryWriter(tmp_path / "history.csv")
    for epoch in (1, 2, 3):
        writer.append(epoch, _logs(epoch))
    header = (tmp_path / "history.csv").read_text().splitlines()[0]
    assert header == "epoch,loss,accuracy,val_loss,val_accuracy,learning_rate"
    history = read_history(tmp_path)
    assert history["epoch"] == [1, 2, 3]
    assert history["loss"] == pytest.approx([2.0, 1.0, 2 / 3])
    assert history["val_accuracy"] == pytest.approx([0.61, 0.62, 0.63])


def test_a_new_metric_widens_the_header(tmp_path: Path) -> None:
    writer = HistoryWriter(tmp_path / "history.csv")
    writer.append(1, {"loss": 1.0})
    writer.append(2, {"loss": 0.5, "val_loss": 0.7})
    history = read_history(tmp_path)
    assert history["loss"] == [1.0, 0.5]
    assert math.isnan(history["val_loss"][0]) and history["val_loss"][1] == 0.7


def test_a_truncated_last_line_is_dropped(tmp_path: Path) -> None:
    writer = HistoryWriter(tmp_path / "history.csv")
    writer.append(1, _logs(1))
    writer.append(2, _logs(2))
    with (tmp_path / "history.csv").open("a") as file:
        file.write("3,0.66,0.5")  # a kill in the middle of a write
    assert read_history(tmp_path)["epoch"] == [1, 2]
    assert read_history(tmp_path / "nowhere") == {}


def test_rows_survive_a_killed_writer(tmp_path: Path) -> None:
    # The writer process dies (SIGKILL, no clean-up) after its second row.
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from cnn_tui.core.runs.history import HistoryWriter\n"
        "w = HistoryWriter(Path(sys.argv[1]) / 'history.csv')\n"
        "w.append(1, {'loss': 1.0, 'val_loss': 2.0})\n"
        "w.append(2, {'loss': 0.5, 'val_loss': 1.5})\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=False)
    assert result.returncode == -9
    assert read_history(tmp_path) == {"epoch": [1, 2], "loss": [1.0, 0.5], "val_loss": [2.0, 1.5]}


def test_status_keeps_start_time_and_sets_finish(tmp_path: Path) -> None:
    first = update_status(tmp_path, state="running", epochs_planned=3)
    assert first["finished_at"] is None and first["pid"] == os.getpid()
    final = update_status(tmp_path, state="stopped", epochs_done=1, message="stopped")
    assert final["started_at"] == first["started_at"]
    assert final["finished_at"] is not None
    on_disk = json.loads((tmp_path / "status.json").read_text())
    assert on_disk["state"] == "stopped" and on_disk["epochs_planned"] == 3
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]  # no temp files left
    with pytest.raises(ValueError):
        update_status(tmp_path, state="exploded")


def _fake_run(runs: Path, name: str, accuracies: list[float], state: str) -> Path:
    run_dir = create_run_dir(runs, name, now=NOW)
    write_config(
        run_dir,
        {
            "name": run_dir.name,
            "created": "2026-11-25T18:15:00",
            "dataset": {"name": "mnist"},
            "model": {"name": "seed-cnn"},
            "augmentation": {
                "width_shift_range": 0.1,
                "height_shift_range": 0.1,
                "horizontal_flip": True,
            },
            "epochs": 5,
        },
    )
    writer = HistoryWriter(run_dir / "history.csv")
    for epoch, accuracy in enumerate(accuracies, 1):
        writer.append(epoch, {"loss": 1.0 / epoch, "val_accuracy": accuracy, "val_loss": 0.3})
    update_status(run_dir, state=state, epochs_done=len(accuracies))
    return run_dir


def test_list_runs_skips_junk(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    _fake_run(runs, "a", [0.9, 0.95, 0.93], "finished")
    (runs / "notes").mkdir()
    (runs / "broken").mkdir()
    (runs / "broken" / "config.json").write_text("{not json")
    (runs / "README.txt").write_text("hello")
    records = list_runs(runs)
    # Junk is skipped; a run whose config is broken is listed as unreadable, not hidden.
    assert [(r.name, r.state) for r in records[1:]] == [("broken", "unreadable")]
    record = records[0]
    assert (record.dataset, record.model, record.state) == ("mnist", "seed-cnn", "finished")
    assert record.augmentation == "shift 0.1x0.1, hflip"
    assert (record.epochs_planned, record.epochs_done) == (5, 3)
    assert record.best_val_accuracy == pytest.approx(0.95)
    assert list_runs(tmp_path / "absent") == []


def test_a_running_run_whose_process_died_reads_interrupted(tmp_path: Path) -> None:
    run_dir = _fake_run(tmp_path, "a", [0.5], "running")
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    update_status(run_dir, pid=int(dead.stdout))
    assert list_runs(tmp_path)[0].state == "interrupted"


def test_export_has_run_column_first_and_union_of_columns(tmp_path: Path) -> None:
    a = _fake_run(tmp_path / "runs", "a", [0.9, 0.95], "finished")
    b = create_run_dir(tmp_path / "runs", "b", now=NOW)
    HistoryWriter(b / "history.csv").append(1, {"loss": 2.0, "accuracy": 0.4})
    out = export_histories([a, b], tmp_path / "all.csv")
    with out.open() as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["run", "epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert [row[:2] for row in rows[1:]] == [[a.name, "1"], [a.name, "2"], [b.name, "1"]]
    assert rows[3][4:] == ["", ""]
    with pytest.raises(CnnTuiError, match="is not a run directory"):
        export_histories([tmp_path / "nothing"], tmp_path / "x.csv")
