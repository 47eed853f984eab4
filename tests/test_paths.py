"""check_export_path keeps exports out of run directories; check_runs_dir proves writability."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs import history, rundir
from cnn_tui.core.runs.index import export_histories
from cnn_tui.core.runs.paths import check_export_path, check_runs_dir, run_dir_above
from tests.resources import missing


def make_run(runs: Path, name: str = "20260101-120000-run") -> Path:
    run = runs / name
    run.mkdir(parents=True)
    rundir.write_config(run, {"name": name, "dataset": {"name": "mnist"}, "model": {"name": "m"}})
    writer = history.HistoryWriter(run / history.HISTORY_FILE)
    writer.append(1, {"loss": 0.5, "accuracy": 0.8})
    return run


@pytest.mark.parametrize(
    "inside",
    ["{run}/history.csv", "{run}/config.json", "{run}/new.csv", "{run}/sub/../x.csv",
     "{runs}/other/../20260101-120000-run/status.json"],
)
def test_an_export_into_a_run_directory_is_refused_and_nothing_is_written(
    tmp_path: Path, inside: str
) -> None:
    run = make_run(tmp_path / "runs")
    (run / "sub").mkdir()
    (tmp_path / "runs" / "other").mkdir()
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    target = inside.format(run=run, runs=tmp_path / "runs")
    with pytest.raises(CnnTuiError, match="is inside the run directory .*write the CSV elsewhere"):
        export_histories([run], target)
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == before


def test_symlinks_into_a_run_directory_are_resolved(tmp_path: Path) -> None:
    run = make_run(tmp_path / "runs")
    original = (run / history.HISTORY_FILE).read_bytes()
    (tmp_path / "link.csv").symlink_to(run / history.HISTORY_FILE)
    (tmp_path / "runlink").symlink_to(run)
    for target in (tmp_path / "link.csv", tmp_path / "runlink" / "out.csv"):
        with pytest.raises(CnnTuiError, match=f"inside the run directory {run}"):
            check_export_path(target)
    assert (run / history.HISTORY_FILE).read_bytes() == original


def test_missing_folders_and_existing_folders_are_refused(tmp_path: Path) -> None:
    run = make_run(tmp_path / "runs")
    with pytest.raises(CnnTuiError, match="does not exist; create it first"):
        export_histories([run], tmp_path / "missing" / "x.csv")
    with pytest.raises(CnnTuiError, match="is a folder; give a file name"):
        export_histories([run], tmp_path)
    assert not (tmp_path / "missing").exists()


def test_exports_beside_runs_and_unrelated_config_files_are_fine(tmp_path: Path) -> None:
    run = make_run(tmp_path / "runs")
    (tmp_path / "config.json").write_text('{"editor": "vim"}')  # a project's own config
    assert run_dir_above(tmp_path / "all.csv") is None
    out = export_histories([run], tmp_path / "all.csv")
    assert out.read_text().splitlines() == ["run,epoch,accuracy,loss", f"{run.name},1,0.8,0.5"]
    assert export_histories([run], tmp_path / "runs" / "all.csv").is_file()


def test_a_runs_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "runs").write_text("not a folder")
    with pytest.raises(CnnTuiError, match="it is a file, not a folder"):
        check_runs_dir(tmp_path / "runs")
    with pytest.raises(CnnTuiError, match=f"{tmp_path / 'runs'} is a file"):
        check_runs_dir(tmp_path / "runs" / "deeper")


def test_a_missing_runs_dir_under_a_writable_folder_is_fine(tmp_path: Path) -> None:
    check_runs_dir(tmp_path / "new" / "runs")
    check_runs_dir(tmp_path)
    assert sorted(os.listdir(tmp_path)) == []  # neither created nor left a probe


def test_a_folder_without_write_permission_is_refused(tmp_path: Path, monkeypatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    if os.geteuid() == 0:
        # Root ignores permission bits: answer os.access as any other user would.
        monkeypatch.setattr(os, "access", lambda path, mode: False)
    try:
        with pytest.raises(CnnTuiError, match="is not writable"):
            check_runs_dir(locked / "runs")
    finally:
        locked.chmod(0o755)


def test_a_read_only_mount_is_refused_even_for_root(tmp_path: Path, monkeypatch) -> None:
    if os.geteuid() != 0:
        missing("mounting a read-only tmpfs needs root")
    mount = tmp_path / "ro"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        missing(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        with pytest.raises(CnnTuiError, match=f"{mount} is not writable"):
            check_runs_dir(mount / "runs")
        # The probe file alone catches it too, where os.access says yes (bind mounts, NFS).
        monkeypatch.setattr(os, "access", lambda *args, **kwargs: True)
        with pytest.raises(CnnTuiError, match="not writable \\(read-only file system\\)"):
            check_runs_dir(mount)
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_folder_whose_config_json_is_broken_counts_as_a_run(tmp_path: Path) -> None:
    (tmp_path / "half-written").mkdir()
    (tmp_path / "half-written" / "config.json").write_text('{"dataset": ')
    with pytest.raises(CnnTuiError, match="inside the run directory"):
        check_export_path(tmp_path / "half-written" / "config.json")


# --- what makes a folder a run, and each refusal in full -------------------------------------


@pytest.mark.parametrize(
    ("files", "is_run"),
    [
        ({"history.csv": "epoch\n"}, True),
        ({"status.json": "{}"}, True),
        ({"config.json": '{"dataset": "mnist", "model": "m"}'}, True),
        ({"config.json": '{"dataset": "mnist"}'}, False),
        ({"config.json": '{"model": "m"}'}, False),
        ({"config.json": '{"name": "my project"}'}, False),
    ],
)
def test_a_folder_is_a_run_by_its_files(tmp_path: Path, files: dict[str, str],
                                        is_run: bool) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert run_dir_above(tmp_path / "out.csv") == (tmp_path if is_run else None)


def test_each_refused_export_path_says_what_to_do(tmp_path: Path) -> None:
    run = make_run(tmp_path / "runs")
    refusals = {
        run / "x.csv": f"{run / 'x.csv'} is inside the run directory {run}, whose files an "
                       "export could replace; write the CSV elsewhere, e.g. beside the runs "
                       "folder.",
        tmp_path: f"{tmp_path} is a folder; give a file name such as {tmp_path / 'runs.csv'}.",
        tmp_path / "nope" / "x.csv": f"the folder {tmp_path / 'nope'} does not exist; create "
                                     "it first or pick another path for the CSV.",
    }
    (tmp_path / "file").write_text("")
    refusals[tmp_path / "file" / "x.csv"] = (f"the folder {tmp_path / 'file'} is not a folder; "
                                             "create it first or pick another path for the CSV.")
    for path, message in refusals.items():
        with pytest.raises(CnnTuiError) as info:
            check_export_path(path)
        assert str(info.value) == message


def test_each_refused_runs_folder_says_what_to_do(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(CnnTuiError) as info:
        check_runs_dir(tmp_path / "file")
    assert str(info.value) == (f"cannot keep runs in {tmp_path / 'file'}: it is a file, not a "
                               "folder; pass another folder with --runs-dir or move the file "
                               "away.")
    asked: list[int] = []

    def access(path: Path, mode: int) -> bool:
        asked.append(mode)
        return False

    monkeypatch.setattr(os, "access", access)
    with pytest.raises(CnnTuiError) as info:
        check_runs_dir(tmp_path)
    assert str(info.value) == (f"cannot keep runs in {tmp_path}: it is not writable (permission "
                               "denied); pass a writable folder with --runs-dir.")
    assert asked == [os.W_OK | os.X_OK]  # writing a run needs both


def test_a_probe_that_fails_without_a_reason_still_gives_one(tmp_path: Path, monkeypatch) -> None:
    def mkstemp(**kwargs: object) -> tuple[int, str]:
        raise OSError("Quota Exceeded")

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    with pytest.raises(CnnTuiError) as info:
        check_runs_dir(tmp_path / "runs")
    assert str(info.value) == (f"cannot keep runs in {tmp_path / 'runs'}: {tmp_path} is not "
                               "writable (quota exceeded); pass a writable folder with --runs-dir.")
