"""Hostile model specs are refused with one sentence, before anything is allocated."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnn_tui.core.errors import SpecError
from cnn_tui.core.keras_model import check_report
from cnn_tui.core.layers import ArgValueError, coerce_arg
from cnn_tui.core.limits import MAX_CLASSES, MAX_LAYER_WIDTH, MAX_PARAMS
from cnn_tui.core.shapes import infer_shapes
from cnn_tui.core.spec import load_spec


def dense_spec(*units: int) -> dict:
    layers = [{"type": "Flatten"}] + [{"type": "Dense", "units": u} for u in units]
    return {"layers": layers, "classes_from_dataset": False}


def test_a_layer_of_a_billion_filters_or_units_is_refused_on_its_row() -> None:
    conv = {"layers": [{"type": "Conv2D", "filters": 10**9, "kernel_size": 3},
                       {"type": "GlobalAveragePooling2D"}, {"type": "Dense", "units": 10}]}
    report = infer_shapes(conv, (28, 28, 1), 10)
    assert report.errors == (
        "layer 1 (Conv2D): filters=1000000000 is too large; use at most 100,000 "
        "(a larger value would not fit in memory)",
    )
    dense = infer_shapes(dense_spec(10**9, 10), (28, 28, 1), 10)
    assert dense.errors[0].startswith("layer 2 (Dense): units=1000000000 is too large")


def test_a_model_over_the_parameter_bound_says_its_size() -> None:
    # 64*64*3 inputs x 100,000 units: each layer within its bounds, the whole beyond.
    report = infer_shapes(dense_spec(100_000, 10), (64, 64, 3), 10)
    assert not report.ok and report.total_params > MAX_PARAMS
    (error,) = report.errors
    assert error.startswith(f"model: {report.total_params:,} parameters (")
    assert "GB of weights" in error and f"{MAX_PARAMS:,}" in error
    with pytest.raises(SpecError, match="parameters"):
        check_report(report)
    assert infer_shapes(dense_spec(100, 10), (28, 28, 1), 10).ok  # a normal MLP still fits


def test_a_layer_output_too_large_to_index_is_refused() -> None:
    spec = {"layers": [{"type": "ZeroPadding2D", "padding": 4096},
                       {"type": "Conv2D", "filters": 2048, "kernel_size": 1},
                       {"type": "GlobalAveragePooling2D"}, {"type": "Dense", "units": 10}]}
    report = infer_shapes(spec, (32, 32, 3), 10)
    assert report.errors[0].startswith("layer 2 (Conv2D): its output holds ")
    assert "more than TensorFlow can index" in report.errors[0]


def test_the_output_layer_fits_the_largest_class_count() -> None:
    assert MAX_LAYER_WIDTH >= MAX_CLASSES
    report = infer_shapes({"layers": [{"type": "GlobalAveragePooling2D"},
                                      {"type": "Dense", "units": 10}]}, (8, 8, 3), MAX_CLASSES)
    assert report.ok and report.output_shape == (MAX_CLASSES,)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"layers": [{"type": "Flatten"}, {"type": "Dropout", "rate": NaN}, '
         '{"type": "Dense", "units": 10}]}', "layers[1].rate is NaN; use a finite number"),
        ('{"layers": [{"type": "BatchNormalization", "epsilon": Infinity}]}',
         "layers[0].epsilon is inf"),
        ('{"layers": [{"type": "Dense", "units": ' + "9" * 5000 + "}]}",
         "holds a 5000-digit number"),
        ('{"layers": [{"type": "Dense", "units": ' + "9" * 25 + "}]}",
         "layers[0].units is a 25-digit number, out of range"),
        ('{"layers": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ('{"layers": [{"type": "Dense", "units": ' + "[" * 200 + "]" * 200 + "}]}",
         "is nested more than 16 levels deep"),
    ],
    ids=["nan", "infinity", "5000-digits", "huge-int", "100000-deep", "200-deep-arg"],
)
def test_hostile_spec_files_raise_spec_error(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "model.json"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert words in message and str(path) in message
    assert len(message) < 300 and "\n" not in message


def test_hostile_values_in_a_spec_dict_are_errors_of_the_report() -> None:
    # The runner and the TUI pass dicts that never went through load_spec.
    nan_rate = {"layers": [{"type": "Flatten"}, {"type": "Dropout", "rate": float("nan")},
                           {"type": "Dense", "units": 10}]}
    assert "rate is NaN" in infer_shapes(nan_rate, (8, 8, 1), 10).errors[0]
    nested: list = []
    for _ in range(100_000):
        nested = [nested]
    deep = {"layers": [{"type": "Dense", "units": nested}]}
    assert "nested more than 16 levels" in infer_shapes(deep, (8, 8, 1), 10).errors[0]
    huge = {"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10**5000}]}
    assert "a 5001-digit number" in infer_shapes(huge, (8, 8, 1), 10).errors[0]


@pytest.mark.parametrize(
    ("kind", "arg", "typed"),
    [("Dropout", "rate", "nan"), ("BatchNormalization", "epsilon", "inf"),
     ("Conv2D", "kernel_size", "9" * 5000), ("Dense", "units", "9" * 5000),
     ("Conv2D", "strides", float("nan"))],
)
def test_typed_values_that_are_not_finite_or_too_long_say_what_to_type(
    kind: str, arg: str, typed: object
) -> None:
    with pytest.raises(ArgValueError) as caught:
        coerce_arg(kind, arg, typed)
    assert f"{arg}=" in str(caught.value) and len(str(caught.value)) < 200
