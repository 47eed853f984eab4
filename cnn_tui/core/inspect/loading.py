"""Loading what an inspection needs: the run's saved model and its validation images.

Both are slow (TensorFlow's import, reading the dataset): call them from a
worker thread. The model is loaded in Keras's safe mode (a saved file can
run no code) and uncompiled (inspection needs no optimizer). The images are
the run's own validation split, rebuilt by ``prepare.load_run_dataset`` from
config.json's settings and seed, exactly as training made it: the dataset's
test split when it has one, else the same seeded hold-out.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cnn_tui.core.errors import DatasetError, first_line
from cnn_tui.core.inspect.run import (
    InspectError,
    ModelFingerprint,
    RunToInspect,
    fingerprint,
    open_run,
)

Progress = Callable[[float, str], None]

_LOAD_ATTEMPTS = 3
"""A running run replaces its checkpoint every epoch; a load that straddles a
replacement is tried again, so the fingerprint always names the bytes loaded."""


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A run's Keras model, loaded, and the fingerprint of the file it came from."""

    model: Any
    """A ``keras.Model`` taking float32 images in [0, 1], giving class probabilities."""
    fingerprint: ModelFingerprint
    path: Path


@dataclass(frozen=True, eq=False)
class Split:
    """The images a run is inspected on."""

    images: np.ndarray
    """uint8 (N, H, W, C), in the order training validated on them."""
    labels: np.ndarray
    """int64 (N,) class indices."""
    description: str
    """``test split`` or ``10% held out of train``."""


@dataclass(frozen=True, eq=False)
class LoadedRun:
    """Everything an inspection computes from: the run, its model and its split."""

    run: RunToInspect
    model: LoadedModel
    split: Split


def load_model(run: RunToInspect) -> LoadedModel:
    """The run's saved model (imports Keras); InspectError for a damaged or foreign file."""
    from cnn_tui.core.backend import ready_backend

    ready_backend()
    for _ in range(_LOAD_ATTEMPTS):
        before = fingerprint(run.model_path)
        model = _load_keras_file(run.model_path, run.name)
        if fingerprint(run.model_path) == before:
            _check_model(model, run)
            return LoadedModel(model, before, run.model_path)
    raise InspectError(f"{run.model_path} kept changing while it was loaded (the run is "
                       "saving it); try again in a moment.")


def _load_keras_file(path: Path, run_name: str) -> Any:
    import keras

    # Keras calls a truncated or garbled archive "File not found"; say what it is.
    damage = _archive_damage(path)
    if damage:
        raise InspectError(f"the model of {run_name} ({path.name}) is damaged ({damage}); "
                           "train the run again or restore the file.")
    from cnn_tui.core.augment import register_augment_layers
    from cnn_tui.core.augment_place import without_augmenter

    register_augment_layers()  # the one custom layer a model augmenting on the device holds
    try:
        # Safe mode refuses lambdas and other code in the file. Inspection looks at the
        # model the spec describes: an augmenter in front (identity outside training
        # anyway) is left out.
        return without_augmenter(keras.models.load_model(path, safe_mode=True, compile=False))
    except Exception as error:  # noqa: BLE001 - any unreadable file is the same to the user
        raise InspectError(
            f"the model of {run_name} ({path.name}) cannot be loaded "
            f"({type(error).__name__}: {first_line(error, 200)}); it is damaged, or not a model "
            "cnn-tui saved (Keras's safe mode refuses code in a model file): train the run "
            "again or restore the file."
        ) from None


def _archive_damage(path: Path) -> str:
    """Why ``path`` is not a whole zip archive (a .keras file is one), or ``""``."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()  # reads every member: a few ms per megabyte
    except zipfile.BadZipFile as error:
        return f"not a complete zip archive: {first_line(error, 100)}"
    except (OSError, EOFError, ValueError, NotImplementedError) as error:
        return f"{type(error).__name__}: {first_line(error, 100)}"
    return f"{bad} fails its checksum" if bad else ""


def _check_model(model: Any, run: RunToInspect) -> None:
    """The model must take the run's images and give one output per class."""
    try:
        inputs = tuple(model.inputs[0].shape[1:])
        outputs = tuple(model.outputs[0].shape[1:])
    except (AttributeError, IndexError, TypeError, ValueError):
        inputs = outputs = ()
    classes = len(run.class_names)
    if inputs != run.input_shape or outputs != (classes,):
        raise InspectError(
            f"the model of {run.name} takes {inputs or '?'} and gives {outputs or '?'}, but "
            f"config.json records images of {run.input_shape} and {classes} classes; the "
            "run folder's files do not belong together."
        )


def load_split(run: RunToInspect, progress: Progress | None = None) -> Split:
    """The run's validation images, rebuilt from its settings (reads the whole dataset)."""
    from cnn_tui.core.runs.prepare import load_run_dataset

    try:
        dataset = load_run_dataset(run.config, progress)
    except DatasetError as error:
        raise InspectError(
            f"the dataset of {run.name} ({run.dataset_source}) can no longer be read: "
            f"{first_line(error)}"
        ) from None
    info = dataset.info
    if tuple(info.class_names) != run.class_names or tuple(info.input_shape) != run.input_shape:
        raise InspectError(
            f"the dataset at {run.dataset_source} has changed since {run.name} was trained "
            f"(now {len(info.class_names)} classes of {info.input_shape}, then "
            f"{len(run.class_names)} of {run.input_shape}); its split cannot be rebuilt."
        )
    return Split(dataset.x_val, dataset.y_val, dataset.val_source)


def load_run(run: RunToInspect | str | Path, progress: Progress | None = None) -> LoadedRun:
    """Open (when given a path), then load the model and the split: the slow part, in a worker."""
    if not isinstance(run, RunToInspect):
        run = open_run(run)
    report: Progress = progress or (lambda _fraction, _text: None)
    report(0.0, f"loading the model of {run.name}")
    model = load_model(run)
    report(0.2, f"reading {run.dataset_source}")
    split = load_split(run, lambda fraction, text: report(0.2 + 0.8 * fraction, text))
    return LoadedRun(run, model, split)
