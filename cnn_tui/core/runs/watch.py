"""Reading a run that another process trains, from its files alone.

A running run rewrites ``status.json`` with its batch ``progress`` at most
once a second and appends a row to ``history.csv`` after each epoch (see
``core/runs``). ``RunReader.read`` turns both into a ``WatchedRun``; it
re-reads ``history.csv`` only when its size or time changed, so watching
costs two ``stat`` calls and one small JSON read a poll. Nothing here
imports Textual: the app's watch worker calls it from a thread, and a
headless tool could too.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from cnn_tui.core.runs.control import effective_state
from cnn_tui.core.runs.files import read_json
from cnn_tui.core.runs.history import HISTORY_FILE, read_history
from cnn_tui.core.runs.rundir import STATUS_FILE


@dataclass(frozen=True)
class Progress:
    """Where the run is inside an epoch, as its status.json last said."""

    epoch: int
    step: int
    steps: int
    logs: dict[str, float]
    learning_rate: float | None = None
    """The rate of the next step; None from runs made before status.json carried it."""


@dataclass(frozen=True)
class WatchedRun:
    """One look at a run's files."""

    run_dir: Path
    state: str
    """running, finished, stopped, failed, interrupted (its process is gone), or unknown."""
    message: str = ""
    epochs_planned: int | None = None
    progress: Progress | None = None
    history: dict[str, list[float]] = field(default_factory=dict)
    pid: int | None = None
    host: str = ""

    @property
    def name(self) -> str:
        return self.run_dir.name

    @property
    def ended(self) -> bool:
        return self.state != "running"

    @property
    def epochs_done(self) -> int:
        return len(self.history.get("epoch", []))


class RunReader:
    """Reads one run's files again and again, skipping an unchanged history."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self._history_stamp: tuple[int, int] | None = None
        self._history: dict[str, list[float]] = {}

    def read(self) -> WatchedRun:
        status = read_json(self.run_dir / STATUS_FILE)
        if status is None:
            return WatchedRun(self.run_dir, "unknown", "status.json is missing or unreadable",
                              history=self._read_history())
        planned = status.get("epochs_planned")
        pid = status.get("pid")
        return WatchedRun(
            run_dir=self.run_dir,
            state=effective_state(status),
            message=str(status.get("message") or ""),
            epochs_planned=planned if _is_int(planned) else None,
            progress=_progress(status.get("progress")),
            history=self._read_history(),
            pid=pid if _is_int(pid) else None,
            host=str(status.get("host") or ""),
        )

    def _read_history(self) -> dict[str, list[float]]:
        try:
            info = os.stat(self.run_dir / HISTORY_FILE)
        except OSError:
            self._history_stamp, self._history = None, {}
            return {}
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp != self._history_stamp:
            self._history_stamp, self._history = stamp, read_history(self.run_dir)
        return self._history


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _progress(data: Any) -> Progress | None:
    """status.json's ``progress``, or None when it is absent or not what a run writes."""
    if not isinstance(data, dict):
        return None
    epoch, step, steps = data.get("epoch"), data.get("step"), data.get("steps")
    if not (_is_int(epoch) and _is_int(step) and _is_int(steps)) or min(epoch, steps) < 1:
        return None
    raw = data.get("logs")
    logs: dict[str, float] = {}
    if isinstance(raw, dict):
        for name, value in raw.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                logs[str(name)] = float(value) if math.isfinite(value) else math.nan
    rate = data.get("learning_rate")
    if not (isinstance(rate, (int, float)) and not isinstance(rate, bool)
            and math.isfinite(rate)):
        rate = None
    return Progress(epoch, max(0, min(step, steps)), steps, logs, rate)
