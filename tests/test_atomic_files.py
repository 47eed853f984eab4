"""A run's files are replaced whole, durably, readable by others; status.json's life cycle."""

from __future__ import annotations

import errno
import json
import os
import socket
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs import files, rundir
from cnn_tui.core.runs.files import (
    TEMP_PREFIX,
    read_json,
    remove_stale_temps,
    replace_atomically,
    write_json_atomic,
    write_with_temp,
)
from cnn_tui.core.runs.rundir import (
    boot_id,
    create_run_dir,
    process_identity,
    read_config,
    sanitize_name,
    update_status,
    write_config,
)


class Fsyncs:
    """Records which files os.fsync was given: a regular file or a folder."""

    def __init__(self) -> None:
        self.kinds: list[str] = []

    def __call__(self, fd: int) -> None:
        self.kinds.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> Fsyncs:
    spy = Fsyncs()
    monkeypatch.setattr(files.os, "fsync", spy)
    return spy


def test_a_replaced_file_is_synced_then_its_folder(tmp_path: Path, fsyncs: Fsyncs) -> None:
    replace_atomically(tmp_path / "a.txt", b"one")
    assert fsyncs.kinds == ["file", "folder"]
    write_json_atomic(tmp_path / "b.json", {"a": 1})
    assert fsyncs.kinds == ["file", "folder"] * 2
    replace_atomically(tmp_path / "a.txt", b"two", durable=False)
    write_json_atomic(tmp_path / "b.json", {"a": 2}, durable=False)
    assert fsyncs.kinds == ["file", "folder"] * 2, "progress writes skip the fsyncs"
    assert (tmp_path / "a.txt").read_bytes() == b"two"


def test_status_is_durable_unless_asked_not_to_be(tmp_path: Path, fsyncs: Fsyncs) -> None:
    update_status(tmp_path, state="running")
    assert fsyncs.kinds == ["file", "folder"]
    update_status(tmp_path, durable=False, progress={"batch": 3})
    assert fsyncs.kinds == ["file", "folder"]


def test_a_replaced_file_is_readable_by_others(tmp_path: Path) -> None:
    replace_atomically(tmp_path / "status.json", b"{}")
    assert stat.S_IMODE((tmp_path / "status.json").stat().st_mode) == 0o644


def test_the_temporary_file_sits_beside_the_target_named_for_cleanup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []
    real_replace = os.replace

    def replace(source: str, target: Path) -> None:
        seen.append(Path(source))
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", replace)
    replace_atomically(tmp_path / "status.json", b"{}")
    (temp,) = seen
    assert temp.parent == tmp_path
    assert temp.name.startswith(f"{TEMP_PREFIX}status.json.")


def test_a_failed_replace_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "config.json"
    target.write_text("old")

    def replace(source: str, target: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(OSError, match="No space left"):
        replace_atomically(target, b"new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]


def test_json_is_written_indented_and_anything_else_as_text(tmp_path: Path) -> None:
    write_json_atomic(tmp_path / "c.json", {"dir": tmp_path, "n": [1]})
    assert (tmp_path / "c.json").read_text() == (
        f'{{\n  "dir": "{tmp_path}",\n  "n": [\n    1\n  ]\n}}\n'
    )


def test_a_file_written_by_a_callback_arrives_whole(tmp_path: Path, fsyncs: Fsyncs) -> None:
    target = tmp_path / "model.keras"
    names: list[str] = []

    def write(path: Path) -> None:
        names.append(path.name)
        assert path.parent == tmp_path
        path.write_bytes(b"weights")

    write_with_temp(target, write)
    assert names == [f"{TEMP_PREFIX}{os.getpid()}-model.keras"]  # keeps the .keras suffix
    assert target.read_bytes() == b"weights"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]
    assert fsyncs.kinds == ["file", "folder"]


def test_a_callback_that_fails_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "model.keras"
    target.write_bytes(b"old")

    def write(path: Path) -> None:
        path.write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_with_temp(target, write)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def test_stale_temporaries_are_cleared_and_nothing_else(tmp_path: Path) -> None:
    for name in (f"{TEMP_PREFIX}status.json.x1", f"{TEMP_PREFIX}1-model.keras", "history.csv"):
        (tmp_path / name).write_text("x")
    (tmp_path / f"{TEMP_PREFIX}folder").mkdir()  # cannot be unlinked: skipped, not fatal
    remove_stale_temps(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{TEMP_PREFIX}folder", "history.csv"]
    remove_stale_temps(tmp_path / "missing")


def test_config_round_trips(tmp_path: Path) -> None:
    config = {"name": "r", "dataset": {"name": "mnist"}, "epochs": 2, "learning_rate": 0.001}
    write_config(tmp_path, config)
    assert read_config(tmp_path) == config
    assert read_json(tmp_path / "config.json") == config
    assert read_config(tmp_path / "missing") is None


# --- run folder names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("seed cnn/mnist?", "seed-cnn-mnist"),
        ("CNN_v2.1", "CNN_v2.1"),
        ("..hidden..", "hidden"),
        ("--x--", "x"),
        ("é", "run"),
        ("", "run"),
        ("a" * 100, "a" * 80),
    ],
)
def test_a_run_name_becomes_a_safe_folder_name(name: str, folder: str) -> None:
    assert sanitize_name(name) == folder


def test_run_folders_are_created_with_their_parents(tmp_path: Path) -> None:
    now = datetime(2026, 1, 2, 3, 4, 5)
    run = create_run_dir(tmp_path / "a" / "runs", "x", now=now)
    assert run == tmp_path / "a" / "runs" / "20260102-030405-x" and run.is_dir()


def test_a_runs_folder_that_cannot_be_made_says_how_to_fix_it(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(CnnTuiError) as info:
        create_run_dir(tmp_path / "file" / "runs", "x")
    assert str(info.value) == (f"Cannot create the runs folder {tmp_path / 'file' / 'runs'} "
                               "(Not a directory); pass a writable folder with --runs-dir.")


def test_a_run_folder_that_cannot_be_made_says_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_mkdir = Path.mkdir

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("exist_ok"):  # the runs folder itself exists
            return real_mkdir(self, *args, **kwargs)
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", mkdir)
    with pytest.raises(CnnTuiError) as info:
        create_run_dir(tmp_path, "x")
    assert str(info.value) == (f"Cannot create a run folder in {tmp_path} (Permission denied); "
                               "pass a writable folder with --runs-dir.")


def test_the_thousandth_run_of_a_name_in_one_second_is_refused(tmp_path: Path) -> None:
    now = datetime(2026, 1, 2, 3, 4, 5)
    stem = "20260102-030405-x"
    (tmp_path / stem).mkdir()
    for attempt in range(2, 999):
        (tmp_path / f"{stem}-{attempt}").mkdir()
    assert create_run_dir(tmp_path, "x", now=now).name == f"{stem}-999"
    with pytest.raises(CnnTuiError) as info:
        create_run_dir(tmp_path, "x", now=now)
    assert str(info.value) == f"Too many runs named {stem} in {tmp_path}; choose another --name."


# --- status.json ------------------------------------------------------------------------------


def test_a_first_status_says_who_runs_it(tmp_path: Path) -> None:
    before = datetime.now().replace(microsecond=0)
    status = update_status(tmp_path, epochs_planned=3)
    started = datetime.fromisoformat(status.pop("started_at"))
    assert before <= started <= datetime.now()
    assert status.pop("updated_at") == started.isoformat()
    assert status == {"state": "running", "message": "", "epochs_done": 0, "epochs_planned": 3,
                      "test_metrics": {}, "finished_at": None, **process_identity()}
    assert json.loads((tmp_path / "status.json").read_text())["epochs_planned"] == 3


def test_the_process_identity_names_pid_host_and_boot() -> None:
    identity = process_identity()
    assert identity == {"pid": os.getpid(), "host": socket.gethostname(), "boot_id": boot_id()}
    assert len(boot_id()) == 36 and boot_id() == boot_id()  # a UUID, the same all boot long


def test_finishing_stamps_the_time_and_drops_the_progress(tmp_path: Path) -> None:
    update_status(tmp_path, progress={"batch": 3})
    assert update_status(tmp_path)["progress"] == {"batch": 3}
    done = update_status(tmp_path, state="stopped", message="stopped by you")
    assert "progress" not in done and done["finished_at"] == done["updated_at"]
    again = update_status(tmp_path, message="later note")
    assert again["finished_at"] == done["finished_at"], "the first finish time stays"
    resumed = update_status(tmp_path, state="running")
    assert resumed["finished_at"] is None
    assert read_json(tmp_path / "status.json") == resumed


def test_an_unknown_state_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^unknown run state 'done'$"):
        update_status(tmp_path, state="done")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_rewrites_the_status_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    (tmp_path / "old").mkdir()
    update_status(tmp_path / "old", state="running")

    def full(path: Path, data: Any, *, durable: bool = True) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(rundir, "write_json_atomic", full)
    for run in (tmp_path / "old", tmp_path):  # an existing status, and a first one
        status = update_status(run, state="failed", message="disk full")
        assert json.loads((run / "status.json").read_text()) == status
        assert status["state"] == "failed"


def test_another_write_error_is_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(path: Path, data: Any, *, durable: bool = True) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(rundir, "write_json_atomic", denied)
    with pytest.raises(PermissionError):
        update_status(tmp_path, state="failed")
    assert not (tmp_path / "status.json").exists()


def test_a_callback_that_fails_before_writing_keeps_its_own_error(tmp_path: Path) -> None:
    def write(path: Path) -> None:
        raise ValueError("the model cannot be saved")

    with pytest.raises(ValueError, match="the model cannot be saved"):
        write_with_temp(tmp_path / "model.keras", write)
    assert list(tmp_path.iterdir()) == []


def test_names_are_only_trimmed_of_dashes_and_dots() -> None:
    assert sanitize_name("Xception-X") == "Xception-X"
    assert sanitize_name("-.x.-") == "x"


def test_without_proc_the_boot_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(self: Path, *args: Any, **kwargs: Any) -> str:
        raise FileNotFoundError(self)

    monkeypatch.setattr(Path, "read_text", unreadable)
    assert boot_id() == ""


def test_the_first_finish_time_stays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    times = iter(f"2026-01-01T00:00:0{i}" for i in range(10))
    monkeypatch.setattr(rundir, "_timestamp", lambda: next(times))
    update_status(tmp_path)
    assert update_status(tmp_path, state="finished")["finished_at"] == "2026-01-01T00:00:01"
    later = update_status(tmp_path, message="note")
    assert (later["finished_at"], later["updated_at"]) == (
        "2026-01-01T00:00:01", "2026-01-01T00:00:02")


def test_a_status_rewritten_in_place_holds_any_value_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path, data: Any, *, durable: bool = True) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rundir, "write_json_atomic", full)
    update_status(tmp_path, state="failed", message=tmp_path / "x")
    assert json.loads((tmp_path / "status.json").read_text())["message"] == str(tmp_path / "x")
