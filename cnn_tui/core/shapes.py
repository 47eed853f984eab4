"""Shape inference and parameter counts for a spec, in pure Python.

``infer_shapes`` walks the layers with Keras's output-size rules ('valid':
floor((W - K) / S) + 1; 'same': ceil(W / S)) so the TUI can redraw the shape
table on every keystroke without waiting for TensorFlow. It never raises:
every problem becomes an error on the row of the layer that causes it,
phrased "layer N (Type): what is wrong; what would fix it". A test builds
each spec with Keras and checks that the numbers agree.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cnn_tui.core.errors import SpecError
from cnn_tui.core.layers import (
    CONV_TYPES,
    LAYER_SCHEMAS,
    POOL_TYPES,
    pair,
    resolve_layer_args,
)
from cnn_tui.core.memory import activation_problem, model_size_problem
from cnn_tui.core.shape_text import (
    format_report_table,
    layer_arithmetic,
    report_to_json,
    summarize_args,
)
from cnn_tui.core.spec import check_spec_values, classes_from_dataset, effective_layers

Shape = tuple[int, ...]

_NEEDS_IMAGE = CONV_TYPES | POOL_TYPES | {
    "GlobalAveragePooling2D", "GlobalMaxPooling2D", "SpatialDropout2D", "ZeroPadding2D",
}


@dataclass(frozen=True)
class LayerRow:
    """One layer of the shape table."""

    index: int
    """1-based position in the spec."""
    name: str
    """Keras-style name: conv2d, conv2d_1, dense, ... (the Keras builder uses it too)."""
    type: str
    args_summary: str
    """Short human summary of the arguments: "32 3x3 same relu"."""
    input_shape: Shape | None
    output_shape: Shape | None
    """Without the batch axis; None when this or an earlier layer is invalid (a wrong
    final output is reported on the last row, which keeps its shape so it can be seen)."""
    params: int
    trainable_params: int
    error: str | None
    """"layer 3 (Conv2D): ...; ..." (one line a problem) or None."""
    args: Mapping[str, Any] = field(default_factory=dict, compare=False)
    """Every argument's value (given or Keras's default), after the output rule."""


@dataclass(frozen=True)
class ShapeReport:
    """The whole table plus totals and every error in order."""

    input_shape: Shape
    rows: tuple[LayerRow, ...]
    total_params: int
    trainable_params: int
    errors: tuple[str, ...]
    num_classes: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def output_shape(self) -> Shape | None:
        return self.rows[-1].output_shape if self.rows and self.ok else None


class _Problem(Exception):
    """A layer that cannot take its input; the message is "what; fix"."""


def infer_shapes(spec: Mapping[str, Any], input_shape: Shape, num_classes: int) -> ShapeReport:
    """The shape table of ``spec`` on images of ``input_shape`` (H, W, C)."""
    input_shape = tuple(input_shape)
    general = _check_model_inputs(spec, input_shape, num_classes)
    if general:
        return ShapeReport(input_shape, (), 0, 0, tuple(general), num_classes)
    rows: list[LayerRow] = []
    name_counts: dict[str, int] = {}
    current: Shape | None = input_shape
    for number, layer in enumerate(effective_layers(spec, num_classes), start=1):
        row = _infer_row(number, layer, current, name_counts)
        rows.append(row)
        current = row.output_shape
    if current is not None:
        problem = _final_output_problem(spec, current, num_classes)
        if problem:
            last = rows[-1]
            rows[-1] = LayerRow(last.index, last.name, last.type, last.args_summary,
                                last.input_shape, last.output_shape, last.params,
                                last.trainable_params, _prefix(last, problem), last.args)
    errors = tuple(line for row in rows if row.error for line in row.error.split("\n"))
    total = sum(r.params for r in rows)
    too_big = model_size_problem(total)  # checked here so summary, train and the TUI refuse it
    return ShapeReport(
        input_shape, tuple(rows), total, sum(r.trainable_params for r in rows),
        errors + ((too_big,) if too_big else ()), num_classes,
    )


def _check_model_inputs(spec: Any, input_shape: Shape, num_classes: int) -> list[str]:
    problems = []
    if not (len(input_shape) == 3 and all(isinstance(d, int) and d > 0 for d in input_shape)):
        problems.append(f"model: input shape {input_shape} is not (height, width, channels); "
                        "use a dataset of images")
    if not isinstance(num_classes, int) or num_classes < 1:
        problems.append(f"model: {num_classes} classes; use a dataset with labelled classes")
    if not isinstance(spec, Mapping) or not isinstance(spec.get("layers"), list):
        problems.append('model: the spec is not {"layers": [...]}; load a preset or a JSON spec')
    elif not spec["layers"]:
        problems.append("model: the spec has no layers; add layers, e.g. Flatten then Dense")
    elif not isinstance(spec.get("classes_from_dataset", True), bool):
        problems.append('model: "classes_from_dataset" must be true or false; fix the spec')
    else:
        try:  # NaN, huge numbers or deep nesting in a spec given as a dict (not via load_spec)
            check_spec_values(spec)
        except SpecError as error:
            problems.append(str(error).rstrip("."))
    return problems


def _infer_row(number: int, layer: Any, shape: Shape | None, counts: dict[str, int]) -> LayerRow:
    kind = layer.get("type") if isinstance(layer, Mapping) else None
    kind_text = kind if isinstance(kind, str) and kind else "?"
    name = _unique_name(kind_text, counts)
    schema = LAYER_SCHEMAS.get(kind_text)

    def failed(message: str, args: Mapping[str, Any] | None = None, summary: str = "") -> LayerRow:
        text = "\n".join(f"layer {number} ({kind_text}): {m}" for m in message.split("\n"))
        return LayerRow(number, name, kind_text, summary, shape, None, 0, 0, text, args or {})

    if not isinstance(layer, Mapping):
        return failed('is not an object; write it as {"type": "Dense", ...}')
    if kind is None:
        return failed(f'has no "type"; add "type" with one of {", ".join(LAYER_SCHEMAS)}')
    if schema is None:
        return failed(f"unknown layer type; use one of {', '.join(LAYER_SCHEMAS)}")
    args, problems = resolve_layer_args(schema, dict(layer))
    if problems:
        return failed("\n".join(problems), args, summarize_args(kind_text, args))
    summary = summarize_args(kind_text, args)
    if shape is None:
        return LayerRow(number, name, kind_text, summary, None, None, 0, 0, None, args)
    try:
        out, params, trainable = _layer_output(kind_text, args, shape)
    except _Problem as exc:
        return failed(str(exc), args, summary)
    if (problem := activation_problem(out)) is not None:
        return failed(problem, args, summary)
    return LayerRow(number, name, kind_text, summary, shape, out, params, trainable, None, args)


def _layer_output(kind: str, args: Mapping[str, Any], shape: Shape) -> tuple[Shape, int, int]:
    """(output shape, params, trainable params) of one layer, or _Problem."""
    if kind in _NEEDS_IMAGE and len(shape) != 3:
        raise _Problem(f"needs an image-shaped input (height, width, channels) but gets "
                       f"{_fmt_shape(shape)}; move it before Flatten/global pooling")
    if kind in CONV_TYPES or kind in POOL_TYPES:
        window_name = "kernel_size" if kind in CONV_TYPES else "pool_size"
        window = pair(args[window_name])
        strides = pair(args["strides"] if args["strides"] is not None else args[window_name])
        height, width = (
            _window_out(shape[axis], window[axis], strides[axis], args["padding"], window_name)
            for axis in (0, 1)
        )
        channels = shape[2]
        if kind in POOL_TYPES:
            return (height, width, channels), 0, 0
        bias = int(args["use_bias"])
        kh, kw = window
        if kind == "Conv2D":
            filters = args["filters"]
            params = kh * kw * channels * filters + bias * filters
        elif kind == "DepthwiseConv2D":
            filters = channels * args["depth_multiplier"]
            params = kh * kw * filters + bias * filters
        else:  # SeparableConv2D: depthwise kernel, then a 1x1 pointwise conv
            mid = channels * args["depth_multiplier"]
            filters = args["filters"]
            params = kh * kw * mid + mid * filters + bias * filters
        return (height, width, filters), params, params
    if kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        return (shape[2],), 0, 0
    if kind == "ZeroPadding2D":
        ph, pw = pair(args["padding"])
        return (shape[0] + 2 * ph, shape[1] + 2 * pw, shape[2]), 0, 0
    if kind == "Flatten":
        return (math.prod(shape),), 0, 0
    if kind == "Dense":
        if len(shape) != 1:
            raise _Problem(f"gets a {len(shape)}-D input {_fmt_shape(shape)}; "
                           "add Flatten or GlobalAveragePooling2D before it")
        units = args["units"]
        params = shape[0] * units + int(args["use_bias"]) * units
        return (units,), params, params
    if kind == "BatchNormalization":
        channels = shape[-1]
        trainable = channels * (int(args["center"]) + int(args["scale"]))
        return shape, trainable + 2 * channels, trainable
    return shape, 0, 0  # Dropout, SpatialDropout2D, Activation keep the shape


def _window_out(size: int, window: int, stride: int, padding: str, what: str) -> int:
    if padding == "same":
        return -(-size // stride)
    if window > size:
        raise _Problem(
            f"{what} {window} is larger than its input size {size} (the output size would "
            f"reach zero); use a {what} <= {size}, padding='same', or remove an earlier "
            "pooling layer"
        )
    return (size - window) // stride + 1


def _final_output_problem(spec: Mapping[str, Any], out: Shape, num_classes: int) -> str | None:
    if out == (num_classes,):
        return None
    fix = f"end with Dense(units={num_classes}, activation='softmax')"
    if len(out) != 1:
        return (f"the model ends with {_fmt_shape(out)} but must end with ({num_classes},) "
                f"class scores; add Flatten or GlobalAveragePooling2D, then {fix}")
    if not classes_from_dataset(spec):
        return (f"the model outputs {out[0]} values but the dataset has {num_classes} classes; "
                f'set the last Dense units to {num_classes} or drop "classes_from_dataset": false')
    return f"the model outputs {out[0]} values but the dataset has {num_classes} classes; {fix}"


def _prefix(row: LayerRow, message: str) -> str:
    line = f"layer {row.index} ({row.type}): {message}"
    return f"{row.error}\n{line}" if row.error else line


def _unique_name(kind: str, counts: dict[str, int]) -> str:
    # Keras's to_snake_case, then a _N suffix from the second layer of a kind on.
    base = re.sub(r"\W+", "", kind) or "layer"
    base = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", base)
    base = re.sub("([a-z])([A-Z])", r"\1_\2", base).lower()
    seen = counts.get(base, 0)
    counts[base] = seen + 1
    return base if seen == 0 else f"{base}_{seen}"


def _fmt_shape(shape: Shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


__all__ = [
    "LayerRow",
    "ShapeReport",
    "format_report_table",
    "infer_shapes",
    "layer_arithmetic",
    "report_to_json",
    "summarize_args",
]
