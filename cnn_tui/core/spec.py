"""Model specs: plain data describing a Keras Sequential model.

A spec is a dict::

    {"layers": [{"type": "Conv2D", "filters": 32, "kernel_size": 3, "padding": "same",
                 "activation": "relu"},
                {"type": "MaxPooling2D", "pool_size": 2},
                {"type": "Flatten"},
                {"type": "Dense", "units": 10, "activation": "softmax"}]}

Each layer names a Keras layer class (``type``) and Keras's own argument
names; arguments left out take Keras's defaults (see ``layers.LAYER_SCHEMAS``).
Optional top-level keys: ``"name"``, ``"description"`` (strings) and
``"classes_from_dataset"`` (bool, default true).

The output rule: the input shape always comes from the dataset, and by
default the LAST Dense layer's ``units`` follow the dataset's number of
classes, whatever valid units the spec gives (or when it gives none), so one
spec fits MNIST (10 classes) and CIFAR-100 (100 classes) alike. A value that
is no valid units (10.5, "ten") is still an error: it is a mistake to show,
not a number to overwrite. With
``"classes_from_dataset": false`` the spec is taken as written, and a model
whose output is not one value per class is a validation error.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cnn_tui.core.errors import SpecError
from cnn_tui.core.layers import LAYER_SCHEMAS, ArgValueError
from cnn_tui.core.limits import MAX_SPEC_DEPTH, MAX_SPEC_INT, digit_count
from cnn_tui.core.presets import PRESETS

TOP_LEVEL_KEYS = ("layers", "classes_from_dataset", "name", "description")


def load_spec(name_or_path: str | Path) -> dict[str, Any]:
    """A fresh copy of the preset ``name_or_path``, or the spec in that JSON file.

    Raises SpecError (naming the file) when the file is missing, is not JSON,
    or does not have the structure of a spec. Layer arguments are checked
    later by ``shapes.infer_shapes``, which knows the input shape.
    """
    text = str(name_or_path)
    if text in PRESETS:
        return copy.deepcopy(PRESETS[text])
    path = Path(text).expanduser()
    if not path.exists():
        if path.suffix.lower() == ".json" or "/" in text or "\\" in text:
            raise SpecError(f"model file {text} does not exist; check the path.")
        raise SpecError(
            f"unknown model {text!r}; use one of {', '.join(PRESETS)} or a path to a JSON spec."
        )
    if path.is_dir():
        raise SpecError(f"model {text} is a folder; pass a JSON spec file or a preset name.")
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read model file {text} ({exc}); check the file.") from None
    try:
        spec = json.loads(raw, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"model file {text} is not valid JSON (line {exc.lineno} column {exc.colno}: "
            f"{exc.msg}); fix the file or start from a preset saved with save_spec."
        ) from None
    except _LongNumber as exc:
        raise SpecError(
            f"model file {text} holds a {exc} number, far beyond any layer argument; "
            "fix the file."
        ) from None
    except RecursionError:
        raise SpecError(
            f"model file {text} is nested too deeply to be a model spec "
            '(an object with a "layers" list of objects); fix the file.'
        ) from None
    check_spec_structure(spec, source=f"model file {text}")
    return dict(spec)


def save_spec(spec: Mapping[str, Any], path: str | Path) -> None:
    """Write ``spec`` as JSON that ``load_spec`` reads back unchanged."""
    check_spec_structure(spec)
    target = Path(path).expanduser()
    try:
        target.write_text(spec_to_json(spec) + "\n", encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot write model file {target} ({exc}); pick another path.") from None


def spec_to_json(spec: Mapping[str, Any]) -> str:
    """JSON text with one layer a line, which reads well and diffs well."""
    head = {key: spec[key] for key in spec if key != "layers"}
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value)},")
    layers = [json.dumps(_jsonable(layer)) for layer in spec.get("layers", [])]
    if layers:
        lines.append('  "layers": [')
        lines.append(",\n".join(f"    {layer}" for layer in layers))
        lines.append("  ]")
    else:
        lines.append('  "layers": []')
    lines.append("}")
    return "\n".join(lines)


def check_spec_structure(spec: Any, source: str = "model spec") -> None:
    """Raise SpecError unless ``spec`` has the structure of a spec.

    Checks the container (a dict with a "layers" list of dicts that each have a
    known "type") and unknown argument names; values are checked by the shape
    inference, where their errors name the layer.
    """
    if not isinstance(spec, Mapping):
        raise SpecError(
            f'{source} must be a JSON object like {{"layers": [...]}}, '
            f"not {_json_kind(spec)}; wrap the layer list in an object."
        )
    check_spec_values(spec, source)
    unknown_keys = [key for key in spec if key not in TOP_LEVEL_KEYS]
    if unknown_keys:
        raise SpecError(
            f"{source} has unknown key {', '.join(repr(k) for k in unknown_keys)}; "
            f"valid keys are {', '.join(TOP_LEVEL_KEYS)}."
        )
    if "layers" not in spec:
        raise SpecError(f'{source} has no "layers" list; add "layers": [...] with the layers.')
    layers = spec["layers"]
    if not isinstance(layers, list):
        raise SpecError(f'{source}: "layers" must be a list, not {_json_kind(layers)}.')
    flag = spec.get("classes_from_dataset", True)
    if not isinstance(flag, bool):
        raise SpecError(f'{source}: "classes_from_dataset" must be true or false.')
    for key in ("name", "description"):
        if key in spec and not isinstance(spec[key], str):
            raise SpecError(f'{source}: "{key}" must be a string.')
    for number, layer in enumerate(layers, start=1):
        if not isinstance(layer, Mapping):
            raise SpecError(
                f'{source}: layer {number} must be an object like {{"type": "Dense", ...}}, '
                f"not {_json_kind(layer)}."
            )
        kind = layer.get("type")
        if not isinstance(kind, str) or not kind:
            raise SpecError(
                f'{source}: layer {number} has no "type"; add one of {", ".join(LAYER_SCHEMAS)}.'
            )
        schema = LAYER_SCHEMAS.get(kind)
        if schema is None:
            raise SpecError(
                f"{source}: layer {number} ({kind}) is not a supported layer type; "
                f"use one of {', '.join(LAYER_SCHEMAS)}."
            )
        unknown = [key for key in layer if key != "type" and key not in schema.arg_names]
        if unknown:
            valid = ", ".join(schema.arg_names) or "none"
            raise SpecError(
                f"{source}: layer {number} ({kind}) has unknown argument "
                f"{', '.join(repr(k) for k in unknown)}; valid arguments are: {valid}."
            )


def check_spec_values(spec: Any, source: str = "model spec") -> None:
    """Raise SpecError for NaN, infinity, a huge number or deep nesting anywhere in ``spec``.

    Walks without recursion, so a spec nested 100,000 deep is refused here
    rather than crashing a later copy or JSON dump with RecursionError.
    """
    stack: list[tuple[Any, str, int]] = [(spec, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        place = f"{source}: {where}" if where else source
        if depth > MAX_SPEC_DEPTH:
            raise SpecError(f"{place} is nested more than {MAX_SPEC_DEPTH} levels deep; "
                            "a layer argument is a number, a string or a pair, so fix it.")
        if isinstance(value, float) and not math.isfinite(value):
            raise SpecError(f"{place} is {'NaN' if math.isnan(value) else value}; "
                            "use a finite number.")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SPEC_INT:
            raise SpecError(f"{place} is a {digit_count(value)}-digit number, out of range for "
                            "any layer argument; use a realistic value.")
        if isinstance(value, Mapping):
            stack.extend((item, f"{where}.{key}".lstrip("."), depth + 1)
                         for key, item in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))


class _LongNumber(ValueError):
    """A JSON integer too long to be an argument (int() refuses over 4300 digits)."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > 30:
        raise _LongNumber(f"{len(text.lstrip('-'))}-digit")
    return int(text)


def classes_from_dataset(spec: Mapping[str, Any]) -> bool:
    """Whether the last Dense layer's units follow the dataset (the default)."""
    return bool(spec.get("classes_from_dataset", True))


def effective_layers(spec: Mapping[str, Any], num_classes: int) -> list[Any]:
    """The spec's layers with the output rule applied (copies; the spec is untouched).

    Items that are not dicts are passed through, so positions keep their numbers.
    """
    layers = [dict(layer) if isinstance(layer, Mapping) else layer
              for layer in spec.get("layers", [])]
    if classes_from_dataset(spec):
        for layer in reversed(layers):
            if isinstance(layer, dict) and layer.get("type") == "Dense":
                if _valid_units(layer):
                    layer["units"] = num_classes
                break
    return layers


def _valid_units(layer: Mapping[str, Any]) -> bool:
    """Whether the output rule may replace this Dense's units: absent or a valid value.

    An invalid one is left for the shape inference to report on the layer's row.
    """
    if "units" not in layer:
        return True
    try:
        LAYER_SCHEMAS["Dense"].arg("units").coerce(layer["units"])
    except ArgValueError:
        return False
    return True


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    return type(value).__name__
