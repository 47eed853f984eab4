"""Checks on the paths cnn-tui writes to, made before anything is written.

``check_export_path``: an exported CSV must never land inside a run
directory, where it could replace the run's own history.csv or config.json
(``cnn-tui export RUN -o RUN/history.csv``). ``check_runs_dir``: the runs
folder must be a folder that this process can really write to, which only
a probe file proves (root ignores permission bits, not a read-only mount).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs import checks as run_checks
from cnn_tui.core.runs.history import HISTORY_FILE
from cnn_tui.core.runs.rundir import CONFIG_FILE, STATUS_FILE


def run_dir_above(path: str | Path) -> Path | None:
    """The run directory that ``path`` is inside, after resolving symlinks and ``..``.

    A folder is a run when it holds history.csv or status.json, or a
    config.json that is a run's (an object with "dataset" and "model") or
    that cannot be read (a broken run's); a project's own config.json does
    not make its folder a run.
    """
    resolved = Path(path).expanduser().resolve()
    return next((folder for folder in resolved.parents if is_run_dir(folder)), None)


def is_run_dir(folder: Path) -> bool:
    """Whether ``folder`` is a run directory (see ``run_dir_above``)."""
    if (folder / HISTORY_FILE).is_file() or (folder / STATUS_FILE).is_file():
        return True
    return _is_run_config(folder / CONFIG_FILE)


def _is_run_config(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        data = run_checks.load_object(path)
    except run_checks.Unreadable:
        return True
    return "dataset" in data and "model" in data


def check_export_path(path: str | Path) -> Path:
    """The path to write an export to, or a CnnTuiError saying why not.

    Refused: a path inside a run directory, an existing folder, and a path
    whose folder is missing (the user probably mistyped it: nothing is created).
    """
    target = Path(path).expanduser()
    run = run_dir_above(target)
    if run is not None:
        raise CnnTuiError(
            f"{target} is inside the run directory {run}, whose files an export could "
            "replace; write the CSV elsewhere, e.g. beside the runs folder."
        )
    if target.is_dir():
        raise CnnTuiError(f"{target} is a folder; give a file name such as {target / 'runs.csv'}.")
    folder = target.resolve().parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise CnnTuiError(
            f"the folder {folder} {what}; create it first or pick another path for the CSV."
        )
    return target


def check_runs_dir(path: str | Path) -> None:
    """Raise CnnTuiError unless runs can be written under ``path`` (created later if missing).

    A missing folder is fine when its nearest existing parent is writable.
    Writability is proven by creating and removing a probe file, because
    ``os.access`` says yes to root on a read-only mount.
    """
    runs_dir = Path(path).expanduser()
    existing = runs_dir
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        where = "it is" if existing == runs_dir else f"{existing} is"
        raise CnnTuiError(
            f"cannot keep runs in {runs_dir}: {where} a file, not a folder; "
            "pass another folder with --runs-dir or move the file away."
        )
    # The probe names the real cause (a read-only file system, no permission);
    # os.access also answers for a user whom the probe cannot impersonate.
    reason = None
    try:
        fd, probe = tempfile.mkstemp(prefix=".cnn-tui-probe-", dir=existing)
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
    else:
        os.close(fd)
        os.unlink(probe)
        if not os.access(existing, os.W_OK | os.X_OK):
            reason = "permission denied"
    if reason is not None:
        where = "it" if existing == runs_dir else f"{existing}"
        raise CnnTuiError(
            f"cannot keep runs in {runs_dir}: {where} is not writable ({reason}); "
            "pass a writable folder with --runs-dir."
        )
