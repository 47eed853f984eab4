"""Writing a run's files so that a kill or a full disk never leaves half a file.

Every file that is replaced as a whole goes to a temporary file beside its
final name, is fsynced, and is renamed over the final name; the folder is
fsynced too, so the rename itself survives a power cut. A failed write
removes its temporary file (which also gives back the space it took) and
leaves the previous version in place.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

TEMP_PREFIX = ".tmp-"
"""Temporary files start with this; a crash can leave one, which ``remove_stale_temps`` clears."""


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def replace_atomically(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    ``durable=False`` skips the fsyncs, for files rewritten every second
    (progress) whose loss in a power cut costs nothing.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; run files are meant to be read
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            if durable:
                os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


def write_with_temp(path: Path, write: Callable[[Path], None]) -> None:
    """Let ``write(tmp_path)`` make the file (e.g. Keras's ``model.save``), then rename it.

    The temporary name keeps ``path``'s suffix, which Keras insists on.
    """
    tmp = path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{path.name}")
    try:
        write(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def remove_stale_temps(folder: Path) -> None:
    """Delete temporary files that a killed process left in ``folder``."""
    try:
        leftovers = [p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]
    except OSError:
        return
    for path in leftovers:
        with contextlib.suppress(OSError):
            path.unlink()


def write_json_atomic(path: Path, data: Any, *, durable: bool = True) -> None:
    """Write JSON to ``path`` atomically (see ``replace_atomically``)."""
    text = json.dumps(data, indent=2, default=str) + "\n"
    replace_atomically(path, text.encode("utf-8"), durable=durable)


MAX_JSON_BYTES = 16 * 1024 * 1024
"""A run's JSON files are a few KiB; a larger one is not ours and is not parsed."""


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``; ``None`` when missing, unreadable, hostile or not an object."""
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
