"""Drive the real ``cnn-tui`` program in tmux, as a person over SSH would.

It checks what only a real terminal shows: the app paints, trains from the
keyboard, writes its run, quits, and no TensorFlow/absl line ever lands on
the screen (they go to fd 2, which the app points at a log file).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cnn_tui
from tests.resources import missing

SOURCE_ROOT = Path(cnn_tui.__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _tmux() -> None:
    if shutil.which("tmux") is None:
        missing("tmux is not installed (.ci/run installs it with apt)")


# Per test process: the machine's tmux server is shared, and another checkout's run of
# this test must neither kill this session nor see it.
SESSION = f"cnn-tui-smoke-{os.getpid()}"
LEAKS = ("oneDNN", "I0000", "W0000", "E0000", "absl", "cuda", "Traceback")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(predicate, timeout: float, what: str) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = screen()
        for leak in LEAKS:
            assert leak not in text, f"{leak!r} reached the terminal:\n{text}"
        if predicate(text):
            return text
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}; screen:\n{text}")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_real_binary_trains_and_quits_in_tmux(shared_data: Path, tmp_path: Path, size):
    runs = tmp_path / "runs"
    # The code under test, whatever environment the tmux server was started with.
    command = (
        f"cd {tmp_path} && PYTHONPATH={SOURCE_ROOT} "
        f"{sys.executable} -m cnn_tui --dataset {shared_data / 'mnist'} "
        f"--model seed-mlp --epochs 1 --limit 500 --runs-dir {runs}; "
        f"echo EXITED $?; sleep 60"
    )
    tmux("kill-session", "-t", SESSION)
    columns, rows = size
    tmux("new-session", "-d", "-s", SESSION, "-x", str(columns), "-y", str(rows), command)
    try:
        started = time.monotonic()
        wait_for(lambda s: "Flatten" in s and "Dense" in s, 30, "the shape table")
        paint_s = time.monotonic() - started
        # Generous for a loaded CI machine; `make bench` measures first paint properly.
        assert paint_s < 15, paint_s

        tmux("send-keys", "-t", SESSION, "t")
        history = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            wait_for(lambda s: True, 1, "a frame")
            found = list(runs.glob("*/history.csv"))
            if found and len(found[0].read_text().splitlines()) == 2:
                history = found[0]
                status = history.parent / "status.json"
                if status.is_file() and '"finished"' in status.read_text():
                    break
            time.sleep(0.5)
        assert history is not None, f"no epoch was written; screen:\n{screen()}"

        tmux("send-keys", "-t", SESSION, "q")
        final = wait_for(lambda s: "EXITED" in s, 20, "the app to exit")
        assert "EXITED 0" in final, final
    finally:
        tmux("kill-session", "-t", SESSION)
