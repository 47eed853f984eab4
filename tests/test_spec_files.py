"""Model spec files and dicts: every refusal in full, the JSON written, the values walked."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from cnn_tui.core.errors import SpecError
from cnn_tui.core.layers import LAYER_SCHEMAS
from cnn_tui.core.limits import MAX_SPEC_DEPTH, MAX_SPEC_INT
from cnn_tui.core.presets import PRESETS
from cnn_tui.core.spec import (
    check_spec_structure,
    check_spec_values,
    effective_layers,
    load_spec,
    save_spec,
    spec_to_json,
)

TYPES = ", ".join(LAYER_SCHEMAS)


def refusal(call: Any, *args: Any) -> str:
    with pytest.raises(SpecError) as info:
        call(*args)
    return str(info.value)


@pytest.mark.parametrize(
    "text", ["missing.json", "MISSING.JSON", "specs/missing", "specs\\missing", "~/missing"])
def test_a_missing_file_is_named(text: str) -> None:
    assert refusal(load_spec, text) == f"model file {text} does not exist; check the path."


def test_an_unknown_preset_lists_the_presets() -> None:
    assert refusal(load_spec, "resnet") == (
        f"unknown model 'resnet'; use one of {', '.join(PRESETS)} or a path to a JSON spec.")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not valid JSON (line 1 column 2: Expecting property name enclosed in "
                      "double quotes); fix the file or start from a preset saved with save_spec."),
        ('{"layers": [], "x": ' + "9" * 31 + "}",
         "holds a 31-digit number, far beyond any layer argument; fix the file."),
        ('{"layers": [], "x": -' + "9" * 31 + "}",
         "holds a 31-digit number, far beyond any layer argument; fix the file."),
        ("[" * 100_000 + "]" * 100_000, 'is nested too deeply to be a model spec (an object with '
                                        'a "layers" list of objects); fix the file.'),
    ],
)
def test_a_file_that_is_no_json_spec_says_why(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(text, encoding="utf-8")
    assert refusal(load_spec, path) == f"model file {path} {message}"


def test_thirty_digits_still_load_and_reach_the_shape_check(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text('{"layers": [{"type": "Dense", "units": ' + "9" * 15 + "}]}")
    assert load_spec(path)["layers"][0]["units"] == int("9" * 15)
    path.write_text('{"layers": [{"type": "Dense", "units": ' + "9" * 30 + "}]}")
    assert refusal(load_spec, path).startswith(
        f"model file {path}: layers[0].units is a 30-digit number, out of range")


def test_an_unreadable_file_says_why(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(b"\xff\xfe")
    assert refusal(load_spec, path) == (
        f"cannot read model file {path} ('utf-8' codec can't decode byte 0xff in position 0: "
        "invalid start byte); check the file.")


def test_a_spec_that_cannot_be_saved_says_why(tmp_path: Path) -> None:
    assert refusal(save_spec, {"layers": []}, tmp_path) == (
        f"cannot write model file {tmp_path} ([Errno 21] Is a directory: '{tmp_path}'); "
        "pick another path.")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ([], 'model spec must be a JSON object like {"layers": [...]}, not a list; '
             "wrap the layer list in an object."),
        ("x", 'model spec must be a JSON object like {"layers": [...]}, not a string; '
              "wrap the layer list in an object."),
        (True, 'model spec must be a JSON object like {"layers": [...]}, not a boolean; '
               "wrap the layer list in an object."),
        (2.5, 'model spec must be a JSON object like {"layers": [...]}, not a number; '
              "wrap the layer list in an object."),
        (None, 'model spec must be a JSON object like {"layers": [...]}, not null; '
               "wrap the layer list in an object."),
        ({1, 2}, 'model spec must be a JSON object like {"layers": [...]}, not set; '
                 "wrap the layer list in an object."),
        ({"layers": [], "a": 1, "b": 2}, "model spec has unknown key 'a', 'b'; valid keys are "
                                         "layers, classes_from_dataset, name, description."),
        ({}, 'model spec has no "layers" list; add "layers": [...] with the layers.'),
        ({"layers": None}, 'model spec: "layers" must be a list, not null.'),
        ({"layers": 3}, 'model spec: "layers" must be a list, not a number.'),
        ({"layers": [], "classes_from_dataset": 1},
         'model spec: "classes_from_dataset" must be true or false.'),
        ({"layers": [], "description": 3}, 'model spec: "description" must be a string.'),
        ({"layers": [3]}, 'model spec: layer 1 must be an object like {"type": "Dense", ...}, '
                          "not a number."),
        ({"layers": [{"type": ""}]}, f'model spec: layer 1 has no "type"; add one of {TYPES}.'),
        ({"layers": [{"type": 3}]}, f'model spec: layer 1 has no "type"; add one of {TYPES}.'),
        ({"layers": [{"type": "Conv3D"}]},
         f"model spec: layer 1 (Conv3D) is not a supported layer type; use one of {TYPES}."),
        ({"layers": [{"type": "Flatten", "a": 1, "b": 2}]},
         "model spec: layer 1 (Flatten) has unknown argument 'a', 'b'; "
         "valid arguments are: none."),
    ],
)
def test_a_spec_without_the_structure_of_one_says_what_to_fix(spec: Any, message: str) -> None:
    assert refusal(check_spec_structure, spec) == message


def test_classes_from_dataset_may_be_left_out() -> None:
    check_spec_structure({"layers": [], "name": "n", "description": "d"})


def nested(levels: int) -> Any:
    value: Any = 0
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (math.nan, "model spec is NaN; use a finite number."),
        ({"layers": [{"type": "Dropout", "rate": math.nan}]},
         "model spec: layers[0].rate is NaN; use a finite number."),
        ({"layers": [], "x": {"y": -math.inf}}, "model spec: x.y is -inf; use a finite number."),
        ({"X": {"X": math.inf}}, "model spec: X.X is inf; use a finite number."),
        ({"layers": [{"units": MAX_SPEC_INT + 1}]},
         "model spec: layers[0].units is a 16-digit number, out of range for any layer "
         "argument; use a realistic value."),
        (nested(MAX_SPEC_DEPTH + 1), f"model spec: {'[0]' * (MAX_SPEC_DEPTH + 1)} is nested more "
                                     f"than {MAX_SPEC_DEPTH} levels deep; a layer argument is "
                                     "a number, a string or a pair, so fix it."),
        ({"a": {"b": nested(MAX_SPEC_DEPTH - 1)}},
         f"model spec: a.b{'[0]' * (MAX_SPEC_DEPTH - 1)} is nested more than "
         f"{MAX_SPEC_DEPTH} levels deep; a layer argument is a number, a string or a pair, "
         "so fix it."),
    ],
)
def test_a_value_no_layer_argument_can_be_is_found_anywhere(spec: Any, message: str) -> None:
    assert refusal(check_spec_values, spec) == message


def test_the_largest_values_a_spec_may_hold_pass() -> None:
    check_spec_values(nested(MAX_SPEC_DEPTH))
    check_spec_values({"a": {"b": nested(MAX_SPEC_DEPTH - 2)}})
    check_spec_values({"layers": [{"units": MAX_SPEC_INT}, {"units": -MAX_SPEC_INT}]})
    check_spec_values({"flag": True, "rate": 0.5})


def test_spec_json_is_one_layer_a_line() -> None:
    spec = {"name": "n", "layers": [{"type": "Conv2D", "kernel_size": (3, 5)},
                                    {"type": "Dense", "units": [(1, 2)]}]}
    assert spec_to_json(spec) == (
        '{\n  "name": "n",\n  "layers": [\n'
        '    {"type": "Conv2D", "kernel_size": [3, 5]},\n'
        '    {"type": "Dense", "units": [[1, 2]]}\n  ]\n}')
    assert spec_to_json({"name": "empty", "layers": []}) == (
        '{\n  "name": "empty",\n  "layers": []\n}')
    assert spec_to_json({"name": "no layers"}) == '{\n  "name": "no layers",\n  "layers": []\n}'


def test_a_saved_spec_is_that_json_and_loads_back(tmp_path: Path) -> None:
    spec = {"name": "é", "layers": [{"type": "Flatten"}]}
    save_spec(spec, tmp_path / "m.json")
    assert (tmp_path / "m.json").read_bytes() == (spec_to_json(spec) + "\n").encode("utf-8")
    assert load_spec(tmp_path / "m.json") == spec
    assert json.loads((tmp_path / "m.json").read_text(encoding="utf-8")) == spec


def test_the_output_rule_leaves_what_is_not_a_layer_in_its_place() -> None:
    assert effective_layers({"layers": [3, {"type": "Dense"}, "x"]}, 5) == [
        3, {"type": "Dense", "units": 5}, "x"]
    assert effective_layers({}, 5) == []
