"""The run directory: everything a training run leaves on disk.

``runs/<YYYYmmdd-HHMMSS>-<name>/`` holds ``config.json`` (how to reproduce
the run), ``history.csv`` (a row per finished epoch), ``status.json`` (where
the run stands), ``summary.txt``, ``model.keras`` and ``tensorflow.log``.
Every file is written so that a run killed at any moment leaves readable
files: JSON is replaced atomically, and each history row is flushed and
fsynced before the next epoch begins.
"""

from __future__ import annotations

import json
import math
import os
import re
import socket
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from cnn_tui.core.errors import CnnTuiError

CONFIG_FILE = "config.json"
HISTORY_FILE = "history.csv"
STATUS_FILE = "status.json"
SUMMARY_FILE = "summary.txt"
MODEL_FILE = "model.keras"
TF_LOG_FILE = "tensorflow.log"

RUN_STATES = ("running", "finished", "stopped", "failed")


def sanitize_name(name: str) -> str:
    """A run name safe as a folder name: letters, digits, ``.``, ``_`` and ``-``."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned[:80] or "run"


def create_run_dir(runs_dir: str | Path, name: str, *, now: datetime | None = None) -> Path:
    """Create and return ``runs_dir/<YYYYmmdd-HHMMSS>-<name>/``, unique even within a second."""
    runs_dir = Path(runs_dir)
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CnnTuiError(
            f"Cannot create the runs folder {runs_dir} ({error.strerror}); "
            "pass a writable folder with --runs-dir."
        ) from error
    stem = f"{(now or datetime.now()):%Y%m%d-%H%M%S}-{sanitize_name(name)}"
    for attempt in range(1, 1000):
        candidate = runs_dir / (stem if attempt == 1 else f"{stem}-{attempt}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise CnnTuiError(f"Too many runs named {stem} in {runs_dir}; choose another --name.")


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to a temporary file beside ``path`` and rename it over ``path``."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; these files are meant to be read
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            json.dump(data, tmp, indent=2, default=str)
            tmp.write("\n")
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``, or ``None`` when missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_config(run_dir: Path, config: dict[str, Any]) -> None:
    write_json_atomic(run_dir / CONFIG_FILE, config)


def update_status(run_dir: Path, **changes: Any) -> dict[str, Any]:
    """Merge ``changes`` into ``status.json`` (creating it) and return the new status.

    Keys: ``state`` (one of RUN_STATES), ``message``, ``epochs_done``,
    ``epochs_planned``, ``test_metrics``; timestamps are kept here.
    """
    state = changes.get("state")
    if state is not None and state not in RUN_STATES:
        raise ValueError(f"unknown run state {state!r}")
    path = run_dir / STATUS_FILE
    now = _timestamp()
    status = read_json(path) or {
        "state": "running",
        "message": "",
        "epochs_done": 0,
        "epochs_planned": None,
        "test_metrics": {},
        "started_at": now,
        "finished_at": None,
        "pid": os.getpid(),
        "host": socket.gethostname(),
    }
    status.update(changes)
    status["updated_at"] = now
    if status["state"] != "running" and status.get("finished_at") is None:
        status["finished_at"] = now
    write_json_atomic(path, status)
    return status


def _timestamp() -> str:
    return datetime.now().isoformat(timespec="seconds")


def order_columns(names: list[str] | set[str]) -> list[str]:
    """Keras log names in reading order: training metrics, then ``val_*``, then the rest.

    ``loss`` and ``accuracy`` lead their group; ``learning_rate`` and any other
    name without a ``val_`` twin come last.
    """
    names = set(names) - {"epoch", "run"}
    train = sorted(n for n in names if not n.startswith("val_") and f"val_{n}" in names)
    val = sorted(n for n in names if n.startswith("val_"))
    rest = sorted(names - set(train) - set(val))
    # Move loss/accuracy to the front of their group.
    first = {"loss": 0, "accuracy": 1}

    def key(name: str) -> tuple[int, str]:
        return first.get(name.removeprefix("val_"), 2), name

    return sorted(train, key=key) + sorted(val, key=key) + rest


class HistoryWriter:
    """Appends one complete row to ``history.csv`` per finished epoch.

    The header (``epoch`` then ``order_columns`` of the first epoch's logs)
    is written with the first row; each row is flushed and fsynced, so a kill
    at any moment leaves a file whose every line is complete except maybe
    the last, which ``read_history`` drops.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.columns: list[str] | None = None
        self.rows: list[dict[str, float]] = []

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        values = {name: float(value) for name, value in logs.items()}
        if self.columns is None or not set(values) <= set(self.columns):
            # A metric appeared that the header lacks: rewrite the file with a
            # wider header (rare: Keras logs the same names every epoch).
            known = set(self.columns or []) | set(values)
            self.columns = order_columns(known)
            self.rows.append({"epoch": epoch, **values})
            self._rewrite()
            return
        self.rows.append({"epoch": epoch, **values})
        with self.path.open("a", encoding="utf-8", newline="") as file:
            file.write(self._format_row(self.rows[-1]))
            file.flush()
            os.fsync(file.fileno())

    def _format_row(self, row: dict[str, float]) -> str:
        cells = [str(int(row["epoch"]))]
        for name in self.columns or []:
            value = row.get(name)
            cells.append("" if value is None else repr(value))
        return ",".join(cells) + "\n"

    def _rewrite(self) -> None:
        text = ",".join(["epoch", *(self.columns or [])]) + "\n"
        text += "".join(self._format_row(row) for row in self.rows)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as tmp:
            tmp.write(text)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, self.path)


def read_history(run_dir: str | Path) -> dict[str, list[float]]:
    """The columns of ``history.csv`` (``epoch`` included); ``{}`` when there is none.

    Only complete rows are read: a last line cut short by a kill is dropped.
    Empty cells read as NaN.
    """
    path = Path(run_dir) / HISTORY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    lines = text.split("\n")
    lines.pop()  # text after the last newline is an unfinished line (or "")
    if not lines:
        return {}
    header = lines[0].split(",")
    columns: dict[str, list[float]] = {name: [] for name in header}
    for line in lines[1:]:
        cells = line.split(",")
        if len(cells) != len(header):
            continue
        try:
            values = [float(cell) if cell else math.nan for cell in cells]
        except ValueError:
            continue
        for name, value in zip(header, values, strict=True):
            columns[name].append(int(value) if name == "epoch" else value)
    return columns
