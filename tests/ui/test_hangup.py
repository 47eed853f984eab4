"""The terminal guard on a real pseudo-terminal, and what the app does when it hangs up.

A pty whose master side is closed is exactly what a dropped SSH connection
or ``tmux kill-session`` leaves the app: writes and ioctls fail with EIO.
The real binary in tmux is in test_hangup_tmux.py.
"""

from __future__ import annotations

import contextlib
import os
import pty
import signal
from pathlib import Path

import pytest

from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.hangup import TerminalGuard
from cnn_tui.ui.messages import TerminalLost
from cnn_tui.ui.options import LaunchOptions

DEVNULL = os.stat(os.devnull).st_rdev


def is_devnull(fd: int) -> bool:
    return os.fstat(fd).st_rdev == DEVNULL


@pytest.fixture
def terminal():
    """A text stream on a pty's slave side, a second descriptor on it, and its master."""
    master, slave = pty.openpty()
    stream = os.fdopen(slave, "w", buffering=1, encoding="utf-8")
    other = os.dup(slave)
    yield stream, other, master
    stream.close()
    os.close(other)
    with contextlib.suppress(OSError):
        os.close(master)


def test_writes_pass_through_until_eio_then_go_to_dev_null(terminal) -> None:
    stream, other, master = terminal
    guard = TerminalGuard(stream, also=(other,))
    told: list[str] = []
    guard.listener = told.append
    guard.write("hello\n")
    guard.flush()
    assert os.read(master, 100).endswith(b"hello\r\n")
    guard.check()
    assert not guard.hung_up  # a live terminal answers

    os.close(master)  # the terminal goes away
    guard.write("\x1b[?1049h" * 1000)  # a frame: EIO inside, nothing raised
    guard.flush()
    assert guard.hung_up and guard.reason == "EIO" and told == ["EIO"]
    assert is_devnull(stream.fileno()) and is_devnull(other)
    guard.write("more frames\n")  # now into /dev/null
    guard.flush()
    guard.hang_up("SIGHUP")
    assert told == ["EIO"]  # told once


def test_an_idle_terminal_that_went_away_is_noticed_by_check(terminal) -> None:
    stream, other, master = terminal
    guard = TerminalGuard(stream, also=(other,))
    told: list[str] = []
    guard.listener = told.append
    os.close(master)
    guard.check()  # nothing was written: the ioctl tells
    assert told == ["EIO"] and is_devnull(stream.fileno())


def test_check_leaves_a_stream_that_never_was_a_terminal_alone(tmp_path: Path) -> None:
    with (tmp_path / "log").open("w") as stream:
        guard = TerminalGuard(stream, also=())
        guard.check()
        assert not guard.hung_up


def test_sighup_hangs_up_and_keeps_textual_from_drawing_again(terminal) -> None:
    stream, other, _ = terminal
    guard = TerminalGuard(stream, also=(other,))
    told: list[str] = []
    guard.listener = told.append
    sigcont = signal.signal(signal.SIGCONT, lambda *_: told.append("SIGCONT handler"))
    try:
        with guard.handling_sighup():
            os.kill(os.getpid(), signal.SIGHUP)
            os.kill(os.getpid(), signal.SIGHUP)  # a dying session sends more than one
            os.kill(os.getpid(), signal.SIGCONT)
        assert signal.getsignal(signal.SIGHUP) is not guard._on_sighup  # put back
        assert told == ["SIGHUP"]  # the SIGCONT that follows no longer restarts drawing
        assert signal.getsignal(signal.SIGCONT) == signal.SIG_DFL
        assert is_devnull(stream.fileno()) and is_devnull(other)
    finally:
        signal.signal(signal.SIGCONT, sigcont)


async def test_a_hang_up_with_nothing_training_just_exits(tmp_path: Path) -> None:
    app = CnnTuiApp(LaunchOptions(runs_dir=tmp_path / "runs"), load_keras=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.post_message(TerminalLost("SIGHUP"))
        await pilot.pause()
        assert not app.is_running
    assert app.return_code in (None, 0)
