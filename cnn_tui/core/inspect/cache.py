"""Results of an inspection kept in the run folder, valid while their key matches.

``<run>/inspect/<stem>.json`` holds ``{"key": ..., "result": ...}`` and, for
results with arrays, ``<stem>.npz`` beside it. The key holds what the
result was computed from: the model file's fingerprint (name, size, SHA-256),
the settings that decide the split's images, and what else the caller adds
(a probe's maximum shift); a result whose key differs is stale and is
computed again. The npz is written first and the JSON names its SHA-256, so
a kill between the two writes, or a hand-edited file, reads as a miss.

Cache files are untrusted input like every run file: unreadable, oversized
or inconsistent ones are misses, never errors. A run folder that cannot be
written to (read-only, full) is inspected without a cache.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from cnn_tui.core.runs import checks as run_checks
from cnn_tui.core.runs.files import replace_atomically, write_json_atomic

CACHE_DIR = "inspect"
CACHE_VERSION = 1
"""Raised when what a cached result means changes: older entries become misses."""
MAX_NPZ_BYTES = 2_000_000_000


def cache_folder(run_dir: Path) -> Path:
    return run_dir / CACHE_DIR


def read_cached(run_dir: Path, stem: str, key: dict[str, Any], *, with_arrays: bool = False
                ) -> tuple[Any, dict[str, np.ndarray]] | None:
    """``(result, arrays)`` stored under ``stem`` for exactly ``key``, else None."""
    folder = cache_folder(run_dir)
    try:
        entry = run_checks.load_object(folder / f"{stem}.json")
    except run_checks.Unreadable:
        return None
    if entry.get("key") != _versioned(key) or "result" not in entry:
        return None
    if not with_arrays:
        return entry["result"], {}
    arrays = _read_npz(folder / f"{stem}.npz", entry.get("npz_sha256"))
    return None if arrays is None else (entry["result"], arrays)


def _read_npz(path: Path, expected_sha: Any) -> dict[str, np.ndarray] | None:
    try:
        if path.stat().st_size > MAX_NPZ_BYTES:
            return None
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != expected_sha:
            return None
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # np.savez stores its arrays uncompressed: a compressed member could be a
            # bomb of gigabytes in a few kilobytes, planted in a hostile run folder.
            if any(info.compress_type != zipfile.ZIP_STORED for info in archive.infolist()):
                return None
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
        return None


def write_cached(run_dir: Path, stem: str, key: dict[str, Any], result: Any,
                 arrays: dict[str, np.ndarray] | None = None) -> bool:
    """Store ``result`` (JSON-ready) and ``arrays`` under ``stem``; False when it could not be."""
    folder = cache_folder(run_dir)
    entry: dict[str, Any] = {"key": _versioned(key), "result": result}
    try:
        folder.mkdir(exist_ok=True)
        if arrays is not None:
            buffer = io.BytesIO()
            np.savez(buffer, allow_pickle=False, **arrays)
            data = buffer.getvalue()
            replace_atomically(folder / f"{stem}.npz", data, durable=False)
            entry["npz_sha256"] = hashlib.sha256(data).hexdigest()
        # Not fsynced: a cache lost in a power cut is computed again.
        write_json_atomic(folder / f"{stem}.json", entry, durable=False)
    except OSError:
        return False
    return True


def _versioned(key: dict[str, Any]) -> dict[str, Any]:
    """The key as it reads back from JSON (tuples become lists), with the cache's version."""
    normalised: dict[str, Any] = json.loads(json.dumps({"version": CACHE_VERSION, **key}))
    return normalised
