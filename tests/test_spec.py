"""Spec files: load, save, structure errors, the output rule, and the layer catalogue."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cnn_tui.core.errors import SpecError
from cnn_tui.core.keras_model import build_keras_model
from cnn_tui.core.layers import (
    LAYER_SCHEMAS,
    REQUIRED,
    ArgValueError,
    coerce_arg,
    new_layer,
    resolve_layer_args,
)
from cnn_tui.core.presets import PRESETS
from cnn_tui.core.shapes import infer_shapes
from cnn_tui.core.spec import (
    check_spec_structure,
    effective_layers,
    load_spec,
    save_spec,
    spec_to_json,
)


def write(tmp_path: Path, text: str, name: str = "model.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_preset_returns_a_copy() -> None:
    spec = load_spec("seed-cnn")
    spec["layers"].clear()
    assert load_spec("seed-cnn")["layers"], "editing a loaded preset must not change the preset"


@pytest.mark.parametrize("name", list(PRESETS))
def test_round_trip_every_preset(tmp_path: Path, name: str) -> None:
    spec = load_spec(name)
    path = tmp_path / f"{name}.json"
    save_spec(spec, path)
    assert load_spec(str(path)) == spec
    assert json.loads(spec_to_json(spec)) == spec


def test_round_trip_turns_pairs_into_lists(tmp_path: Path) -> None:
    spec = {"classes_from_dataset": False, "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": (3, 5)},
        {"type": "Flatten"}, {"type": "Dense", "units": 3, "activation": None}]}
    path = tmp_path / "pairs.json"
    save_spec(spec, path)
    loaded = load_spec(path)
    assert loaded["layers"][0]["kernel_size"] == [3, 5]
    assert loaded["classes_from_dataset"] is False
    assert loaded["layers"][2]["activation"] is None


def test_spec_to_json_puts_one_layer_a_line() -> None:
    text = spec_to_json(load_spec("seed-mlp"))
    layer_lines = [line for line in text.splitlines() if '"type"' in line]
    assert len(layer_lines) == len(PRESETS["seed-mlp"]["layers"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "is not valid JSON (line 1 column 2"),
        ("[1, 2]", "must be a JSON object"),
        ('{"layerz": []}', "unknown key 'layerz'"),
        ('{"name": "x"}', 'has no "layers" list'),
        ('{"layers": {"type": "Dense"}}', '"layers" must be a list'),
        ('{"layers": [3]}', "layer 1 must be an object"),
        ('{"layers": [{"type": "Flatten"}, {"units": 3}]}', 'layer 2 has no "type"'),
        ('{"layers": [{"type": "Conv3D"}]}', "layer 1 (Conv3D) is not a supported layer type"),
        ('{"layers": [{"type": "Dense", "unit": 3}]}',
         "layer 1 (Dense) has unknown argument 'unit'; valid arguments are: units, activation"),
        ('{"classes_from_dataset": "no", "layers": []}', "must be true or false"),
        ('{"name": 3, "layers": []}', '"name" must be a string'),
    ],
)
def test_bad_files_name_the_file(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_spec(str(path))
    message = str(info.value)
    assert expected in message
    assert str(path) in message


def test_missing_file_and_unknown_name() -> None:
    with pytest.raises(SpecError, match="does not exist"):
        load_spec("/nowhere/model.json")
    with pytest.raises(SpecError, match="unknown model 'resnet'; use one of seed-cnn"):
        load_spec("resnet")


def test_folder_and_binary_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="is a folder"):
        load_spec(tmp_path)
    binary = tmp_path / "model.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SpecError, match=str(binary)):
        load_spec(binary)


def test_save_refuses_a_broken_spec(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match='no "layers"'):
        save_spec({"name": "x"}, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_check_structure_accepts_presets() -> None:
    for spec in PRESETS.values():
        check_spec_structure(spec)


def test_output_rule_sets_last_dense_only() -> None:
    spec = {"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 64},
                       {"type": "Dense", "units": 7, "activation": "softmax"}, {"type": "Dropout",
                                                                               "rate": 0.1}]}
    layers = effective_layers(spec, 100)
    assert [layer.get("units") for layer in layers] == [None, 64, 100, None]
    assert spec["layers"][2]["units"] == 7, "the spec itself is not modified"
    missing = effective_layers({"layers": [{"type": "Flatten"}, {"type": "Dense"}]}, 3)
    assert missing[1]["units"] == 3
    kept = effective_layers({"classes_from_dataset": False, "layers": spec["layers"]}, 100)
    assert kept[2]["units"] == 7


HEAD = [{"type": "Flatten"}, {"type": "Dense", "units": 10, "activation": "softmax"}]


@pytest.mark.parametrize(
    ("layers", "number", "type_name", "argument"),
    [
        ([{"type": "Conv2D", "filters": 2.5, "kernel_size": 3}, *HEAD], 1, "Conv2D",
         "filters=2.5"),
        ([{"type": "Conv2D", "filters": 8, "kernel_size": 3.5}, *HEAD], 1, "Conv2D",
         "kernel_size=3.5"),
        ([{"type": "Conv2D", "filters": 8, "kernel_size": [3, 2.5]}, *HEAD], 1, "Conv2D",
         "kernel_size=3x2.5"),
        ([{"type": "SeparableConv2D", "filters": 4, "kernel_size": 3, "depth_multiplier": 1.5},
          *HEAD], 1, "SeparableConv2D", "depth_multiplier=1.5"),
        ([{"type": "MaxPooling2D", "pool_size": 2.5}, *HEAD], 1, "MaxPooling2D",
         "pool_size=2.5"),
        ([{"type": "Conv2D", "filters": 8, "kernel_size": 3, "strides": 1.5}, *HEAD], 1,
         "Conv2D", "strides=1.5"),
        ([{"type": "Flatten"}, {"type": "Dense", "units": 10.5}, *HEAD[1:]], 2, "Dense",
         "units=10.5"),
        # the last Dense: the output rule replaces valid units, but never hides a bad value
        ([{"type": "Flatten"}, {"type": "Dense", "units": 10.5}], 2, "Dense", "units=10.5"),
        ([{"type": "Flatten"}, {"type": "Dense", "units": "ten"}], 2, "Dense", "units='ten'"),
    ],
)
def test_a_fractional_count_or_size_is_refused_naming_layer_and_argument(
    tmp_path: Path, layers: list[dict[str, object]], number: int, type_name: str, argument: str
) -> None:
    """Not truncated to an int: 2.5 filters is a typo to show, and Keras would refuse it too."""
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"layers": layers}), encoding="utf-8")
    spec = load_spec(path)
    pattern = rf"^layer {number} \({type_name}\): {re.escape(argument)} is not valid; use "
    with pytest.raises(SpecError, match=pattern):
        build_keras_model(spec, (28, 28, 1), 10)  # checked before Keras is imported
    with pytest.raises(SpecError, match=pattern):
        build_keras_model({**spec, "classes_from_dataset": False}, (28, 28, 1), 10)


def test_whole_numbers_written_as_floats_are_those_ints() -> None:
    spec = {"layers": [{"type": "Conv2D", "filters": 4.0, "kernel_size": [3.0, 3]},
                       {"type": "Flatten"}, {"type": "Dense", "units": 10.0}]}
    report = infer_shapes(spec, (8, 8, 1), 10)
    assert report.ok, report.errors
    assert report.rows[0].args["filters"] == 4 and type(report.rows[0].args["filters"]) is int
    assert report.rows[0].args["kernel_size"] == 3
    assert effective_layers({"layers": [{"type": "Dense", "units": 7.0}]}, 3)[0]["units"] == 3


@pytest.mark.parametrize(("arg", "typed"), [("filters", "2.5"), ("kernel_size", "3.5")])
def test_a_fraction_typed_in_the_form_is_refused(arg: str, typed: str) -> None:
    with pytest.raises(ArgValueError, match=rf"^{arg}='?{re.escape(typed)}'? is not valid"):
        coerce_arg("Conv2D", arg, typed)


# --- the layer catalogue -------------------------------------------------------------------


def test_catalogue_matches_keras_signatures() -> None:
    """Every argument exists in the Keras class with the default we claim (no TF import here)."""
    code = (
        "import inspect, json, keras\n"
        f"names = {sorted(LAYER_SCHEMAS)!r}\n"
        "out = {}\n"
        "for n in names:\n"
        "    sig = inspect.signature(getattr(keras.layers, n).__init__)\n"
        "    out[n] = {k: (None if p.default is inspect.Parameter.empty else repr(p.default))\n"
        "              for k, p in sig.parameters.items()}\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    keras_args = json.loads(result.stdout.strip().splitlines()[-1])
    for type_name, schema in LAYER_SCHEMAS.items():
        for arg in schema.args:
            assert arg.name in keras_args[type_name], f"{type_name}.{arg.name}"
            keras_default = keras_args[type_name][arg.name]
            if arg.required:
                assert keras_default is None, f"{type_name}.{arg.name} has a Keras default"
            else:
                assert keras_default is not None, f"{type_name}.{arg.name} is required in Keras"
                assert coerce_arg(type_name, arg.name, eval(keras_default)) == arg.default


@pytest.mark.parametrize(
    ("type_name", "arg", "text", "value"),
    [
        ("Conv2D", "filters", " 64 ", 64),
        ("Conv2D", "kernel_size", "3", 3),
        ("Conv2D", "kernel_size", "3x5", (3, 5)),
        ("Conv2D", "kernel_size", "[3, 3]", 3),
        ("Conv2D", "strides", "(2, 1)", (2, 1)),
        ("Conv2D", "padding", "SAME", "same"),
        ("Conv2D", "activation", "None", None),
        ("Conv2D", "activation", "", None),
        ("Conv2D", "use_bias", "no", False),
        ("Dropout", "rate", "0.25", 0.25),
        ("Dropout", "rate", 0, 0.0),
        ("MaxPooling2D", "strides", "none", None),
        ("BatchNormalization", "epsilon", "1e-5", 1e-5),
        ("ZeroPadding2D", "padding", "0", 0),
        ("Dense", "units", 10.0, 10),
    ],
)
def test_coerce_accepts_typed_text(type_name: str, arg: str, text: object, value: object) -> None:
    assert coerce_arg(type_name, arg, text) == value


@pytest.mark.parametrize(
    ("type_name", "arg", "text", "expected"),
    [
        ("Conv2D", "filters", "abc", "filters='abc' is not valid; use an integer >= 1, e.g. 32"),
        ("Conv2D", "filters", "0", "filters=0 is not valid; use an integer >= 1"),
        ("Conv2D", "filters", True, "filters=true is not valid"),
        ("Conv2D", "filters", "2.5", "use an integer >= 1"),
        ("Conv2D", "kernel_size", "3x3x3", "use an integer or [h, w] >= 1"),
        ("Conv2D", "strides", [1, 0], "strides=1x0 is not valid"),
        ("Conv2D", "padding", "full", "use one of 'valid', 'same'"),
        ("Conv2D", "activation", "glu", "use one of None, 'linear', 'relu'"),
        ("Dropout", "rate", "1", "use a number with 0 <= value < 1"),
        ("Dropout", "rate", "-0.1", "use a number with 0 <= value < 1"),
        ("Dropout", "rate", "", "rate=None is not valid"),
        ("Conv2D", "use_bias", "maybe", "use true or false"),
        ("ZeroPadding2D", "padding", "-1", "use an integer or [h, w] >= 0"),
    ],
)
def test_coerce_errors_say_what_to_type(
    type_name: str, arg: str, text: object, expected: str
) -> None:
    with pytest.raises(ArgValueError) as info:
        coerce_arg(type_name, arg, text)
    assert expected in str(info.value)


def test_schemas_describe_themselves() -> None:
    for schema in LAYER_SCHEMAS.values():
        assert schema.help
        for arg in schema.args:
            assert arg.help and arg.describe_range()
            assert arg.kind in {"int", "float", "bool", "choice", "int_or_pair"}
            if arg.required:
                assert arg.default is REQUIRED and arg.suggested is not None
            if arg.kind == "choice":
                assert arg.choices
    assert LAYER_SCHEMAS["MaxPooling2D"].arg("strides").default is None  # = pool_size


def test_to_text_reads_back_unchanged() -> None:
    for type_name, schema in LAYER_SCHEMAS.items():
        values, _ = resolve_layer_args(schema, new_layer(type_name))
        for arg in schema.args:
            samples = [values[arg.name], *arg.choices]
            if arg.kind == "int_or_pair":
                samples.append((2, 5))
            if arg.kind == "float":
                samples.extend([0.1, 1e-5])
            for value in samples:
                assert arg.coerce(arg.to_text(value)) == value, (type_name, arg.name, value)


def test_new_layer_fills_required_args_and_resolves() -> None:
    for type_name, schema in LAYER_SCHEMAS.items():
        values, problems = resolve_layer_args(schema, new_layer(type_name))
        assert problems == []
        assert set(values) == set(schema.arg_names)
