"""What a learner reads about a model: the summary table, each layer's arithmetic, the JSON.

The numbers are Keras's (tests/test_shapes_vs_keras.py builds these layer types and
compares); here the whole text is pinned, since a formula that names the wrong axis or
the wrong factor teaches the wrong thing even when the result is right.
"""

from __future__ import annotations

from typing import Any

import pytest

from cnn_tui.core.memory import training_memory
from cnn_tui.core.shapes import (
    ShapeReport,
    format_report_table,
    infer_shapes,
    layer_arithmetic,
    report_to_json,
)
from cnn_tui.core.spec import load_spec

# Every layer type once, on a non-square input so that height and width cannot be swapped.
EVERY_TYPE: list[dict[str, Any]] = [
    {"type": "ZeroPadding2D", "padding": [1, 2]},
    {"type": "Conv2D", "filters": 4, "kernel_size": [3, 5], "strides": [1, 2], "use_bias": False},
    {"type": "BatchNormalization", "center": False},
    {"type": "Activation", "activation": "relu"},
    {"type": "DepthwiseConv2D", "kernel_size": 3, "depth_multiplier": 2, "padding": "same"},
    {"type": "SeparableConv2D", "filters": 5, "kernel_size": 3, "depth_multiplier": 2},
    {"type": "MaxPooling2D", "pool_size": 2},
    {"type": "AveragePooling2D", "pool_size": [2, 1], "strides": 1},
    {"type": "SpatialDropout2D", "rate": 0.1},
    {"type": "GlobalMaxPooling2D"},
    {"type": "Dropout", "rate": 0.5},
    {"type": "Dense", "units": 3, "use_bias": False, "activation": "softmax"},
]


def every_type() -> ShapeReport:
    report = infer_shapes({"layers": EVERY_TYPE}, (20, 15, 3), 3)
    assert report.ok, report.errors
    return report


EVERY_TYPE_ARITHMETIC = [
    ["out = 20 + 2*1 = 22 by 15 + 2*2 = 19", "shape = 22x19x3", "params = 0",
     "MACs = 0 (zeros added)", "RF = 1x1 (unchanged), jump 1"],
    ["height: out = floor((22 - 3 + 2*0) / 1) + 1 = 20",
     "width: out = floor((19 - 5 + 2*0) / 2) + 1 = 8",
     "shape = 20x8x4", "params = 3*5*3*4 = 180", "MACs = 20*8*3*5*3*4 = 28,800",
     "height: RF = 1 + (3-1)*1 = 3, jump = 1*1 = 1",
     "width: RF = 1 + (5-1)*1 = 5, jump = 1*2 = 2"],
    ["shape = 20x8x4 (unchanged)", "params = 3*4 = 12",
     "trainable = 1*4 = 4 (gamma); non-trainable = 2*4 = 8 (moving mean, variance)",
     "MACs = 20*8*4 = 640 (one per value)", "RF = 3x5 (unchanged), jump 1x2"],
    ["shape = 20x8x4 (unchanged)", "params = 0", "MACs = 0 (a function per value)",
     "RF = 3x5 (unchanged), jump 1x2"],
    ["height: out = ceil(20 / 1) = 20", "width: out = ceil(8 / 1) = 8",
     "shape = 20x8x8", "params = 3*3*4*2 + 8 = 80", "MACs = 20*8*3*3*4*2 = 11,520",
     "height: RF = 3 + (3-1)*1 = 5, jump = 1*1 = 1",
     "width: RF = 5 + (3-1)*2 = 9, jump = 2*1 = 2"],
    ["height: out = floor((20 - 3 + 2*0) / 1) + 1 = 18",
     "width: out = floor((8 - 3 + 2*0) / 1) + 1 = 6",
     "shape = 18x6x5", "params = 3*3*8*2 + 16*5 + 5 = 229 (depthwise + pointwise)",
     "MACs = 18*6*3*3*8*2 + 18*6*16*5 = 24,192 (depthwise + pointwise)",
     "height: RF = 5 + (3-1)*1 = 7, jump = 1*1 = 1",
     "width: RF = 9 + (3-1)*2 = 13, jump = 2*1 = 2"],
    ["height: out = floor((18 - 2 + 2*0) / 2) + 1 = 9",
     "width: out = floor((6 - 2 + 2*0) / 2) + 1 = 3", "shape = 9x3x5", "params = 0",
     "MACs = 0 (comparisons, no weights)",
     "height: RF = 7 + (2-1)*1 = 8, jump = 1*2 = 2",
     "width: RF = 13 + (2-1)*2 = 15, jump = 2*2 = 4"],
    ["height: out = floor((9 - 2 + 2*0) / 1) + 1 = 8",
     "width: out = floor((3 - 1 + 2*0) / 1) + 1 = 3", "shape = 8x3x5", "params = 0",
     "MACs = 0 (additions, no weights)",
     "height: RF = 8 + (2-1)*2 = 10, jump = 2*1 = 2",
     "width: RF = 15 + (1-1)*4 = 15, jump = 4*1 = 4"],
    ["shape = 8x3x5 (unchanged)", "params = 0", "MACs = 0 (masks values, no weights)",
     "RF = 10x15 (unchanged), jump 2x4"],
    ["out = channels = 5 (one value per feature map)", "shape = 5", "params = 0",
     "MACs = 0 (comparisons, no weights)", "RF = all (each output sees every position)"],
    ["shape = 5 (unchanged)", "params = 0", "MACs = 0 (masks values, no weights)",
     "RF = all (unchanged)"],
    ["out = units = 3", "shape = 3", "params = 5*3 = 15", "MACs = 5*3 = 15",
     "RF = all (each output sees every position)"],
]


@pytest.mark.parametrize("index", range(1, len(EVERY_TYPE) + 1))
def test_each_layer_types_arithmetic_in_full(index: int) -> None:
    assert layer_arithmetic(every_type(), index) == EVERY_TYPE_ARITHMETIC[index - 1]


def test_every_layer_types_numbers() -> None:
    report = every_type()
    assert [(r.output_shape, r.params, r.trainable_params) for r in report.rows] == [
        ((22, 19, 3), 0, 0), ((20, 8, 4), 180, 180), ((20, 8, 4), 12, 4), ((20, 8, 4), 0, 0),
        ((20, 8, 8), 80, 80), ((18, 6, 5), 229, 229), ((9, 3, 5), 0, 0), ((8, 3, 5), 0, 0),
        ((8, 3, 5), 0, 0), ((5,), 0, 0), ((5,), 0, 0), ((3,), 15, 15),
    ]
    assert [r.args_summary for r in report.rows] == [
        "pad 1x2", "4 3x5 stride 1x2 no bias", "", "relu", "3x3 x2 same", "5 3x3 x2",
        "2x2", "2x1 stride 1", "0.1", "", "0.5", "3 softmax no bias",
    ]


@pytest.mark.parametrize(
    ("center", "scale", "learned"),
    [(True, True, "2*4 = 8 (gamma, beta)"), (True, False, "1*4 = 4 (beta)"),
     (False, False, "0*4 = 0 (neither gamma nor beta)")],
)
def test_batchnorm_names_what_it_learns(center: bool, scale: bool, learned: str) -> None:
    layers = [{"type": "Conv2D", "filters": 4, "kernel_size": 3},
              {"type": "BatchNormalization", "center": center, "scale": scale},
              {"type": "Flatten"}, {"type": "Dense", "units": 2}]
    lines = layer_arithmetic(infer_shapes({"layers": layers}, (5, 5, 1), 2), 2)
    assert lines[2] == f"trainable = {learned}; non-trainable = 2*4 = 8 (moving mean, variance)"


def test_dense_and_conv_arithmetic_with_a_bias() -> None:
    report = infer_shapes(load_spec("seed-mlp"), (28, 28, 1), 10)
    assert layer_arithmetic(report, 1) == [
        "out = 28*28*1 = 784", "shape = 784", "params = 0", "MACs = 0 (values reordered)",
        "RF = 1x1 (kept; a vector has no jump)"]
    assert layer_arithmetic(report, 2)[2:4] == [
        "params = 784*512 + 512 = 401,920", "MACs = 784*512 = 401,408"]


def test_a_square_window_on_a_square_input_shows_one_formula() -> None:
    report = infer_shapes({"layers": [{"type": "MaxPooling2D", "pool_size": 3, "strides": 2},
                                      {"type": "Flatten"}, {"type": "Dense", "units": 2}]},
                          (9, 9, 1), 2)
    assert layer_arithmetic(report, 1) == [
        "out = floor((9 - 3 + 2*0) / 2) + 1 = 4", "shape = 4x4x1", "params = 0",
        "MACs = 0 (comparisons, no weights)", "RF = 1 + (3-1)*1 = 3, jump = 1*2 = 2"]


def test_a_failed_layers_arithmetic_is_its_problems_without_the_layer_prefix() -> None:
    layers = [{"type": "Conv2D", "filters": 0, "kernel_size": 3, "bias": 1},
              {"type": "Flatten"}, {"type": "Dense", "units": 2}]
    report = infer_shapes({"layers": layers}, (5, 5, 1), 2)
    assert layer_arithmetic(report, 1) == [
        "unknown argument 'bias'; valid arguments are: filters, kernel_size, strides, padding, "
        "activation, use_bias",
        "filters=0 is not valid; use an integer >= 1, e.g. 32",
    ]
    assert layer_arithmetic(report, 2) == [
        "input unknown: an earlier layer has an error; fix that one first"]
    unknown = infer_shapes({"layers": [{"type": "Conv3D"}]}, (5, 5, 1), 2)
    assert layer_arithmetic(unknown, 1)[0].startswith("unknown layer type; use one of Conv2D, ")


def test_the_last_row_with_a_wrong_output_still_shows_its_arithmetic() -> None:
    report = infer_shapes({"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 5}],
                           "classes_from_dataset": False}, (2, 2, 1), 3)
    assert not report.ok and report.rows[1].output_shape == (5,)
    assert layer_arithmetic(report, 2) == [
        "out = units = 5", "shape = 5", "params = 4*5 + 5 = 25", "MACs = 4*5 = 20",
        "RF = all (each output sees every position)"]


BN_CNN_TABLE = """\
input: 32x32x3
 #  name                      type                    args                  output shape   params
-------------------------------------------------------------------------------------------------
 1  conv2d                    Conv2D                  32 3x3 same no bias   32x32x32          864
 2  batch_normalization       BatchNormalization      momentum 0.9          32x32x32          128
 3  activation                Activation              relu                  32x32x32            0
 4  conv2d_1                  Conv2D                  32 3x3 same no bias   32x32x32        9,216
 5  batch_normalization_1     BatchNormalization      momentum 0.9          32x32x32          128
 6  activation_1              Activation              relu                  32x32x32            0
 7  max_pooling2d             MaxPooling2D            2x2                   16x16x32            0
 8  conv2d_2                  Conv2D                  64 3x3 same no bias   16x16x64       18,432
 9  batch_normalization_2     BatchNormalization      momentum 0.9          16x16x64          256
10  activation_2              Activation              relu                  16x16x64            0
11  conv2d_3                  Conv2D                  64 3x3 same no bias   16x16x64       36,864
12  batch_normalization_3     BatchNormalization      momentum 0.9          16x16x64          256
13  activation_3              Activation              relu                  16x16x64            0
14  max_pooling2d_1           MaxPooling2D            2x2                   8x8x64              0
15  conv2d_4                  Conv2D                  128 3x3 same no bias  8x8x128        73,728
16  batch_normalization_4     BatchNormalization      momentum 0.9          8x8x128           512
17  activation_4              Activation              relu                  8x8x128             0
18  conv2d_5                  Conv2D                  128 3x3 same no bias  8x8x128       147,456
19  batch_normalization_5     BatchNormalization      momentum 0.9          8x8x128           512
20  activation_5              Activation              relu                  8x8x128             0
21  max_pooling2d_2           MaxPooling2D            2x2                   4x4x128             0
22  global_average_pooling2d  GlobalAveragePooling2D                        128                 0
23  dropout                   Dropout                 0.3                   128                 0
24  dense                     Dense                   10 softmax            10              1,290
-------------------------------------------------------------------------------------------------
Total params: 289,642
Trainable params: 288,746
Non-trainable params: 896

 #  name                        MACs     RF  jump
-------------------------------------------------
 1  conv2d                    884.7K    3x3     1
 2  batch_normalization        32.8K    3x3     1
 3  activation                     0    3x3     1
 4  conv2d_1                    9.4M    5x5     1
 5  batch_normalization_1      32.8K    5x5     1
 6  activation_1                   0    5x5     1
 7  max_pooling2d                  0    6x6     2
 8  conv2d_2                    4.7M  10x10     2
 9  batch_normalization_2      16.4K  10x10     2
10  activation_2                   0  10x10     2
11  conv2d_3                    9.4M  14x14     2
12  batch_normalization_3      16.4K  14x14     2
13  activation_3                   0  14x14     2
14  max_pooling2d_1                0  16x16     4
15  conv2d_4                    4.7M  24x24     4
16  batch_normalization_4       8.2K  24x24     4
17  activation_4                   0  24x24     4
18  conv2d_5                    9.4M  32x32     4
19  batch_normalization_5       8.2K  32x32     4
20  activation_5                   0  32x32     4
21  max_pooling2d_2                0  36x36     8
22  global_average_pooling2d       0    all     -
23  dropout                        0    all     -
24  dense                       1.3K    all     -
-------------------------------------------------
Total MACs: 38.7M per image (38,749,440)"""


def test_the_summary_table_in_full() -> None:
    """Numbers right-aligned, text left-aligned, as Keras's summary; the totals below, then
    the cost of each layer (MACs written short, receptive field and jump)."""
    assert format_report_table(infer_shapes(load_spec("bn-cnn"), (32, 32, 3), 10)) == BN_CNN_TABLE


def test_a_table_with_errors_shows_dashes_and_lists_them() -> None:
    layers = [{"type": "Conv2D", "filters": 4, "kernel_size": 40}, {"type": "Flatten"},
              {"type": "Dense", "units": 10}]
    assert format_report_table(infer_shapes({"layers": layers}, (28, 28, 1), 10)) == """\
input: 28x28x1
#  name     type     args     output shape  params
--------------------------------------------------
1  conv2d   Conv2D   4 40x40  -                  -
2  flatten  Flatten           -                  -
3  dense    Dense    10       -                  -
--------------------------------------------------
Total params: 0
Trainable params: 0
Non-trainable params: 0

#  name     MACs  RF  jump
--------------------------
1  conv2d      -   -     -
2  flatten     -   -     -
3  dense       -   -     -
--------------------------
Total MACs: 0 per image (0)
error: layer 1 (Conv2D): kernel_size 40 is larger than its input size 28 (the output size \
would reach zero); use a kernel_size <= 28, padding='same', or remove an earlier pooling layer"""


def test_the_json_document_in_full() -> None:
    layers = [{"type": "Conv2D", "filters": 2, "kernel_size": 3}, {"type": "BatchNormalization"},
              {"type": "Flatten"}, {"type": "Dense", "units": 3}]
    report = infer_shapes({"layers": layers}, (4, 5, 1), 3)
    assert report_to_json(report) == {
        "input_shape": [4, 5, 1],
        "layers": [
            {"name": "conv2d", "type": "Conv2D", "output_shape": [2, 3, 2], "params": 20,
             "macs": 2 * 3 * 3 * 3 * 1 * 2, "receptive_field": [3, 3], "jump": [1, 1]},
            {"name": "batch_normalization", "type": "BatchNormalization",
             "output_shape": [2, 3, 2], "params": 8, "macs": 12, "receptive_field": [3, 3],
             "jump": [1, 1]},
            {"name": "flatten", "type": "Flatten", "output_shape": [12], "params": 0,
             "macs": 0, "receptive_field": [3, 3], "jump": None},
            {"name": "dense", "type": "Dense", "output_shape": [3], "params": 39,
             "macs": 12 * 3, "receptive_field": "all", "jump": None},
        ],
        "total_params": 67,
        "trainable_params": 63,
        "total_macs": 108 + 12 + 0 + 36,
        "errors": [],
    }
    failed = report_to_json(infer_shapes({"layers": [{"type": "Flatten"}, {"type": "Conv3D"}]},
                                         (4, 5, 1), 3))
    assert failed["layers"][0]["receptive_field"] == [1, 1]
    assert failed["layers"][1] == {"name": "conv3d", "type": "Conv3D", "output_shape": None,
                                   "params": 0, "macs": None, "receptive_field": None,
                                   "jump": None}
    assert failed["errors"][0].startswith("layer 2 (Conv3D): unknown layer type; use one of ")


def test_the_json_document_with_the_training_memory() -> None:
    layers = [{"type": "Conv2D", "filters": 2, "kernel_size": 3}, {"type": "BatchNormalization"},
              {"type": "Flatten"}, {"type": "Dense", "units": 3}]
    report = infer_shapes({"layers": layers}, (4, 5, 1), 3)
    document = report_to_json(report, training_memory(report, 2, "sgd"))
    # Each layer's output, float32, for a batch of 2.
    assert [layer["activation_bytes"] for layer in document["layers"]] == [
        12 * 4 * 2, 12 * 4 * 2, 12 * 4 * 2, 3 * 4 * 2]
    assert (document["batch_size"], document["optimizer"]) == (2, "sgd")
    parts = {"weights": 67 * 4, "gradients": 63 * 4, "optimizer_state": 63 * 4,
             "activations": (20 + 12 + 12 + 12 + 3) * 4 * 2}
    assert document["training_memory"] == parts
    assert document["estimated_training_bytes"] == sum(parts.values()) == 1_244
    assert list(document)[-1] == "errors"


def test_the_cost_table_with_the_training_memory() -> None:
    report = infer_shapes(load_spec("seed-cnn"), (32, 32, 3), 10)
    table = format_report_table(report, training_memory(report, 256, "rmsprop"))
    cost = table.split("\n\n", 1)[1].splitlines()
    assert cost[0] == " #  name               MACs     RF  jump  activations"
    assert cost[2] == " 1  conv2d           884.7K    3x3     1      33.6 MB"
    assert cost[-3:] == [
        "Total MACs: 21.6M per image (21,609,472)",
        "Training memory at batch 256 with rmsprop: about 120.0 MB",
        "  = weights 1.1 MB + gradients 1.1 MB + rmsprop 1.1 MB + activations 116.7 MB"]
    assert max(len(line) for line in table.splitlines()) <= 80


@pytest.mark.parametrize(
    ("layer", "summary"),
    [
        ({"type": "MaxPooling2D", "pool_size": 2, "strides": 2}, "2x2"),
        ({"type": "MaxPooling2D", "pool_size": 2, "strides": [2, 1]}, "2x2 stride 2x1"),
        ({"type": "MaxPooling2D", "pool_size": 3, "strides": 1, "padding": "same"},
         "3x3 stride 1 same"),
        ({"type": "AveragePooling2D", "pool_size": 0, "strides": 2}, "stride 2x2"),
        ({"type": "ZeroPadding2D", "padding": 2}, "pad 2"),
        ({"type": "ZeroPadding2D", "padding": -1}, ""),
        ({"type": "Dropout", "rate": 0.25}, "0.25"),
        ({"type": "Dropout", "rate": 2}, ""),
        ({"type": "Activation", "activation": "tanh"}, "tanh"),
        ({"type": "Activation", "activation": None}, ""),
        ({"type": "Activation", "activation": "glu"}, ""),
        ({"type": "BatchNormalization", "momentum": 0.9, "epsilon": 0.01},
         "momentum 0.9 epsilon 0.01"),
        ({"type": "BatchNormalization", "momentum": 0.99, "epsilon": 2}, "epsilon 2"),
    ],
)
def test_a_rows_summary_names_what_differs_from_keras_defaults(
    layer: dict[str, Any], summary: str
) -> None:
    """Also on a row whose arguments were refused: the table still reads well."""
    report = infer_shapes({"layers": [layer, *EVERY_TYPE[-3:]]}, (8, 8, 2), 3)
    assert report.rows[0].args_summary == summary
