"""The runs listing, record by record, and the exported CSV, cell by cell."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.index import RunRecord, export_histories, list_runs, read_run
from cnn_tui.core.runs.rundir import boot_id


def make_run(folder: Path, config: dict[str, Any], status: dict[str, Any] | None = None,
             history: str | None = None, checkpoint: bool = False) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(config))
    if status is not None:
        (folder / "status.json").write_text(json.dumps(status))
    if history is not None:
        (folder / "history.csv").write_text(history)
    if checkpoint:
        (folder / "checkpoint.keras").write_bytes(b"")
    return folder


LIVE = {"state": "running", "pid": os.getpid(), "host": socket.gethostname(),
        "boot_id": boot_id(), "started_at": "2026-01-01T10:00:00"}


def test_a_live_run_is_listed_with_its_process(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        listed_with_its_process(tmp_path, child.pid)
        assert child.poll() is None
    finally:
        child.kill()
        child.wait()


def listed_with_its_process(tmp_path: Path, pid: int) -> None:
    run = make_run(tmp_path / "r1", {
        "dataset": {"name": "fashion", "source": "fashion_mnist"}, "model": {"name": "lenet5"},
        "augmentation": {"horizontal_flip": True}, "epochs": 4, "created": "2026-01-01T09:59:59",
    }, {**LIVE, "pid": pid}, "epoch,loss,val_accuracy\n1,0.5,0.7\n2,0.4,\n3,0.3,0.8\n",
        checkpoint=True)
    assert read_run(run) == RunRecord(
        name="r1", path=run, dataset="fashion", model="lenet5", augmentation="hflip",
        epochs_planned=4, epochs_done=3, best_val_accuracy=0.8, state="running",
        created="2026-01-01T09:59:59", pid=pid, host=socket.gethostname(),
        resumable=True,
    )


def test_a_run_with_only_a_config_is_listed_with_what_it_has(tmp_path: Path) -> None:
    run = make_run(tmp_path / "r2", {"dataset": "mnist", "model": "seed-cnn"})
    assert read_run(run) == RunRecord("r2", run, "mnist", "seed-cnn", "none", None, 0, None,
                                      "unknown", "")


def test_missing_names_and_times_read_as_question_marks_and_the_start(tmp_path: Path) -> None:
    status = {key: value for key, value in LIVE.items() if key not in ("pid", "host")}
    status["state"] = "stopped"
    run = make_run(tmp_path / "r3", {"dataset": {}, "model": {}, "augmentation": {"x": 1}},
                   status)
    record = read_run(run)
    assert record is not None
    assert (record.dataset, record.model, record.augmentation) == ("?", "?", "?")
    assert (record.created, record.pid, record.host) == ("2026-01-01T10:00:00", None, "")
    assert read_run(make_run(tmp_path / "r3b", {"created": ""}, {"started_at": ""})).created == ""
    assert (record.state, record.resumable, record.best_val_accuracy) == ("stopped", False, None)


def test_an_unreadable_run_is_listed_with_its_reason(tmp_path: Path) -> None:
    run = make_run(tmp_path / "r4", {"epochs": "x"})
    assert read_run(run) == RunRecord(
        "r4", run, "?", "?", "?", None, 0, None, "unreadable", "",
        'config.json: epochs is the string "x", not a whole number',
    )


def test_a_history_with_rows_it_cannot_read_is_listed_with_the_others(tmp_path: Path) -> None:
    """A cell over the csv module's limit once crashed the whole listing."""
    history = "epoch,loss\n1," + "9" * 200_000 + "\n2,0.5\ninf,0.4\n"
    run = make_run(tmp_path / "r5", {}, history=history)
    record = read_run(run)
    assert record is not None and (record.state, record.epochs_done) == ("unknown", 1)
    export_histories([run], tmp_path / "x.csv")
    assert (tmp_path / "x.csv").read_text().splitlines() == ["run,epoch,loss", "r5,2,0.5"]


def test_a_folder_without_config_is_not_a_run(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    assert read_run(tmp_path / "notes") is None


@pytest.mark.parametrize(
    ("state", "pid", "resumable", "text"),
    [
        ("running", 12, False, "running (pid 12, box)"),
        ("running", None, True, "running"),
        ("interrupted", 12, True, "interrupted (resumable)"),
        ("stopped", None, True, "stopped (resumable)"),
        ("failed", None, True, "failed (resumable)"),
        ("failed", None, False, "failed"),
        ("finished", 12, True, "finished"),
    ],
)
def test_the_state_as_listed(state: str, pid: int | None, resumable: bool, text: str) -> None:
    record = RunRecord("r", Path("r"), "d", "m", "none", 1, 1, None, state, "", pid=pid,
                       host="box", resumable=resumable)
    assert record.state_text == text


def test_runs_are_listed_oldest_first_and_files_are_skipped(tmp_path: Path) -> None:
    for name in ("20260102-b", "20260101-a"):
        make_run(tmp_path / name, {"dataset": "mnist"})
    (tmp_path / "20260103-file").write_text("{}")
    assert [r.name for r in list_runs(tmp_path)] == ["20260101-a", "20260102-b"]


def test_a_runs_folder_that_cannot_be_listed_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path) -> None:
        raise OSError("no listing today")

    monkeypatch.setattr(Path, "iterdir", refuse)
    with pytest.raises(CnnTuiError) as info:
        list_runs(tmp_path)
    assert str(info.value) == (f"cannot list the runs folder {tmp_path} (no listing today); "
                               "check its permissions or pass another --runs-dir.")


def test_the_export_holds_every_run_and_column(tmp_path: Path) -> None:
    a = make_run(tmp_path / "a", {}, history="epoch,loss,val_loss\n1,0.5,0.6\n2,0.25,0.5\n")
    b = make_run(tmp_path / "b", {}, history="epoch,accuracy,loss,val_accuracy\n1,0.75,2.0,0.5\n")
    empty = make_run(tmp_path / "c", {})  # stopped in its first epoch: no rows yet
    out = export_histories([a, b, empty], tmp_path / "all.csv")
    assert out == tmp_path / "all.csv"
    with out.open(newline="") as file:
        assert list(csv.reader(file)) == [
            ["run", "epoch", "loss", "accuracy", "val_loss", "val_accuracy"],
            ["a", "1", "0.5", "", "0.6", ""],
            ["a", "2", "0.25", "", "0.5", ""],
            ["b", "1", "2.0", "0.75", "", "0.5"],
        ]


def test_exporting_a_folder_that_is_no_run_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(CnnTuiError) as info:
        export_histories([tmp_path / "nothing"], tmp_path / "x.csv")
    assert str(info.value) == (f"{tmp_path / 'nothing'} is not a run directory (no history.csv); "
                               "pass folders made by cnn-tui train, e.g. runs/<date>-<name>.")
    only_history = tmp_path / "h"
    only_history.mkdir()
    (only_history / "history.csv").write_text("epoch,loss\n1,0.5\n")
    export_histories([only_history], tmp_path / "h.csv")
    assert (tmp_path / "h.csv").read_text().splitlines() == ["run,epoch,loss", "h,1,0.5"]


@pytest.mark.parametrize(
    ("error", "shown"),
    [(PermissionError(13, "Permission denied"), "Permission denied"),
     (OSError("disk unplugged"), "disk unplugged")],
)
def test_an_export_that_cannot_be_written_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, shown: str
) -> None:
    run = make_run(tmp_path / "r", {}, history="epoch,loss\n1,0.5\n")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise error

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(CnnTuiError) as info:
        export_histories([run], tmp_path / "out.csv")
    assert str(info.value) == (f"cannot write {tmp_path / 'out.csv'} ({shown}); "
                               "pick a writable path for the CSV.")
