"""The real ``cnn-tui`` in tmux when its terminal goes away mid-run, as over a dropped SSH link.

``tmux kill-session`` closes the pane's terminal: the session leader gets
SIGHUP and every later write or ioctl on the terminal fails with EIO. The
app runs under ``session_leader.py``, which passes SIGHUP on (an SSH login
shell) or keeps it (so only EIO tells), and records the app's exit status.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import cnn_tui
from cnn_tui.core.runs.history import read_history

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

LEADER = Path(__file__).with_name("session_leader.py")
SOURCE_ROOT = Path(cnn_tui.__file__).resolve().parents[1]


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


class Pane:
    """``python -m cnn_tui ARGS`` under the session leader, in its own tmux session."""

    def __init__(self, tmp_path: Path, mode: str, *args: str) -> None:
        self.name = f"cnn-tui-hangup-{os.getpid()}-{time.monotonic_ns()}"
        self.rc_file = tmp_path / "exit-status"
        command = ["env", f"PYTHONPATH={SOURCE_ROOT}", sys.executable, str(LEADER), mode,
                   str(self.rc_file), sys.executable, "-m", "cnn_tui", *args]
        tmux("new-session", "-d", "-s", self.name, "-x", "100", "-y", "30", "-c", str(tmp_path),
             shlex.join(command))

    def screen(self) -> str:
        return tmux("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        tmux("send-keys", "-t", self.name, *keys)

    def kill(self) -> None:
        tmux("kill-session", "-t", self.name)

    def exit_status(self) -> int | None:
        text = self.rc_file.read_text() if self.rc_file.is_file() else ""
        return int(text) if text.strip() else None


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def toast_text(screen: str) -> str:
    """The notifications' words as one line (each of their lines starts after a "▌")."""
    return " ".join(line.rsplit("▌", 1)[1].strip() for line in screen.splitlines()
                    if "▌" in line)


def status(run_dir: Path) -> dict:
    return json.loads((run_dir / "status.json").read_text())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def first_epoch_written(runs: Path) -> Path | None:
    for history in runs.glob("*/history.csv"):
        if read_history(history.parent).get("epoch"):
            return history.parent
    return None


def no_traceback_in_logs(runs: Path) -> None:
    for log in [runs / "cnn-tui-session.log", *runs.glob("*/tensorflow.log")]:
        if log.is_file():
            assert "Traceback" not in log.read_text(errors="replace"), log


def hang_up_mid_run(shared_data: Path, tmp_path: Path, *extra: str) -> tuple[Pane, Path, int]:
    """Start a small real run, and kill the terminal once its first epoch is in history.csv."""
    runs = tmp_path / "runs"
    # Batches of 16: epochs long enough (a second or two) for the rest to outlast the kill.
    pane = Pane(tmp_path, "forward", "--dataset", str(shared_data / "mnist"), "--model",
                "seed-mlp", "--limit", "2000", "--batch-size", "16", "--runs-dir", str(runs),
                *extra)
    try:
        wait_for(lambda: "Dense" in pane.screen(), 60, "the shape table")
        pane.keys("t")
        run_dir = wait_for(lambda: first_epoch_written(runs), 180, "the first epoch's row")
        assert isinstance(run_dir, Path)
        before = status(run_dir)
        assert before["state"] == "running", "the run ended before the hang-up: make it longer"
        pane.kill()
    except BaseException:
        pane.kill()
        raise
    return pane, run_dir, int(before["pid"])


def test_a_hang_up_mid_run_lets_it_finish_without_a_screen(shared_data: Path,
                                                           tmp_path: Path) -> None:
    pane, run_dir, pid = hang_up_mid_run(shared_data, tmp_path, "--epochs", "4")
    wait_for(lambda: pane.exit_status() is not None, 180, "the app to exit")
    assert pane.exit_status() == 0
    assert not alive(pid)
    final = status(run_dir)
    assert (final["state"], final["epochs_done"]) == ("finished", 4)
    assert read_history(run_dir)["epoch"] == [1, 2, 3, 4]
    assert (run_dir / "model.keras").is_file()
    no_traceback_in_logs(tmp_path / "runs")


def test_on_hangup_stop_stops_the_run_at_the_next_batch(shared_data: Path,
                                                        tmp_path: Path) -> None:
    pane, run_dir, pid = hang_up_mid_run(shared_data, tmp_path, "--epochs", "50",
                                         "--on-hangup", "stop")
    wait_for(lambda: pane.exit_status() is not None, 60, "the app to exit")
    assert pane.exit_status() == 0
    assert not alive(pid)
    final = status(run_dir)
    assert (final["state"], final["message"]) == ("stopped", "SIGHUP")
    assert 1 <= final["epochs_done"] < 50
    assert (run_dir / "model.keras").is_file()
    no_traceback_in_logs(tmp_path / "runs")


def test_a_terminal_gone_without_sighup_is_noticed_while_idle(tmp_path: Path) -> None:
    # The leader keeps the SIGHUP: only EIO on the terminal says it is gone.
    pane = Pane(tmp_path, "ignore", "--dataset", "mnist", "--runs-dir", str(tmp_path / "runs"))
    try:
        wait_for(lambda: "Conv2D" in pane.screen(), 60, "the shape table")
    finally:
        pane.kill()
    wait_for(lambda: pane.exit_status() is not None, 60, "the app to exit")
    assert pane.exit_status() == 0
    no_traceback_in_logs(tmp_path / "runs")


def test_an_unusable_runs_folder_is_said_and_training_refused(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.write_text("a file where the runs folder should be\n")
    temporary_logs = set(Path(tempfile.gettempdir()).glob("cnn-tui-session-*.log"))
    pane = Pane(tmp_path, "forward", "--dataset", "mnist", "--runs-dir", str(runs))
    try:
        wait_for(lambda: "Conv2D" in pane.screen(), 60, "the shape table")
        wait_for(lambda: "Runs cannot be saved" in pane.screen(), 10, "the problem said")
        assert "is a file, not a folder" in toast_text(pane.screen())
        pane.keys("t")
        wait_for(lambda: "Cannot train" in pane.screen(), 10, "t to refuse")
        assert "Traceback" not in pane.screen()
        pane.keys("q")
        wait_for(lambda: pane.exit_status() is not None, 30, "the app to exit")
    finally:
        pane.kill()
    assert pane.exit_status() == 0
    # TensorFlow's log went to a temporary file for the session, removed at the end.
    assert set(Path(tempfile.gettempdir()).glob("cnn-tui-session-*.log")) <= temporary_logs
