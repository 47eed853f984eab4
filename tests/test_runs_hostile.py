"""One broken run folder is listed as unreadable with its reason; the others keep working."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.index import export_histories, list_runs, read_run
from tests.run_files import write_good_run, write_hostile_runs


def test_hostile_run_folders_are_listed_as_unreadable_beside_a_good_run(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    good = write_good_run(runs)
    expected = write_hostile_runs(runs)
    (runs / "notes").mkdir()  # no config.json: not a run, not listed
    records = {record.name: record for record in list_runs(runs)}
    assert set(records) == {good.name, *expected}
    ok = records[good.name]
    assert (ok.state, ok.reason, ok.epochs_done, ok.best_val_accuracy) == ("finished", "", 1, 0.75)
    for name, fragment in expected.items():
        record = records[name]
        assert record.state == "unreadable", name
        assert fragment in record.reason, (name, record.reason)
        assert "\n" not in record.reason and len(record.reason) < 300


def test_a_config_that_is_a_folder_is_unreadable_too(tmp_path: Path) -> None:
    (tmp_path / "run" / "config.json").mkdir(parents=True)
    record = read_run(tmp_path / "run")
    assert record is not None and record.state == "unreadable"
    assert record.reason.startswith("config.json cannot be read")


def test_history_rows_that_are_not_epochs_are_dropped_not_fatal(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    good = write_good_run(runs)
    (good / "history.csv").write_text("epoch,loss\ninf,0.5\n,0.4\n1,0.3\n")
    record = read_run(good)
    assert record is not None and record.epochs_done == 1
    export_histories([good], tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text().splitlines()[1:] == [f"{good.name},1,0.3"]


def test_an_unwritable_export_is_a_cnn_tui_error(tmp_path: Path, monkeypatch) -> None:
    good = write_good_run(tmp_path / "runs")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(CnnTuiError, match="cannot write .*out.csv \\(Permission denied\\)"):
        export_histories([good], tmp_path / "out.csv")


def test_a_runs_folder_that_cannot_be_listed_is_a_cnn_tui_error(tmp_path: Path,
                                                                 monkeypatch) -> None:
    write_good_run(tmp_path / "runs")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", refuse)
    with pytest.raises(CnnTuiError, match="cannot list the runs folder .*Permission denied"):
        list_runs(tmp_path / "runs")
