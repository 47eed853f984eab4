"""Which run to inspect: its settings, classes and saved model, read without TensorFlow.

``open_run`` reads a run folder as untrusted input (``runs/checks.py``) and
says in one sentence why it cannot be inspected: not a run, no model saved
yet, a config.json it cannot read back. Loading the model and the data is
``loading.py``'s job; what is here is cheap enough for the UI thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.limits import MAX_CLASSES, MAX_IMAGE_SIDE
from cnn_tui.core.runs import checks as run_checks
from cnn_tui.core.runs.checkpoint import read_state
from cnn_tui.core.runs.config import TrainConfig, config_from_dict
from cnn_tui.core.runs.paths import is_run_dir
from cnn_tui.core.runs.rundir import CHECKPOINT_FILE, CONFIG_FILE, MODEL_FILE


class InspectError(CnnTuiError):
    """A run that cannot be inspected, or an input that cannot be shown to its model."""


@dataclass(frozen=True)
class RunToInspect:
    """A run folder with a saved model, as config.json describes it (no pixels, no Keras)."""

    run_dir: Path
    config: TrainConfig
    """The run's settings (config.json's ``options``), seed included: they rebuild its data."""
    model_path: Path
    """``model.keras`` (written when the run finished or stopped), else ``checkpoint.keras``."""
    epochs_done: int | None
    """Epochs the saved model has trained, when its file records them."""
    class_names: tuple[str, ...]
    input_shape: tuple[int, int, int]
    """Height, width, channels of the images the model takes."""
    dataset_source: str
    """The dataset as the run was given it (a name or a path)."""

    @property
    def name(self) -> str:
        return self.run_dir.name

    def data_key(self) -> dict[str, Any]:
        """The settings that decide which images the run's split holds (part of cache keys)."""
        config = self.config
        return {"dataset": config.dataset, "limit": config.limit, "val_split": config.val_split,
                "image_size": None if config.image_size is None else list(config.image_size),
                "seed": config.seed, "classes": list(self.class_names)}


def open_run(run_dir: str | Path) -> RunToInspect:
    """The run at ``run_dir``, ready to load; InspectError (one sentence) when it cannot be."""
    run_dir = Path(run_dir).expanduser()
    if not run_dir.is_dir() or not is_run_dir(run_dir):
        raise InspectError(f"{run_dir} is not a run directory; pass a folder made by "
                           "cnn-tui train (cnn-tui runs lists them).")
    try:
        data = run_checks.load_object(run_dir / CONFIG_FILE)
    except run_checks.Unreadable as error:
        raise InspectError(f"{run_dir.name} cannot be inspected: {error}.") from None
    model_path, epochs_done = _saved_model(run_dir)
    where = f"{run_dir.name}/{CONFIG_FILE}"
    try:
        config = config_from_dict(data.get("options"))
    except CnnTuiError as error:
        raise InspectError(f"{where}: {error}") from None
    if config.seed is None:
        raise InspectError(f"{where} records no seed, so the run's validation split "
                           "cannot be rebuilt; inspect a run made by cnn-tui train.")
    dataset = data.get("dataset")
    if not isinstance(dataset, dict):
        raise InspectError(f"{where} does not describe the run's dataset; "
                           "inspect a run made by cnn-tui train.")
    return RunToInspect(run_dir, config, model_path, epochs_done,
                        _class_names(dataset.get("class_names"), where),
                        _input_shape(dataset.get("input_shape"), where), config.dataset)


def _saved_model(run_dir: Path) -> tuple[Path, int | None]:
    """model.keras, else a checkpoint that holds at least one trained epoch."""
    model = run_dir / MODEL_FILE
    if model.is_file():
        state = read_state(model)
        return model, int(state["epochs_done"]) if state else None
    checkpoint = run_dir / CHECKPOINT_FILE
    if checkpoint.is_file():
        state = read_state(checkpoint)
        if state is None:  # unreadable: loading it will say why
            return checkpoint, None
        if state["epochs_done"] > 0:  # epoch 0's checkpoint holds untrained weights
            return checkpoint, int(state["epochs_done"])
    raise InspectError(f"{run_dir.name} has no saved model yet ({MODEL_FILE} is written when a "
                       f"run finishes or stops, {CHECKPOINT_FILE} after each epoch); wait for "
                       "its first epoch to end.")


def _class_names(value: Any, where: str) -> tuple[str, ...]:
    if (not isinstance(value, list) or not 2 <= len(value) <= MAX_CLASSES
            or not all(isinstance(name, str) for name in value)):
        raise InspectError(f"{where} does not list the dataset's class names; "
                           "inspect a run made by cnn-tui train.")
    return tuple(value)


def _input_shape(value: Any, where: str) -> tuple[int, int, int]:
    if (isinstance(value, list) and len(value) == 3
            and all(isinstance(n, int) and not isinstance(n, bool) for n in value)
            and all(1 <= n <= MAX_IMAGE_SIDE for n in value[:2]) and value[2] in (1, 3)):
        return int(value[0]), int(value[1]), int(value[2])
    raise InspectError(f"{where} does not record the model's input shape; "
                       "inspect a run made by cnn-tui train.")


@dataclass(frozen=True)
class ModelFingerprint:
    """What identifies a saved model's bytes; caches made from other bytes are stale."""

    name: str
    size: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


def fingerprint(path: Path) -> ModelFingerprint:
    """The file's name, size and SHA-256 (a full hash: a few ms for a model of megabytes).

    The modification time is left out on purpose: a copied run folder holds
    the same model, and its cached results stay valid.
    """
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        # A running run's checkpoint is removed when it finishes (model.keras replaces it).
        raise InspectError(f"{path} is gone (a run that finishes removes its checkpoint); "
                           "open the run again.") from None
    except OSError as error:
        raise InspectError(f"{path} cannot be read ({error.strerror or error}); "
                           "check the run folder's permissions.") from None
    return ModelFingerprint(path.name, size, digest.hexdigest())

