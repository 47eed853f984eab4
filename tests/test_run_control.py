"""Steering a run from another process: is it alive, asking it to stop, noticing the request."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs import control
from cnn_tui.core.runs.control import (
    STALE_AFTER_S,
    STOP_POLL_S,
    StopRequest,
    StopSignal,
    clear_stop_request,
    effective_state,
    process_alive,
    request_stop,
    stop_reason,
)
from cnn_tui.core.runs.rundir import STOP_REQUEST_FILE, boot_id, update_status

HOST = socket.gethostname()
NOW = datetime(2026, 11, 25, 18, 0, 0)


def local(pid: Any, **extra: Any) -> dict[str, Any]:
    return {"state": "running", "pid": pid, "host": HOST, "boot_id": boot_id(), **extra}


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A live process of this user's; looking at it must leave it running."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield child
    assert child.poll() is None, "asking whether a process lives must not signal it"
    child.kill()
    child.wait()


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_local_run_lives_while_its_process_does(sleeper: subprocess.Popen[bytes]) -> None:
    assert process_alive(local(sleeper.pid)) is True


@pytest.mark.parametrize("pid", [0, -1, True, "1", None, 2**31, 2**70])
def test_a_pid_that_is_no_process_id_is_dead(pid: Any) -> None:
    assert process_alive(local(pid)) is False


def test_a_local_run_whose_process_ended_is_dead() -> None:
    assert process_alive(local(dead_pid())) is False


def test_a_process_of_another_user_counts_as_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    def kill(pid: int, sig: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(control.os, "kill", kill)
    assert process_alive(local(4242)) is True


def test_a_pid_from_before_a_reboot_means_nothing(sleeper: subprocess.Popen[bytes]) -> None:
    assert process_alive(local(sleeper.pid, boot_id="another-boot")) is False
    assert process_alive(local(sleeper.pid, boot_id="")) is True  # unknown: ask the process
    assert process_alive({"pid": sleeper.pid, "host": HOST}) is True


@pytest.mark.parametrize(
    ("age_s", "alive"),
    [(0, None), (STALE_AFTER_S - 1, None), (STALE_AFTER_S, False), (STALE_AFTER_S * 10, False)],
)
def test_another_hosts_run_is_presumed_dead_once_silent_long_enough(
    age_s: float, alive: bool | None
) -> None:
    written = (NOW - timedelta(seconds=age_s)).isoformat()
    status = {"state": "running", "pid": os.getpid(), "host": "elsewhere", "updated_at": written}
    assert process_alive(status, now=NOW) is alive


@pytest.mark.parametrize("updated", [None, "yesterday", 3])
def test_another_hosts_run_without_a_readable_time_is_dead(updated: Any) -> None:
    assert process_alive({"host": "elsewhere", "updated_at": updated}, now=NOW) is False


def test_another_hosts_recent_run_is_measured_against_the_clock() -> None:
    status = {"host": "elsewhere", "updated_at": datetime.now().isoformat()}
    assert process_alive(status) is None


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ({}, "running"),
        ({"boot_id": "before-reboot"}, "interrupted"),
        ({"state": "finished"}, "finished"),
        ({"pid": 0, "state": "stopped"}, "stopped"),
        ({"host": "elsewhere"}, "interrupted"),
        ({"state": None}, "None"),
        ({"state": 3}, "3"),
    ],
)
def test_the_state_shown_is_interrupted_for_a_dead_running_run(
    sleeper: subprocess.Popen[bytes], status: dict[str, Any], state: str
) -> None:
    assert effective_state({**local(sleeper.pid), **status}) == state
    assert effective_state({}) == "unknown"


def test_stopping_a_folder_without_status_says_so(tmp_path: Path) -> None:
    with pytest.raises(CnnTuiError) as info:
        request_stop(tmp_path)
    assert str(info.value) == f"{tmp_path} has no readable status.json; is it a run directory?"


def test_stopping_a_finished_run_says_there_is_nothing_to_stop(tmp_path: Path) -> None:
    update_status(tmp_path, state="finished")
    with pytest.raises(CnnTuiError) as info:
        request_stop(tmp_path)
    assert str(info.value) == f"{tmp_path.name} is not running (it is finished); nothing to stop."
    assert not (tmp_path / STOP_REQUEST_FILE).exists()


def test_a_run_in_this_process_gets_a_request_file_and_no_signal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signals: list[int] = []
    real_kill = os.kill

    def kill(pid: int, sig: int) -> None:
        signals.append(sig)
        if sig == 0:
            real_kill(pid, sig)

    monkeypatch.setattr(control.os, "kill", kill)
    update_status(tmp_path, state="running", kind="cli")  # this process: never SIGTERM itself
    before = datetime.now().replace(microsecond=0)
    assert request_stop(tmp_path) == "left a stop request; the run stops at its next batch"
    text = (tmp_path / STOP_REQUEST_FILE).read_text()
    stamp, _, pid = text.removeprefix("stop requested at ").partition(" by pid ")
    assert before <= datetime.fromisoformat(stamp) <= datetime.now()
    assert pid == f"{os.getpid()}\n"
    assert signal.SIGTERM not in signals
    clear_stop_request(tmp_path)
    assert not (tmp_path / STOP_REQUEST_FILE).exists()
    clear_stop_request(tmp_path)  # nothing to clear: no error


@pytest.mark.parametrize("kind", ["cli", "tui"])
def test_a_cli_run_on_this_host_is_also_sent_sigterm(tmp_path: Path, kind: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        update_status(tmp_path, state="running", kind=kind, pid=child.pid)
        said = request_stop(tmp_path)
        if kind == "cli":
            assert said == f"asked pid {child.pid} to stop (SIGTERM and a stop request)"
            assert child.wait(timeout=30) == -signal.SIGTERM
        else:  # the TUI's runs stop through the file: a signal would end the whole TUI
            assert said == "left a stop request; the run stops at its next batch"
            assert child.poll() is None
        assert (tmp_path / STOP_REQUEST_FILE).exists()
    finally:
        child.kill()
        child.wait()


def test_a_stop_request_keeps_its_first_reason() -> None:
    event = StopRequest()
    assert stop_reason(event) == "" and not event.is_set()
    event.request("SIGTERM")
    event.request("stop request")
    assert event.is_set() and stop_reason(event) == "SIGTERM"
    assert stop_reason(threading.Event()) == ""


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_stop_signal_looks_for_the_file_a_few_times_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(control.time, "monotonic", clock)
    event = StopRequest()
    signal_ = StopSignal(event, tmp_path)
    assert signal_.is_set() is False
    (tmp_path / STOP_REQUEST_FILE).touch()
    clock.now += STOP_POLL_S / 2
    assert signal_.is_set() is False, "looked again before STOP_POLL_S"
    clock.now += STOP_POLL_S / 2
    assert signal_.is_set() is True
    assert event.is_set() and stop_reason(event) == "stop requested from another process"


def test_a_stop_signal_with_a_plain_event_or_no_folder(tmp_path: Path) -> None:
    (tmp_path / STOP_REQUEST_FILE).touch()
    event = threading.Event()
    assert StopSignal(event, tmp_path).is_set() is True and event.is_set()
    quiet = threading.Event()
    assert StopSignal(quiet).is_set() is False
    quiet.set()
    assert StopSignal(quiet).is_set() is True


def test_a_process_that_refuses_the_signal_still_gets_the_request(
    tmp_path: Path, sleeper: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:  # monkeypatch after sleeper: undone first, so the sleeper can be killed
    def kill(pid: int, sig: int) -> None:
        if sig == signal.SIGTERM:
            raise PermissionError(1, "Operation not permitted")

    update_status(tmp_path, state="running", kind="cli", pid=sleeper.pid)
    monkeypatch.setattr(control.os, "kill", kill)
    # The signal could not be sent: the request says only what it did.
    assert request_stop(tmp_path) == "left a stop request; the run stops at its next batch"
    assert (tmp_path / STOP_REQUEST_FILE).exists()


def test_the_first_look_for_a_request_is_at_once_whatever_the_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """time.monotonic's zero is undefined: it may be the start of this process."""
    clock = Clock()
    clock.now = 0.0
    monkeypatch.setattr(control.time, "monotonic", clock)
    (tmp_path / STOP_REQUEST_FILE).touch()
    assert StopSignal(threading.Event(), tmp_path).is_set() is True


def test_a_run_that_is_process_1_lives(monkeypatch: pytest.MonkeyPatch) -> None:
    """cnn-tui train as a container's entry point is pid 1 (only asked, never signalled)."""
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(control.os, "kill", lambda pid, sig: asked.append((pid, sig)))
    assert process_alive(local(1)) is True
    assert asked == [(1, 0)]
