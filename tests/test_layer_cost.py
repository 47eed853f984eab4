"""The cost of each layer, worked out by hand: multiply-accumulates and receptive fields.

The MACs are also checked against a count from what Keras builds (kernels times output
positions, tests/test_shapes_vs_keras.py); here each number is written out as a learner
would compute it, so a rule that multiplies the wrong factor fails with a readable diff.
"""

from __future__ import annotations

from typing import Any

from cnn_tui.core.layer_rules.base import Window
from cnn_tui.core.layer_rules.receptive import (
    INPUT_FIELD,
    WHOLE_INPUT,
    field_lines,
    field_text,
    next_field,
)
from cnn_tui.core.presets import PRESETS
from cnn_tui.core.report import ReceptiveField
from cnn_tui.core.shapes import infer_shapes, layer_arithmetic

CIFAR = (32, 32, 3)
HEAD = [{"type": "Flatten"}, {"type": "Dense", "units": 3}]


def square(size: int, jump: int | None) -> ReceptiveField:
    return ReceptiveField((size, size), None if jump is None else (jump, jump))


def test_seed_cnn_on_cifar_layer_by_layer() -> None:
    report = infer_shapes(PRESETS["seed-cnn"], CIFAR, 10)
    # (MACs, receptive field, jump) per layer; None: all of the image, or no jump.
    expected: list[tuple[int, int | None, int | None]] = [
        (32 * 32 * 3 * 3 * 3 * 32, 3, 1),      # conv 32 same: 884,736
        (30 * 30 * 3 * 3 * 32 * 32, 5, 1),     # conv 32 valid: 3 + (3-1)*1
        (0, 6, 2),                             # max pool 2: 5 + (2-1)*1, jump 1*2
        (0, 6, 2),                             # dropout
        (15 * 15 * 3 * 3 * 32 * 64, 10, 2),    # 6 + (3-1)*2
        (13 * 13 * 3 * 3 * 64 * 64, 14, 2),
        (0, 16, 4),                            # pool after convs: 14 + (2-1)*2, jump 2*2
        (0, 16, 4),
        (6 * 6 * 3 * 3 * 64 * 64, 24, 4),      # 16 + (3-1)*4
        (4 * 4 * 3 * 3 * 64 * 64, 32, 4),
        (0, 36, 8),                            # past the 32x32 image: the rest is padding
        (0, 36, 8),
        (0, 36, None),                         # Flatten: each value keeps its field
        (256 * 512, None, None),               # Dense: sees all of the image
        (0, None, None),
        (512 * 10, None, None),
    ]
    got = [(row.macs, row.receptive_field) for row in report.rows]
    assert got == [(macs, WHOLE_INPUT if size is None else square(size, jump))
                   for macs, size, jump in expected]
    assert report.rows[0].macs == 884_736
    assert report.total_macs == sum(macs for macs, _, _ in expected) == 21_609_472


def test_a_dense_layer_multiplies_every_input_by_every_unit() -> None:
    report = infer_shapes(PRESETS["seed-mlp"], (28, 28, 1), 10)
    assert [row.macs for row in report.rows] == [0, 784 * 512, 0, 512 * 512, 0, 512 * 10]
    assert report.rows[0].receptive_field == square(1, None)  # a flattened pixel is a pixel
    assert report.rows[1].receptive_field == WHOLE_INPUT


def test_a_strided_conv_multiplies_the_jump_of_every_later_layer() -> None:
    layers = [{"type": "Conv2D", "filters": 2, "kernel_size": 3, "strides": 2},
              {"type": "Conv2D", "filters": 2, "kernel_size": 3}, *HEAD]
    report = infer_shapes({"layers": layers}, (11, 11, 1), 3)
    first, second = report.rows[:2]
    assert first.output_shape == (5, 5, 2) and first.receptive_field == square(3, 2)
    # 3 + (3-1)*2: neighbouring inputs of the second conv are 2 pixels apart in the image.
    assert second.receptive_field == square(7, 2)
    assert layer_arithmetic(report, 2)[-1] == "RF = 3 + (3-1)*2 = 7, jump = 2*1 = 2"
    assert second.macs == 3 * 3 * 3 * 3 * 2 * 2


def test_uneven_windows_have_a_field_per_axis() -> None:
    layers = [{"type": "MaxPooling2D", "pool_size": [2, 3], "strides": [2, 1]},
              {"type": "Conv2D", "filters": 1, "kernel_size": [1, 3]}, *HEAD]
    report = infer_shapes({"layers": layers}, (8, 9, 1), 3)
    assert report.rows[0].receptive_field == ReceptiveField((2, 3), (2, 1))
    assert report.rows[1].receptive_field == ReceptiveField((2, 5), (2, 1))
    assert field_text(report.rows[1].receptive_field) == "2x5"


def test_separable_and_depthwise_count_each_step() -> None:
    layers = [{"type": "SeparableConv2D", "filters": 6, "kernel_size": 3},
              {"type": "DepthwiseConv2D", "kernel_size": 3, "depth_multiplier": 2}, *HEAD]
    report = infer_shapes({"layers": layers}, (8, 8, 4), 3)
    separable, depthwise = report.rows[:2]
    # Depthwise 3x3 on each of 4 channels at 6x6 positions, then 1x1 from 4 to 6 channels.
    assert separable.macs == 6 * 6 * 3 * 3 * 4 + 6 * 6 * 4 * 6 == 2_160
    assert depthwise.macs == 4 * 4 * 3 * 3 * 6 * 2
    assert separable.receptive_field == square(3, 1) and depthwise.receptive_field == square(5, 1)


def test_batch_normalization_counts_one_per_value_and_pooling_none() -> None:
    layers: list[dict[str, Any]] = [
        {"type": "BatchNormalization"}, {"type": "AveragePooling2D", "pool_size": 2},
        {"type": "GlobalMaxPooling2D"}, {"type": "Dense", "units": 3}]
    report = infer_shapes({"layers": layers}, (6, 4, 5), 3)
    assert [row.macs for row in report.rows] == [6 * 4 * 5, 0, 0, 5 * 3]
    assert report.rows[1].receptive_field == square(2, 2)
    assert report.rows[2].receptive_field == WHOLE_INPUT  # global pooling sees every position


def test_dilation_widens_the_window_without_weights() -> None:
    """No layer type of the catalogue takes dilation_rate yet; the rule is ready for it."""
    dilated = Window(kernel=(3, 3), strides=(1, 1), dilation=(2, 2))
    assert dilated.span(0) == 5  # 2*(3-1) + 1
    field = next_field(INPUT_FIELD, dilated)
    assert field == square(5, 1)
    assert next_field(field, Window((3, 3), (1, 1), (4, 1))) == ReceptiveField((13, 7), (1, 1))
    assert field_lines(INPUT_FIELD, dilated) == [
        "RF = 1 + (5-1)*1 = 5, jump = 1*1 = 1 (3 dilated by 2 spans 5)"]


def test_fields_that_are_not_windows() -> None:
    field = square(6, 2)
    assert next_field(field, "keep") == field
    assert next_field(field, "unroll") == square(6, None)
    assert next_field(field, "all") == WHOLE_INPUT == next_field(WHOLE_INPUT, "unroll")
    assert field_text(WHOLE_INPUT) == "all" and field_text(field, "×") == "6×6"
    assert field_lines(WHOLE_INPUT, "keep") == ["RF = all (unchanged)"]


def test_an_invalid_layer_and_the_layers_after_it_have_no_cost() -> None:
    layers = [{"type": "Conv2D", "filters": 2, "kernel_size": 40}, *HEAD]
    report = infer_shapes({"layers": layers}, CIFAR, 3)
    assert [(row.macs, row.receptive_field) for row in report.rows] == [(0, None)] * 3
    assert report.total_macs == 0


def test_a_window_that_reaches_past_the_image_says_it_sees_padding() -> None:
    report = infer_shapes(PRESETS["seed-cnn"], CIFAR, 10)
    assert layer_arithmetic(report, 11)[-2:] == [
        "RF = 32 + (2-1)*4 = 36, jump = 4*2 = 8", "(past the 32x32 image: padding)"]
    assert layer_arithmetic(report, 10)[-1] == "RF = 24 + (3-1)*4 = 32, jump = 4*1 = 4"
    assert layer_arithmetic(report, 12)[-1] == "RF = 36x36 (unchanged), jump 8"  # said once
