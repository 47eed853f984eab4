"""Pure-Python shape inference: numbers, every kind of error message, arithmetic, renderings."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest

from cnn_tui.core.shapes import (
    ShapeReport,
    format_report_table,
    infer_shapes,
    layer_arithmetic,
    report_to_json,
)
from cnn_tui.core.spec import load_spec

MNIST = (28, 28, 1)
CIFAR = (32, 32, 3)


def conv(filters: int = 8, kernel: Any = 3, **extra: Any) -> dict[str, Any]:
    return {"type": "Conv2D", "filters": filters, "kernel_size": kernel, **extra}


HEAD = [{"type": "Flatten"}, {"type": "Dense", "units": 10, "activation": "softmax"}]


def report_of(layers: list[Any], shape: tuple[int, int, int] = MNIST, classes: int = 10,
              **top: Any) -> ShapeReport:
    return infer_shapes({"layers": layers, **top}, shape, classes)


def single_error(report: ShapeReport) -> str:
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


def assert_names_layer_and_fix(message: str, number: int, type_name: str) -> None:
    assert message.startswith(f"layer {number} ({type_name}): "), message
    what, _, fix = message.partition("; ")
    assert what and fix, f"no fix after '; ' in: {message}"


def test_seed_cnn_on_cifar_matches_the_tutorial() -> None:
    report = infer_shapes(load_spec("seed-cnn"), CIFAR, 10)
    assert report.ok
    shapes = [row.output_shape for row in report.rows]
    assert shapes[:4] == [(32, 32, 32), (30, 30, 32), (15, 15, 32), (15, 15, 32)]
    flatten = next(row for row in report.rows if row.type == "Flatten")
    assert flatten.input_shape == (2, 2, 64) and flatten.output_shape == (256,)
    assert report.rows[-1].output_shape == (10,)
    assert report.rows[0].params == 896
    assert report.total_params == report.trainable_params == 276_138
    assert report.rows[0].args_summary == "32 3x3 same relu"
    assert report.rows[1].args_summary == "32 3x3 relu"


def test_names_follow_keras() -> None:
    report = infer_shapes(load_spec("bn-cnn"), CIFAR, 10)
    names = [row.name for row in report.rows]
    assert names[:4] == ["conv2d", "batch_normalization", "activation", "conv2d_1"]
    assert "global_average_pooling2d" in names and names[-1] == "dense"
    assert [row.index for row in report.rows] == list(range(1, len(names) + 1))


def test_strides_same_valid_and_pairs() -> None:
    report = report_of([conv(4, (3, 5), strides=2, padding="same"),
                        conv(4, (3, 1), strides=(2, 1)),
                        {"type": "MaxPooling2D", "pool_size": 3, "strides": 1},
                        {"type": "AveragePooling2D", "pool_size": 2, "padding": "same"},
                        *HEAD], shape=(29, 30, 2))
    assert report.ok, report.errors
    assert [row.output_shape for row in report.rows[:4]] == [
        (15, 15, 4), (7, 15, 4), (5, 13, 4), (3, 7, 4)]
    assert report.rows[0].params == 3 * 5 * 2 * 4 + 4
    assert report.rows[0].args_summary == "4 3x5 stride 2x2 same"
    assert report.rows[2].args_summary == "3x3 stride 1"


def test_bias_and_batchnorm_counts() -> None:
    report = report_of([conv(16, 3, use_bias=False), {"type": "BatchNormalization"},
                        {"type": "BatchNormalization", "center": False}, *HEAD])
    assert report.ok
    assert report.rows[0].params == 3 * 3 * 1 * 16
    assert (report.rows[1].params, report.rows[1].trainable_params) == (64, 32)
    assert (report.rows[2].params, report.rows[2].trainable_params) == (48, 16)
    assert report.total_params - report.trainable_params == 64


def test_global_pooling_depthwise_separable_padding() -> None:
    report = report_of([{"type": "ZeroPadding2D", "padding": [1, 2]},
                        {"type": "DepthwiseConv2D", "kernel_size": 3, "depth_multiplier": 2},
                        {"type": "SeparableConv2D", "filters": 5, "kernel_size": 3},
                        {"type": "SpatialDropout2D", "rate": 0.1},
                        {"type": "GlobalMaxPooling2D"}, {"type": "Dense", "units": 3}],
                       shape=(10, 10, 3))
    assert report.ok, report.errors
    assert [row.output_shape for row in report.rows] == [
        (12, 14, 3), (10, 12, 6), (8, 10, 5), (8, 10, 5), (5,), (10,)]
    assert report.rows[1].params == 3 * 3 * 3 * 2 + 6
    assert report.rows[2].params == 3 * 3 * 6 + 6 * 5 + 5


# --- error messages: every kind names the layer, what is wrong and a fix --------------------


@pytest.mark.parametrize(
    ("layers", "shape", "number", "type_name", "fragment"),
    [
        ([conv(8, 30), *HEAD], MNIST, 1, "Conv2D", "kernel_size 30 is larger than its input"),
        ([conv(8, 7), {"type": "MaxPooling2D", "pool_size": 4}, conv(8, 5), *HEAD], (16, 16, 1),
         3, "Conv2D", "output size would reach zero"),
        ([{"type": "MaxPooling2D", "pool_size": 2}] * 6 + HEAD, MNIST, 5, "MaxPooling2D",
         "pool_size 2 is larger than its input size 1"),
        ([{"type": "Conv3D", "filters": 3}, *HEAD], MNIST, 1, "Conv3D", "unknown layer type"),
        ([conv(-3), *HEAD], MNIST, 1, "Conv2D", "filters=-3 is not valid"),
        ([conv(0), *HEAD], MNIST, 1, "Conv2D", "filters=0 is not valid"),
        ([conv("many"), *HEAD], MNIST, 1, "Conv2D", "filters='many' is not valid"),
        ([conv(4, 3, strides=0), *HEAD], MNIST, 1, "Conv2D", "strides=0 is not valid"),
        ([{"type": "Dropout", "rate": 1.0}, *HEAD], MNIST, 1, "Dropout", "rate=1 is not valid"),
        ([{"type": "Dropout", "rate": -0.5}, *HEAD], MNIST, 1, "Dropout", "rate=-0.5"),
        ([{"type": "Dropout"}, *HEAD], MNIST, 1, "Dropout", 'rate is required; add "rate"'),
        ([{"type": "Flatten"}, conv(4), *HEAD], MNIST, 2, "Conv2D", "needs an image-shaped input"),
        ([{"type": "Flatten"}, {"type": "MaxPooling2D"}, *HEAD], MNIST, 2, "MaxPooling2D",
         "gets (784,); move it before Flatten"),
        ([conv(4), {"type": "Dense", "units": 10}], MNIST, 2, "Dense",
         "add Flatten or GlobalAveragePooling2D before it"),
        ([conv(4, padding="full"), *HEAD], MNIST, 1, "Conv2D", "use one of 'valid', 'same'"),
        ([conv(4, fliters=3), *HEAD], MNIST, 1, "Conv2D",
         "unknown argument 'fliters'; valid arguments are: filters, kernel_size"),
        ([conv(4)], MNIST, 1, "Conv2D", "must end with (10,) class scores; add Flatten"),
        ([{"type": "Flatten"}], MNIST, 1, "Flatten", "outputs 784 values but the dataset has 10"),
        ([{"type": "Flatten"}, {"units": 10}], MNIST, 2, "?", 'has no "type"; add "type"'),
    ],
)
def test_error_messages(layers: list[Any], shape: tuple[int, int, int], number: int,
                        type_name: str, fragment: str) -> None:
    message = single_error(report_of(layers, shape))
    assert fragment in message
    assert_names_layer_and_fix(message, number, type_name)


@pytest.mark.parametrize("pool_size", [0, 2.5, "big"])
def test_a_rejected_pool_size_with_strides_is_an_error_not_a_crash(pool_size: Any) -> None:
    report = report_of([{"type": "MaxPooling2D", "pool_size": pool_size, "strides": 2}, *HEAD])
    message = single_error(report)
    assert f"pool_size={pool_size!r}".replace("'", "") in message.replace("'", "")
    assert_names_layer_and_fix(message, 1, "MaxPooling2D")
    assert report.rows[0].args_summary == "stride 2x2"


def test_classes_mismatch_when_rule_is_off() -> None:
    layers = [{"type": "Flatten"}, {"type": "Dense", "units": 5, "activation": "softmax"}]
    assert report_of(layers).ok, "by default units follow the dataset"
    message = single_error(report_of(layers, classes_from_dataset=False))
    assert_names_layer_and_fix(message, 2, "Dense")
    assert "outputs 5 values but the dataset has 10 classes" in message
    assert report_of(layers, classes=5, classes_from_dataset=False).ok


def test_rule_off_requires_units() -> None:
    report = report_of([{"type": "Flatten"}, {"type": "Dense"}], classes_from_dataset=False)
    assert_names_layer_and_fix(single_error(report), 2, "Dense")


def test_later_rows_lose_shapes_but_keep_their_own_checks() -> None:
    report = report_of([conv(4, 40), conv(4, 3), {"type": "Dropout", "rate": 2}, *HEAD])
    assert [row.output_shape for row in report.rows] == [None] * 5
    assert [row.index for row in report.rows if row.error] == [1, 3]
    assert report.rows[1].input_shape is None and report.rows[1].error is None
    assert report.errors[1].startswith("layer 3 (Dropout): rate=2 is not valid")


def test_several_problems_on_one_layer_are_all_listed() -> None:
    report = report_of([conv(-1, "x", padding="full"), *HEAD])
    assert len(report.errors) == 3
    assert all(e.startswith("layer 1 (Conv2D): ") for e in report.errors)
    assert report.rows[0].error == "\n".join(report.errors)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [({"layers": []}, "the spec has no layers"), ({"layerz": []}, 'not {"layers": [...]}'),
     ([], 'not {"layers": [...]}')],
)
def test_model_level_errors_never_raise(spec: Any, fragment: str) -> None:
    report = infer_shapes(spec, MNIST, 10)
    assert not report.ok and report.rows == ()
    assert fragment in report.errors[0] and "; " in report.errors[0]


def test_bad_input_shape_and_classes() -> None:
    assert not infer_shapes(load_spec("seed-mlp"), (28, 28), 10).ok
    assert not infer_shapes(load_spec("seed-mlp"), MNIST, 0).ok


# --- arithmetic and renderings ---------------------------------------------------------------


def test_layer_arithmetic_strings() -> None:
    report = infer_shapes(load_spec("seed-cnn"), CIFAR, 10)
    assert layer_arithmetic(report, 1) == [
        "out = ceil(32 / 1) = 32", "shape = 32x32x32", "params = 3*3*3*32 + 32 = 896",
        "MACs = 32*32*3*3*3*32 = 884,736", "RF = 1 + (3-1)*1 = 3, jump = 1*1 = 1"]
    assert layer_arithmetic(report, 2)[0] == "out = floor((32 - 3 + 2*0) / 1) + 1 = 30"
    assert layer_arithmetic(report, 3)[0] == "out = floor((30 - 2 + 2*0) / 2) + 1 = 15"
    assert layer_arithmetic(report, 13)[0] == "out = 2*2*64 = 256"
    assert "params = 256*512 + 512 = 131,584" in layer_arithmetic(report, 14)
    assert layer_arithmetic(report, 4) == [
        "shape = 15x15x32 (unchanged)", "params = 0", "MACs = 0 (masks values, no weights)",
        "RF = 6x6 (unchanged), jump 2"]
    assert layer_arithmetic(report, 0) == [] and layer_arithmetic(report, 99) == []


def test_arithmetic_for_uneven_windows_batchnorm_and_errors() -> None:
    report = report_of([conv(4, (3, 5), strides=(1, 2)), {"type": "BatchNormalization"},
                        conv(4, 99), *HEAD])
    assert layer_arithmetic(report, 1)[:2] == [
        "height: out = floor((28 - 3 + 2*0) / 1) + 1 = 26",
        "width: out = floor((28 - 5 + 2*0) / 2) + 1 = 12"]
    bn = layer_arithmetic(report, 2)
    assert "params = 4*4 = 16" in bn and any(line.startswith("trainable = 2*4 = 8") for line in bn)
    assert "kernel_size 99 is larger" in layer_arithmetic(report, 3)[0]
    assert layer_arithmetic(report, 4)[0].startswith("input unknown")


def test_text_table_and_json() -> None:
    report = infer_shapes(load_spec("lenet5"), MNIST, 10)
    table = format_report_table(report)
    assert "Total params: 61,706" in table
    assert re.search(r"flatten\s+Flatten\s+400\s+0", table)
    data = report_to_json(report)
    assert json.loads(json.dumps(data)) == data
    assert data["layers"][0] == {"name": "conv2d", "type": "Conv2D",
                                 "output_shape": [28, 28, 6], "params": 156,
                                 "macs": 28 * 28 * 5 * 5 * 1 * 6, "receptive_field": [5, 5],
                                 "jump": [1, 1]}
    assert data["total_params"] == sum(layer["params"] for layer in data["layers"])
    assert data["trainable_params"] == report.trainable_params
    bad = format_report_table(report_of([conv(4, 40), *HEAD]))
    assert "error: layer 1 (Conv2D)" in bad


def test_core_modules_do_not_import_tensorflow() -> None:
    code = (
        "import sys\n"
        "import cnn_tui.core.layers, cnn_tui.core.spec, cnn_tui.core.presets\n"
        "import cnn_tui.core.shapes, cnn_tui.core.shape_text, cnn_tui.core.keras_model\n"
        "from cnn_tui.core.shapes import infer_shapes\n"
        "from cnn_tui.core.spec import load_spec\n"
        "infer_shapes(load_spec('seed-cnn'), (32, 32, 3), 10)\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'textual') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""
