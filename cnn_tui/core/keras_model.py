"""Build the Keras model a spec describes.

Keras is imported inside ``build_keras_model`` so that importing this module
stays instant. The spec is checked by ``infer_shapes`` first, so a spec that
cannot build fails with the same "layer N (Type): ...; ..." message the TUI
shows, never with a Keras traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cnn_tui.core.errors import SpecError
from cnn_tui.core.shapes import ShapeReport, infer_shapes

if TYPE_CHECKING:
    import keras


def build_keras_model(
    spec: Mapping[str, Any], input_shape: tuple[int, ...], num_classes: int,
    report: ShapeReport | None = None, policy: str = "float32", augmenter: Any = None,
) -> keras.Model:
    """A ``keras.Sequential`` for images of ``input_shape`` (H, W, C) and ``num_classes``.

    The output rule of ``spec.py`` applies (the last Dense follows the
    classes unless ``"classes_from_dataset": false``); layer names equal the
    shape report's ``LayerRow.name``. ``report``: the spec's shape report for this
    input, when the caller has it (it is inferred otherwise). ``policy``: a Keras
    dtype policy (``mixed_bfloat16``...) for every layer but the last, which stays
    float32 so that the softmax and the loss are computed in full precision.
    ``augmenter``: ``build_augmenter``'s Sequential, placed right after the input
    (augmentation on the device; it is identity outside training), or None.
    Raises SpecError when the spec is invalid.
    """
    if report is None or not report.fits(input_shape, num_classes):
        report = infer_shapes(spec, tuple(input_shape), num_classes)
    check_report(report)
    import keras

    layers: list[Any] = [keras.Input(shape=tuple(input_shape))]
    if augmenter is not None:
        layers.append(augmenter)
    last = len(report.rows) - 1
    for index, row in enumerate(report.rows):
        layer_class = getattr(keras.layers, row.type)
        # Per-layer policies, not the global one: runs in other threads keep theirs.
        dtype = {} if policy == "float32" else {"dtype": "float32" if index == last else policy}
        layers.append(layer_class(name=row.name, **dict(row.args), **dtype))
    name = spec.get("name") if isinstance(spec.get("name"), str) else None
    return keras.Sequential(layers, name=_model_name(name))


def check_report(report: ShapeReport) -> None:
    """Raise SpecError with the first error (and how many more) unless the report is ok."""
    if report.ok:
        return
    first = report.errors[0]
    more = len(report.errors) - 1
    suffix = f" (and {more} more {'error' if more == 1 else 'errors'})" if more else ""
    raise SpecError(first + suffix + ".")


def _model_name(name: str | None) -> str:
    # Keras names must be usable as scopes: keep letters, digits, '_' and '-'.
    cleaned = "".join(c if c.isalnum() or c in "_-" else "_" for c in (name or "model"))
    return cleaned.strip("_") or "model"
