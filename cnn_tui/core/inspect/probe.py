"""The translation-invariance probe: accuracy on the split moved by 0, 1, ..., k pixels.

Each shift's accuracy is the mean of four: the split moved up, down, left
and right by that many pixels, the uncovered pixels filled with each
image's border background (``shift.py``). ``k`` is at most a quarter of the
image's width (the default): beyond that a 28-pixel digit has lost a
quarter of its frame, which says more about cropping than about
invariance. Results are cached per run like the evaluation
(``inspect/probe-k<k>.json``), keyed by the model file, the split and ``k``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cnn_tui.core.inspect.cache import read_cached, write_cached
from cnn_tui.core.inspect.loading import LoadedRun
from cnn_tui.core.inspect.predict import predict_probabilities
from cnn_tui.core.inspect.run import (
    InspectError,
    ModelFingerprint,
    RunToInspect,
    fingerprint,
)
from cnn_tui.core.inspect.shift import DIRECTIONS, edge_background, shift_toward

FILL = "border-mode"
"""How uncovered pixels are filled (part of the cache key): see ``shift.py``."""

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ProbeResult:
    """Accuracy per shift; ``accuracy[i]`` is for a shift of ``shifts[i]`` pixels."""

    shifts: tuple[int, ...]
    """0, 1, ..., k."""
    accuracy: tuple[float, ...]
    """The mean over the four directions (shift 0: the unshifted accuracy)."""
    by_direction: tuple[tuple[float, float, float, float], ...]
    """Per shift, the accuracy moved up, down, left, right (``DIRECTIONS``' order)."""
    n_images: int


def max_shift_for(input_shape: tuple[int, int, int]) -> int:
    """The largest shift probed, and the default: a quarter of the image's width."""
    return input_shape[1] // 4


def checked_max_shift(run: RunToInspect, max_shift: int | None) -> int:
    """``max_shift``, or the run's default; InspectError when it is out of range."""
    limit = max_shift_for(run.input_shape)
    if max_shift is None:
        return limit
    if not 0 <= max_shift <= limit:
        raise InspectError(f"the maximum shift for {run.name} must be from 0 to {limit} pixels "
                           f"(a quarter of its {run.input_shape[1]}-pixel width), not "
                           f"{max_shift}.")
    return max_shift


def probe_key(run: RunToInspect, model: ModelFingerprint, max_shift: int) -> dict[str, Any]:
    return {"model": model.to_json(), "data": run.data_key(), "max_shift": max_shift,
            "fill": FILL}


def cached_probe(run: RunToInspect, max_shift: int | None = None) -> ProbeResult | None:
    """The stored probe of the run's current model file, or None (no TensorFlow)."""
    k = checked_max_shift(run, max_shift)
    found = read_cached(run.run_dir, _stem(k), probe_key(run, fingerprint(run.model_path), k))
    return None if found is None else _from_json(found[0], k)


def probe_run(loaded: LoadedRun, max_shift: int | None = None, *, use_cache: bool = True,
              progress: Progress | None = None) -> ProbeResult:
    """Accuracy at each shift from 0 to ``max_shift`` (slow on a miss: 4k+1 passes; a worker).

    ``progress(fraction, text)`` is called after each pass; it may raise to
    abandon the probe (nothing is cached then).
    """
    run = loaded.run
    k = checked_max_shift(run, max_shift)
    key = probe_key(run, loaded.model.fingerprint, k)
    if use_cache:
        found = read_cached(run.run_dir, _stem(k), key)
        if found is not None and (result := _from_json(found[0], k)) is not None:
            return result
    report: Progress = progress or (lambda _fraction, _text: None)
    images, labels = loaded.split.images, loaded.split.labels
    fill = edge_background(images)
    passes = 1 + 4 * k

    def accuracy(shifted: np.ndarray) -> float:
        predicted = predict_probabilities(loaded.model.model, shifted).argmax(axis=1)
        return float(np.mean(predicted == labels)) if len(labels) else 0.0

    unshifted = accuracy(images)
    report(1 / passes, f"{run.name}: unshifted accuracy {unshifted:.4f}")
    rows: list[tuple[float, float, float, float]] = [(unshifted,) * 4]
    for pixels in range(1, k + 1):
        row = []
        for direction in DIRECTIONS:
            row.append(accuracy(shift_toward(images, direction, pixels, fill)))
            report((1 + 4 * (pixels - 1) + len(row)) / passes,
                   f"{run.name}: {pixels} px {direction}")
        rows.append((row[0], row[1], row[2], row[3]))
    result = ProbeResult(tuple(range(k + 1)), tuple(float(np.mean(r)) for r in rows),
                         tuple(rows), len(labels))
    write_cached(run.run_dir, _stem(k), key, _to_json(result))
    return result


def _stem(max_shift: int) -> str:
    return f"probe-k{max_shift}"


def _to_json(result: ProbeResult) -> dict[str, Any]:
    return {"shifts": list(result.shifts), "accuracy": list(result.accuracy),
            "by_direction": [list(row) for row in result.by_direction],
            "directions": list(DIRECTIONS), "n_images": result.n_images}


def _from_json(data: Any, max_shift: int) -> ProbeResult | None:
    """The stored result, or None when it is not what ``_to_json`` writes for this ``k``."""
    if not isinstance(data, dict):
        return None
    rows, count = data.get("by_direction"), data.get("n_images")
    if (data.get("shifts") != list(range(max_shift + 1)) or not isinstance(rows, list)
            or len(rows) != max_shift + 1 or not isinstance(count, int)):
        return None
    if not all(isinstance(row, list) and len(row) == 4 and all(_is_share(v) for v in row)
               for row in rows):
        return None
    by_direction = tuple((float(r[0]), float(r[1]), float(r[2]), float(r[3])) for r in rows)
    return ProbeResult(tuple(range(max_shift + 1)),
                       tuple(float(np.mean(row)) for row in by_direction), by_direction, count)


def _is_share(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and 0.0 <= value <= 1.0)
