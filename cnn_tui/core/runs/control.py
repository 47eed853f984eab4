"""Steering a run from outside its process: stop requests, and whether it still lives.

A run's ``status.json`` says which process trains it (pid, host, boot id) and
when it last wrote. Another process (``cnn-tui stop``, the TUI's Runs tab)
asks it to stop by creating ``stop-request`` in the run directory, which the
run's stop callback looks at a few times a second, and, when the run is a
``cnn-tui train`` on this host, by sending it SIGTERM too.

A ``running`` run whose process is gone (no such pid on this boot, a pid
recorded before a reboot, or another host's run silent for longer than
``STALE_AFTER_S``) is ``interrupted``: resumable, never ``running`` forever.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.files import read_json, replace_atomically
from cnn_tui.core.runs.rundir import STATUS_FILE, STOP_REQUEST_FILE, boot_id

STALE_AFTER_S = 600.0
"""Another host's running run that has not written its status for this long is presumed dead
(a running run writes its progress at least once a second, and at least once per epoch)."""
STOP_POLL_S = 0.25
"""How often a run looks for a stop request file."""


def process_alive(status: dict[str, Any], *, now: datetime | None = None) -> bool | None:
    """Whether the process recorded in a ``running`` status still runs.

    ``None`` when it cannot be told (another host that wrote recently).
    """
    pid, host = status.get("pid"), status.get("host")
    if host == socket.gethostname():
        recorded_boot = status.get("boot_id")
        if isinstance(recorded_boot, str) and recorded_boot and recorded_boot != boot_id():
            return False
        if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid < 2**31:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except (OSError, OverflowError):
            return True  # exists, but belongs to someone else
        return True
    updated = status.get("updated_at")
    try:
        age = ((now or datetime.now()) - datetime.fromisoformat(str(updated))).total_seconds()
    except (TypeError, ValueError):
        return False
    return None if age < STALE_AFTER_S else False


def effective_state(status: dict[str, Any]) -> str:
    """The state to show: ``interrupted`` for a running run whose process is gone."""
    state = str(status.get("state", "unknown"))
    if state == "running" and process_alive(status) is False:
        return "interrupted"
    return state


def request_stop(run_dir: Path) -> str:
    """Ask the run in ``run_dir`` to stop at its next batch; returns what was done."""
    status = read_json(run_dir / STATUS_FILE)
    if status is None:
        raise CnnTuiError(f"{run_dir} has no readable status.json; is it a run directory?")
    if effective_state(status) != "running":
        raise CnnTuiError(f"{run_dir.name} is not running (it is {effective_state(status)}); "
                          "nothing to stop.")
    # The signal first: it names the cause (the run is marked stopped by SIGTERM);
    # the file is for runs a signal cannot reach (the TUI's, another host's).
    pid = status.get("pid")
    local = status.get("host") == socket.gethostname()
    signalled = False
    if local and isinstance(pid, int) and status.get("kind") == "cli" and pid != os.getpid():
        with contextlib.suppress(OSError, OverflowError):
            os.kill(pid, signal.SIGTERM)
            signalled = True
    stamp = datetime.now().isoformat(timespec="seconds")
    replace_atomically(run_dir / STOP_REQUEST_FILE,
                       f"stop requested at {stamp} by pid {os.getpid()}\n".encode())
    if signalled:
        return f"asked pid {pid} to stop (SIGTERM and a stop request)"
    return "left a stop request; the run stops at its next batch"


def clear_stop_request(run_dir: Path) -> None:
    (run_dir / STOP_REQUEST_FILE).unlink(missing_ok=True)


class StopRequest(threading.Event):
    """A stop event that remembers why (``SIGTERM``, ``stop request``...) for the status."""

    reason = ""

    def request(self, reason: str) -> None:
        if not self.is_set():
            self.reason = reason
        self.set()


def stop_reason(event: threading.Event) -> str:
    return getattr(event, "reason", "") or ""


class StopSignal:
    """Set by the caller's event, or by a ``stop-request`` file in the run directory.

    ``is_set`` is called before every batch: it looks at the file at most
    every ``STOP_POLL_S``, so a stop costs one ``stat`` a quarter second.
    """

    def __init__(self, event: threading.Event, run_dir: Path | None = None) -> None:
        self.event = event
        self.run_dir = run_dir
        self._next_look = 0.0

    def is_set(self) -> bool:
        if self.event.is_set():
            return True
        if self.run_dir is None:
            return False
        now = time.monotonic()
        if now < self._next_look:
            return False
        self._next_look = now + STOP_POLL_S
        if (self.run_dir / STOP_REQUEST_FILE).exists():
            if isinstance(self.event, StopRequest):
                self.event.request("stop requested from another process")
            else:
                self.event.set()
            return True
        return False
