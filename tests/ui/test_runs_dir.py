"""A runs folder that cannot take runs: the app starts anyway, says why, and `t` refuses.

A read-only file system is mounted for real (a tmpfs, as root); without
root, or where mounting is refused, those cases are skipped with the reason.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.launch import _session_log
from cnn_tui.ui.options import LaunchOptions, runs_dir_problem


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """An empty folder on a read-only tmpfs, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a read-only tmpfs needs root")
    mount_point = tmp_path / "read-only"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


async def assert_starts_and_refuses(runs_dir: Path, words: str) -> CnnTuiApp:
    app = CnnTuiApp(LaunchOptions(dataset="mnist", model="seed-mlp", runs_dir=runs_dir),
                    load_keras=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        problem = app.runs_dir_problem
        assert words.lower() in problem.lower() and str(runs_dir) in problem
        assert "--runs-dir" in problem
        assert [n.message for n in app._notifications] == [problem]  # said once, at start
        assert problem in str(app.query_one("#train-state").render())
        await pilot.press("t")
        await pilot.pause()
        assert not app.training and app.last_run_dir is None
        last = list(app._notifications)[-1]
        assert (last.title, last.message) == ("Cannot train", problem)
    return app


async def test_a_file_in_place_of_the_runs_folder(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.write_text("not a folder\n")
    await assert_starts_and_refuses(runs, "it is a file, not a folder")


async def test_a_read_only_runs_folder(read_only_dir: Path) -> None:
    await assert_starts_and_refuses(read_only_dir, "Read-only file system")


async def test_a_runs_folder_that_cannot_be_made(read_only_dir: Path) -> None:
    await assert_starts_and_refuses(read_only_dir / "runs", "Read-only file system")


def test_the_session_log_goes_elsewhere_when_the_runs_folder_is_unusable(
    read_only_dir: Path,
) -> None:
    log = _session_log(read_only_dir)
    try:
        assert read_only_dir not in log.parents
        log.write_text("TensorFlow's lines go here\n")  # writable
    finally:
        log.unlink(missing_ok=True)


async def test_a_runs_folder_fixed_meanwhile_is_used(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.write_text("not a folder\n")
    app = CnnTuiApp(LaunchOptions(dataset="mnist", model="seed-mlp", runs_dir=runs),
                    load_keras=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.runs_dir_problem
        runs.unlink()
        assert app._runs_dir_usable()  # looked at again when training is asked for
        assert app.runs_dir_problem == ""  # the folder is made by the first run
        assert "ready" in str(app.query_one("#train-state").render())
    assert runs_dir_problem(runs) == ""
