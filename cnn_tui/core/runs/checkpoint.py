"""Checkpoints: the model, its optimizer and the run's progress in one atomic file.

After every finished epoch the run saves ``checkpoint.keras``: Keras's own
``.keras`` archive (architecture, weights, optimizer variables, so the
optimizer's iteration count goes on after a resume) with one more entry,
``cnn_tui_state.json``, holding the number of finished epochs and their
history rows, and the early-stopping and plateau counters (``monitors.py``).
When early stopping is to restore the best epoch's weights, those go in one
more entry, ``cnn_tui_best_weights.npz``. One file holds it all, so the parts
can never disagree; it is written beside its final name and renamed over it
(``files.py``), so a kill or a full disk leaves the previous checkpoint
intact. ``model.keras`` is written the same way.
"""

from __future__ import annotations

import errno
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.files import write_with_temp

STATE_ENTRY = "cnn_tui_state.json"
BEST_WEIGHTS_ENTRY = "cnn_tui_best_weights.npz"
STATE_VERSION = 1


class SaveFailed(CnnTuiError):
    """A checkpoint or model could not be written; the previous one is intact."""


class CheckpointUnusable(CnnTuiError):
    """A run has no checkpoint that can be resumed."""


def save_model(model: Any, path: Path, state: dict[str, Any],
               best_weights: list[Any] | None = None) -> None:
    """Save ``model`` (with its optimizer), ``state`` and ``best_weights`` to ``path`` atomically.

    Raises ``SaveFailed`` with the reason (disk full, permission...) and
    leaves whatever ``path`` held before.
    """

    def write(tmp: Path) -> None:
        model.save(tmp)
        with zipfile.ZipFile(tmp, "a") as archive:
            archive.writestr(STATE_ENTRY, json.dumps({"version": STATE_VERSION, **state}))
            if best_weights is not None:
                archive.writestr(BEST_WEIGHTS_ENTRY, _npz(best_weights))

    try:
        write_with_temp(path, write)
    except (OSError, ValueError, RuntimeError, zipfile.BadZipFile) as error:
        raise SaveFailed(_save_message(path, error)) from error
    _keep_keras_skipsets()


SKIPSET_TYPES = ("Operation", "Layer", "Functional", "Sequential", "Metric", "Optimizer", "Loss")


def _keep_keras_skipsets() -> None:
    """Let Keras reuse the attribute sets it works out on every save.

    Keras 3.15's ``saving_lib.get_attr_skipset`` caches its result under
    ``saving_attr_skipset_<type>`` but looks it up under
    ``saving_attr_skiplist_<type>``, so each save builds throw-away Layer,
    Metric and Optimizer objects again: about 40% of a checkpoint's CPU time
    for seed-cnn. Copying the cached sets to the name it reads makes them hit.
    Harmless once Keras reads the name it writes; skipped if its internals move.
    """
    try:
        from keras.src.backend.common import global_state
    except ImportError:
        return
    for kind in SKIPSET_TYPES:
        cached = global_state.get_global_attribute(f"saving_attr_skipset_{kind}")
        if cached is not None:
            global_state.set_global_attribute(f"saving_attr_skiplist_{kind}", cached)


def _save_message(path: Path, error: BaseException) -> str:
    reason = _os_reason(error) or f"{type(error).__name__}: {str(error).strip()[:200]}"
    return (
        f"could not save {path.name} in {path.parent} ({reason}); the previous checkpoint "
        f"is intact: free some space or fix the folder, then resume with "
        f"cnn-tui train --resume {path.parent}."
    )


def _os_reason(error: BaseException | None) -> str:
    """The OS's words for the first OSError in ``error``'s chain (h5py wraps them)."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OSError) and error.errno:
            return error.strerror or errno.errorcode.get(error.errno, str(error.errno))
        text = str(error)
        if "No space left" in text or "errno = 28" in text:
            return "No space left on device"
        error = error.__cause__ or error.__context__
        seen += 1
    return ""


def read_state(path: Path) -> dict[str, Any] | None:
    """The run state inside a saved model, or ``None`` when it has none or is not readable."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(STATE_ENTRY)
            if info.file_size > 16 * 1024 * 1024:
                return None
            state = json.loads(archive.read(info))
    except (OSError, KeyError, ValueError, RecursionError, zipfile.BadZipFile):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("epochs_done"), int):
        return None
    rows = state.get("history")
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        return None
    return state


def _npz(arrays: list[Any]) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, *arrays)  # arr_0, arr_1...: model.get_weights()'s order
    return buffer.getvalue()


def read_best_weights(path: Path) -> list[Any] | None:
    """The best epoch's weights kept in a saved model, or None (none kept, or unreadable)."""
    import numpy as np

    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read(BEST_WEIGHTS_ENTRY)
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return [arrays[f"arr_{i}"] for i in range(len(arrays.files))]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def load_model(path: Path) -> Any:
    """The model saved at ``path``, compiled, with its optimizer state (imports keras).

    Loaded in Keras's safe mode: a checkpoint cannot run code (no lambdas).
    """
    import keras

    from cnn_tui.core.augment import register_augment_layers
    from cnn_tui.core.runs.schedule import register_schedules

    register_schedules()  # an optimizer with a warm-up holds LinearWarmUp
    register_augment_layers()  # a model augmenting on the device may hold the shear layer
    try:
        return keras.models.load_model(path, safe_mode=True)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the same to the user
        raise CheckpointUnusable(
            f"{path} could not be loaded ({type(error).__name__}: {str(error)[:200]}); "
            "this run cannot be resumed: start a new run instead."
        ) from error
