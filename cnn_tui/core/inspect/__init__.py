"""Inspecting a trained run: its evaluation, single images, and a shift probe.

The API the CLI (``cnn-tui inspect``, ``predict``, ``probe``) and the TUI
share. Cheap calls (no TensorFlow, milliseconds) may run on the UI thread;
the slow ones load Keras, read the dataset or run the model over thousands
of images and belong in a worker thread.

    run = open_run(path)                      # cheap; InspectError says why not
    evaluation = cached_evaluation(run)       # cheap; None on a miss
    loaded = load_run(run, progress)          # slow: model + the run's split
    evaluation = evaluate_run(loaded)         # slow on a miss, then cached
    extractor = FeatureExtractor(loaded.model.model)   # once per loaded model
    inside = extractor.inside(loaded.split.images[i])  # < 0.3 s: maps + probabilities
    filters = first_filters(loaded.model.model)
    probe = probe_run(loaded, max_shift=None, progress=progress)  # slow on a miss

Every failure the user can cause is an ``InspectError`` (a ``CnnTuiError``)
whose message is one sentence.
"""

from __future__ import annotations

from cnn_tui.core.inspect.evaluate import cached_evaluation, evaluate_run
from cnn_tui.core.inspect.features import (
    FeatureExtractor,
    FeatureMap,
    Filters,
    ImageInside,
    first_filters,
    scale_to_unit,
)
from cnn_tui.core.inspect.images import read_image_file, read_image_files
from cnn_tui.core.inspect.loading import (
    LoadedModel,
    LoadedRun,
    Split,
    load_model,
    load_run,
    load_split,
)
from cnn_tui.core.inspect.metrics import (
    ClassFigures,
    ConfusedPair,
    Evaluation,
    evaluation_from_probabilities,
)
from cnn_tui.core.inspect.predict import (
    ClassProbability,
    predict_probabilities,
    top_classes,
)
from cnn_tui.core.inspect.probe import (
    ProbeResult,
    cached_probe,
    checked_max_shift,
    max_shift_for,
    probe_run,
)
from cnn_tui.core.inspect.run import InspectError, RunToInspect, open_run
from cnn_tui.core.inspect.shift import DIRECTIONS, edge_background, shift_images

__all__ = [
    "DIRECTIONS",
    "ClassFigures",
    "ClassProbability",
    "ConfusedPair",
    "Evaluation",
    "FeatureExtractor",
    "FeatureMap",
    "Filters",
    "ImageInside",
    "InspectError",
    "LoadedModel",
    "LoadedRun",
    "ProbeResult",
    "RunToInspect",
    "Split",
    "cached_evaluation",
    "cached_probe",
    "checked_max_shift",
    "edge_background",
    "evaluate_run",
    "evaluation_from_probabilities",
    "first_filters",
    "load_model",
    "load_run",
    "load_split",
    "max_shift_for",
    "open_run",
    "predict_probabilities",
    "probe_run",
    "read_image_file",
    "read_image_files",
    "scale_to_unit",
    "shift_images",
    "top_classes",
]
