"""A run's evaluation over its split, computed once per model file and then read back.

``evaluate_run`` predicts every image of the split (``predict.py``) and makes
the figures (``metrics.py``); the labels and probabilities go to
``<run>/inspect/evaluation.npz`` and the figures to ``evaluation.json``,
keyed by the model file's fingerprint and the split's settings
(``cache.py``). ``cached_evaluation`` reads them back without TensorFlow or
the dataset, so the CLI and the UI answer at once for a run seen before.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cnn_tui.core.inspect.cache import read_cached, write_cached
from cnn_tui.core.inspect.loading import LoadedRun
from cnn_tui.core.inspect.metrics import Evaluation, evaluation_from_probabilities
from cnn_tui.core.inspect.predict import predict_probabilities
from cnn_tui.core.inspect.run import ModelFingerprint, RunToInspect, fingerprint

EVALUATION_STEM = "evaluation"


def evaluation_key(run: RunToInspect, model: ModelFingerprint) -> dict[str, Any]:
    """What an evaluation depends on: the model's bytes and the split's settings."""
    return {"model": model.to_json(), "data": run.data_key()}


def cached_evaluation(run: RunToInspect) -> Evaluation | None:
    """The stored evaluation of the run's current model file, or None (no TensorFlow).

    Hashes the model file (milliseconds), so it is cheap but not free.
    """
    key = evaluation_key(run, fingerprint(run.model_path))
    return _read(run, key)


def evaluate_run(loaded: LoadedRun, *, use_cache: bool = True) -> Evaluation:
    """The evaluation of the loaded model over the loaded split (slow on a miss: a worker).

    On a miss every image is predicted, in batches; the result is stored for
    next time (silently not, when the run folder is read-only).
    """
    run = loaded.run
    key = evaluation_key(run, loaded.model.fingerprint)
    if use_cache and (cached := _read(run, key)) is not None:
        return cached
    split = loaded.split
    probabilities = predict_probabilities(loaded.model.model, split.images)
    evaluation = evaluation_from_probabilities(split.labels, probabilities, run.class_names,
                                               split.description)
    write_cached(run.run_dir, EVALUATION_STEM, key, evaluation.to_json(),
                 {"labels": evaluation.labels, "probabilities": evaluation.probabilities})
    return evaluation


def _read(run: RunToInspect, key: dict[str, Any]) -> Evaluation | None:
    found = read_cached(run.run_dir, EVALUATION_STEM, key, with_arrays=True)
    if found is None:
        return None
    result, arrays = found
    labels, probabilities = arrays.get("labels"), arrays.get("probabilities")
    split = result.get("split") if isinstance(result, dict) else None
    if labels is None or probabilities is None or not isinstance(split, str):
        return None
    if labels.dtype.kind not in "iu" or probabilities.dtype != np.float32:
        return None
    try:
        # The figures are made again from the arrays: a stored JSON is never trusted for them.
        return evaluation_from_probabilities(labels, probabilities, run.class_names, split)
    except ValueError:  # arrays that do not fit the run's classes
        return None
