"""Shape inference and parameter counts for a spec, in pure Python.

``infer_shapes`` walks the layers, asking each layer type's rule
(``layer_rules``: Keras's output-size rules, 'valid': floor((W - K) / S) + 1;
'same': ceil(W / S)) for its output, parameters, multiply-accumulates and
receptive field (which carries from layer to layer), so the TUI can redraw the
shape table on every keystroke without waiting for TensorFlow. What is here
is what concerns the model as a whole: its inputs, Keras's layer names,
the output rule and the size limits. It never raises: every problem becomes
an error on the row of the layer that causes it, phrased "layer N (Type):
what is wrong; what would fix it". A test builds each spec with Keras and
checks that the numbers, and the specs refused, agree.

``LayerRow`` and ``ShapeReport`` (report.py) and the views of a report
(shape_text.py) are re-exported from here, where the UI and CLI import them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cnn_tui.core.errors import SpecError
from cnn_tui.core.layer_rules import RULES, LayerProblem, LayerRule, summarize_args
from cnn_tui.core.layer_rules.base import count_macs
from cnn_tui.core.layer_rules.receptive import INPUT_FIELD, next_field
from cnn_tui.core.layers import LAYER_SCHEMAS, resolve_layer_args
from cnn_tui.core.memory import activation_problem, model_size_problem
from cnn_tui.core.report import LayerRow, ReceptiveField, Shape, ShapeReport
from cnn_tui.core.shape_format import format_shape
from cnn_tui.core.shape_text import format_report_table, layer_arithmetic, report_to_json
from cnn_tui.core.spec import check_spec_values, classes_from_dataset, effective_layers

if TYPE_CHECKING:
    from cnn_tui.core.datasets import DatasetInfo


def infer_shapes(spec: Mapping[str, Any], input_shape: Shape, num_classes: int) -> ShapeReport:
    """The shape table of ``spec`` on images of ``input_shape`` (H, W, C)."""
    input_shape = tuple(input_shape)
    general = _check_model_inputs(spec, input_shape, num_classes)
    if general:
        return ShapeReport(input_shape, (), 0, 0, tuple(general), num_classes)
    rows: list[LayerRow] = []
    name_counts: dict[str, int] = {}
    current: Shape | None = input_shape
    field: ReceptiveField | None = INPUT_FIELD
    for number, layer in enumerate(effective_layers(spec, num_classes), start=1):
        row = _infer_row(number, layer, current, field, name_counts)
        rows.append(row)
        current, field = row.output_shape, row.receptive_field
    if current is not None:
        problem = _final_output_problem(spec, current, num_classes)
        if problem:
            rows[-1] = dataclasses.replace(rows[-1], error=_prefix(rows[-1], problem))
    errors = tuple(line for row in rows if row.error for line in row.error.split("\n"))
    total = sum(r.params for r in rows)
    too_big = model_size_problem(total)  # checked here so summary, train and the TUI refuse it
    return ShapeReport(
        input_shape, tuple(rows), total, sum(r.trainable_params for r in rows),
        errors + ((too_big,) if too_big else ()), num_classes,
    )


def report_for(
    model: str | Mapping[str, Any], dataset: str, image_size: tuple[int, int] | None = None
) -> tuple[DatasetInfo, ShapeReport]:
    """A model (preset, spec path or spec) on a dataset's input, without loading the data.

    The dataset is only peeked at (a named one's shape is known), so this
    answers in milliseconds: the CLI checks a spec before loading anything.
    """
    from cnn_tui.core.datasets import peek_dataset
    from cnn_tui.core.spec import load_spec

    spec = dict(model) if isinstance(model, Mapping) else load_spec(model)
    info = peek_dataset(dataset, image_size=image_size)
    return info, infer_shapes(spec, info.input_shape, info.num_classes)


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


def _infer_row(number: int, layer: Any, shape: Shape | None, field: ReceptiveField | None,
               counts: dict[str, int]) -> LayerRow:
    kind = layer.get("type") if isinstance(layer, Mapping) else None
    kind_text = kind if isinstance(kind, str) and kind else "?"
    name = _unique_name(kind_text, counts)
    schema = LAYER_SCHEMAS.get(kind_text)
    rule = RULES.get(kind_text)

    def failed(message: str, args: Mapping[str, Any] | None = None, summary: str = "") -> LayerRow:
        text = "\n".join(f"layer {number} ({kind_text}): {m}" for m in message.split("\n"))
        return LayerRow(number, name, kind_text, summary, shape, None, 0, 0, text, args or {})

    if not isinstance(layer, Mapping):
        return failed('is not an object; write it as {"type": "Dense", ...}')
    if kind is None:
        return failed(f'has no "type"; add "type" with one of {", ".join(LAYER_SCHEMAS)}')
    if schema is None or rule is None:
        return failed(f"unknown layer type; use one of {', '.join(LAYER_SCHEMAS)}")
    args, problems = resolve_layer_args(schema, dict(layer))
    summary = rule.summary(args)  # also for rejected arguments: the row still reads well
    if problems:
        return failed("\n".join(problems), args, summary)
    if shape is None or field is None:  # an earlier layer failed: nothing to build on
        return LayerRow(number, name, kind_text, summary, None, None, 0, 0, None, args)
    try:
        out, params, trainable = _layer_output(rule, args, shape)
    except LayerProblem as exc:
        return failed(str(exc), args, summary)
    if (problem := activation_problem(out)) is not None:
        return failed(problem, args, summary)
    macs = count_macs(rule.mac_terms(args, shape, out))
    seen = next_field(field, rule.field_step(args))
    return LayerRow(number, name, kind_text, summary, shape, out, params, trainable, None, args,
                    macs=macs, receptive_field=seen)


def _layer_output(rule: LayerRule, args: Mapping[str, Any], shape: Shape) -> tuple[Shape, int, int]:
    """(output shape, params, trainable params) of one layer, or LayerProblem."""
    if rule.needs_image and len(shape) != 3:
        # One message for every image layer, so it can say where such a layer belongs.
        raise LayerProblem(f"needs an image-shaped input (height, width, channels) but gets "
                           f"{format_shape(shape, 'tuple')}; move it before Flatten/global pooling")
    out = rule.output(args, shape)
    params, trainable = rule.params(args, shape)
    return out, params, trainable


def _final_output_problem(spec: Mapping[str, Any], out: Shape, num_classes: int) -> str | None:
    if out == (num_classes,):
        return None
    fix = f"end with Dense(units={num_classes}, activation='softmax')"
    if len(out) != 1:
        return (f"the model ends with {format_shape(out, 'tuple')} but must end with "
                f"({num_classes},) class scores; add Flatten or GlobalAveragePooling2D, then {fix}")
    if not classes_from_dataset(spec):
        return (f"the model outputs {out[0]} values but the dataset has {num_classes} classes; "
                f'set the last Dense units to {num_classes} or drop "classes_from_dataset": false')
    return f"the model outputs {out[0]} values but the dataset has {num_classes} classes; {fix}"


def _prefix(row: LayerRow, message: str) -> str:
    # The last row has no error of its own: a row with one has no output to judge.
    return f"layer {row.index} ({row.type}): {message}"


def _unique_name(kind: str, counts: dict[str, int]) -> str:
    # Keras's to_snake_case, then a _N suffix from the second layer of a kind on.
    base = re.sub(r"\W+", "", kind) or "layer"
    base = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", base)
    base = re.sub("([a-z])([A-Z])", r"\1_\2", base).lower()
    seen = counts.get(base, 0)
    counts[base] = seen + 1
    return base if seen == 0 else f"{base}_{seen}"


__all__ = [
    "LayerRow",
    "ShapeReport",
    "format_report_table",
    "infer_shapes",
    "layer_arithmetic",
    "report_to_json",
    "summarize_args",
]
