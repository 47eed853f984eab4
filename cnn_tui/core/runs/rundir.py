"""The run directory: everything a training run leaves on disk.

``runs/<YYYYmmdd-HHMMSS>-<name>/`` holds ``config.json`` (how to reproduce
the run, and each resume), ``history.csv`` (a row per finished epoch),
``status.json`` (where the run stands, which process runs it, its batch
progress), ``summary.txt``, ``checkpoint.keras`` (the model and optimizer
after the last finished epoch), ``model.keras`` (saved on finish and on
stop) and ``tensorflow.log`` (``jax.log``, ``torch.log`` under those
backends). Every file is written so that a run killed at any moment leaves
readable files (see ``files.py``).
"""

from __future__ import annotations

import errno
import os
import re
import socket
from datetime import datetime
from pathlib import Path
from typing import Any

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.files import read_json, write_json_atomic

CONFIG_FILE = "config.json"
STATUS_FILE = "status.json"
SUMMARY_FILE = "summary.txt"
MODEL_FILE = "model.keras"
CHECKPOINT_FILE = "checkpoint.keras"
def native_log_file(backend: str) -> str:
    """The run's log of what its backend printed: ``tensorflow.log``, ``jax.log``…"""
    return f"{backend}.log"


TENSORBOARD_DIR = "tensorboard"
"""TensorBoard's event files, when the run was asked for them (``--tensorboard yes``)."""
DETACHED_LOG_FILE = "train.log"
"""What a ``--detach``ed run prints."""
STOP_REQUEST_FILE = "stop-request"
"""Present while another process has asked the run to stop (``control.py``)."""

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
        except OSError as error:
            raise CnnTuiError(
                f"Cannot create a run folder in {runs_dir} ({error.strerror}); "
                "pass a writable folder with --runs-dir."
            ) from error
        return candidate
    raise CnnTuiError(f"Too many runs named {stem} in {runs_dir}; choose another --name.")


def write_config(run_dir: Path, config: dict[str, Any]) -> None:
    write_json_atomic(run_dir / CONFIG_FILE, config)


def read_config(run_dir: Path) -> dict[str, Any] | None:
    return read_json(run_dir / CONFIG_FILE)


def boot_id() -> str:
    """This boot's identity: a pid recorded before a reboot means nothing after it."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def process_identity() -> dict[str, Any]:
    """Who runs a run: ``status.json`` records it so that others can tell whether it lives."""
    return {"pid": os.getpid(), "host": socket.gethostname(), "boot_id": boot_id()}


def update_status(run_dir: Path, *, durable: bool = True, **changes: Any) -> dict[str, Any]:
    """Merge ``changes`` into ``status.json`` (creating it) and return the new status.

    Keys: ``state`` (one of RUN_STATES), ``message``, ``epochs_done``,
    ``epochs_planned``, ``test_metrics``, ``progress``, and the process
    identity; timestamps are kept here. When the disk is too full for the
    atomic write, the file is rewritten in place (it is small, and its old
    blocks are freed first), so a run never stays ``running`` because its
    last status could not be written.
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
        **process_identity(),
    }
    status.update(changes)
    status["updated_at"] = now
    if status["state"] == "running":
        status["finished_at"] = None
    elif status.get("finished_at") is None:
        status["finished_at"] = now
    if status["state"] != "running":
        status.pop("progress", None)
    try:
        write_json_atomic(path, status, durable=durable)
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        _rewrite_in_place(path, status)
    return status


def _rewrite_in_place(path: Path, status: dict[str, Any]) -> None:
    import json

    data = (json.dumps(status, default=str) + "\n").encode("utf-8")
    with path.open("r+b" if path.exists() else "wb") as file:
        file.truncate(0)
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _timestamp() -> str:
    return datetime.now().isoformat(timespec="seconds")
