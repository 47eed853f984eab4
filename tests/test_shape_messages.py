"""Every refusal of the shape inference, word for word, and what a refused row still shows.

The TUI prints these sentences under the table and the CLI prints them before exiting, so
each is pinned whole: "layer N (Type): what is wrong; what would fix it".
"""

from __future__ import annotations

from typing import Any

import pytest

from cnn_tui.core.layers import LAYER_SCHEMAS
from cnn_tui.core.shapes import LayerRow, infer_shapes

HEAD = [{"type": "Flatten"}, {"type": "Dense", "units": 3}]
TYPES = ", ".join(LAYER_SCHEMAS)


@pytest.mark.parametrize(
    ("spec", "shape", "classes", "error"),
    [
        ({"layers": HEAD}, (28, 28), 3,
         "model: input shape (28, 28) is not (height, width, channels); use a dataset of images"),
        ({"layers": HEAD}, (28, 0, 1), 3,
         "model: input shape (28, 0, 1) is not (height, width, channels); use a dataset of images"),
        ({"layers": HEAD}, (28, 28.5, 1), 3, "model: input shape (28, 28.5, 1) is not "
                                             "(height, width, channels); use a dataset of images"),
        ({"layers": HEAD}, (2, 2, 1), 0, "model: 0 classes; use a dataset with labelled classes"),
        ({"layers": HEAD}, (2, 2, 1), 1.5,
         "model: 1.5 classes; use a dataset with labelled classes"),
        ({"layers": HEAD}, (2, 2, 1), "3",
         "model: 3 classes; use a dataset with labelled classes"),
        ([], (2, 2, 1), 3,
         'model: the spec is not {"layers": [...]}; load a preset or a JSON spec'),
        ({"layers": []}, (2, 2, 1), 3,
         "model: the spec has no layers; add layers, e.g. Flatten then Dense"),
        ({"layers": HEAD, "classes_from_dataset": "no"}, (2, 2, 1), 3,
         'model: "classes_from_dataset" must be true or false; fix the spec'),
        ({"layers": [{"type": "Dropout", "rate": float("nan")}, *HEAD]}, (2, 2, 1), 3,
         "model spec: layers[0].rate is NaN; use a finite number"),
    ],
)
def test_a_model_level_refusal_keeps_the_input_and_has_no_rows(
    spec: Any, shape: tuple[Any, ...], classes: Any, error: str
) -> None:
    report = infer_shapes(spec, shape, classes)
    assert report.errors == (error,)
    assert (report.input_shape, report.rows, report.num_classes) == (shape, (), classes)
    assert (report.total_params, report.trainable_params) == (0, 0)


def test_one_class_and_a_one_pixel_image_are_valid() -> None:
    report = infer_shapes({"layers": HEAD}, (1, 1, 1), 1)
    assert report.ok and report.output_shape == (1,) and report.num_classes == 1


@pytest.mark.parametrize(
    ("layer", "error"),
    [
        (3, 'layer 1 (?): is not an object; write it as {"type": "Dense", ...}'),
        (["Dense"], 'layer 1 (?): is not an object; write it as {"type": "Dense", ...}'),
        ({"units": 3}, f'layer 1 (?): has no "type"; add "type" with one of {TYPES}'),
        ({"type": 3}, f"layer 1 (?): unknown layer type; use one of {TYPES}"),
        ({"type": ""}, f"layer 1 (?): unknown layer type; use one of {TYPES}"),
        ({"type": "Conv3D"}, f"layer 1 (Conv3D): unknown layer type; use one of {TYPES}"),
    ],
)
def test_a_layer_that_is_no_layer_is_refused_on_its_row(layer: Any, error: str) -> None:
    report = infer_shapes({"layers": [layer, *HEAD]}, (5, 6, 1), 3)
    assert report.errors == (error,)
    row = report.rows[0]
    assert (row.index, row.args_summary, row.input_shape, row.output_shape) == (
        1, "", (5, 6, 1), None)
    assert (row.params, row.trainable_params, row.args) == (0, 0, {})


@pytest.mark.parametrize(
    ("type_name", "name"),
    [("Conv3D", "conv3d"), ("My Layer!", "my_layer"), ("!!", "layer"),
     ("HTTPLayer", "http_layer"), ("LSTMCell2D", "lstm_cell2d")],
)
def test_unknown_types_are_named_as_keras_would(type_name: str, name: str) -> None:
    report = infer_shapes({"layers": [{"type": type_name}, {"type": type_name}]}, (5, 6, 1), 3)
    assert [row.name for row in report.rows] == [name, f"{name}_1"]


def test_a_row_with_bad_arguments_keeps_the_good_ones_and_its_summary() -> None:
    conv = {"type": "Conv2D", "filters": 4, "kernel_size": 3, "strides": 0, "padding": "full"}
    report = infer_shapes({"layers": [conv, *HEAD]}, (5, 6, 1), 3)
    assert report.errors == (
        "layer 1 (Conv2D): strides=0 is not valid; use an integer or [h, w] >= 1, e.g. 1",
        "layer 1 (Conv2D): padding='full' is not valid; use one of 'valid', 'same'",
    )
    row = report.rows[0]
    assert row.error == "\n".join(report.errors)
    assert row.args_summary == "4 3x3"
    assert dict(row.args) == {"filters": 4, "kernel_size": 3, "activation": None,
                              "use_bias": True}
    later = report.rows[1]
    assert later == LayerRow(2, "flatten", "Flatten", "", None, None, 0, 0, None)
    assert dict(later.args) == {}
    assert dict(report.rows[2].args) == {"units": 3, "activation": None, "use_bias": True}


def test_a_layer_that_cannot_take_its_input_keeps_its_arguments() -> None:
    conv = {"type": "Conv2D", "filters": 4, "kernel_size": 9}
    report = infer_shapes({"layers": [conv, *HEAD]}, (5, 6, 1), 3)
    assert report.errors == (
        "layer 1 (Conv2D): kernel_size 9 is larger than its input size 5 (the output size would "
        "reach zero); use a kernel_size <= 5, padding='same', or remove an earlier pooling layer",
    )
    row = report.rows[0]
    assert (row.args_summary, row.output_shape, row.params) == ("4 9x9", None, 0)
    assert row.args["filters"] == 4 and row.args["padding"] == "valid"


def test_a_pool_whose_width_alone_is_too_large_names_its_argument() -> None:
    pool = {"type": "MaxPooling2D", "pool_size": [2, 9]}
    report = infer_shapes({"layers": [pool, *HEAD]}, (5, 6, 1), 3)
    assert report.errors == (
        "layer 1 (MaxPooling2D): pool_size 9 is larger than its input size 6 (the output size "
        "would reach zero); use a pool_size <= 6, padding='same', or remove an earlier pooling "
        "layer",
    )


def test_an_output_too_large_to_index_keeps_the_rows_arguments() -> None:
    conv = {"type": "Conv2D", "filters": 100_000, "kernel_size": 1, "padding": "same"}
    report = infer_shapes({"layers": [conv, *HEAD]}, (4096, 4096, 3), 3)
    assert report.errors == (
        "layer 1 (Conv2D): its output holds 1,677,721,600,000 values per image, more than "
        "TensorFlow can index (2,147,483,647); use fewer filters, smaller padding, or a stride "
        "or pooling before it",
    )
    row = report.rows[0]
    assert (row.args_summary, row.args["filters"], row.output_shape) == (
        "100000 1x1 same", 100_000, None)


def test_dense_on_an_image_says_how_to_flatten_it() -> None:
    layers = [{"type": "Conv2D", "filters": 4, "kernel_size": 3}, {"type": "Dense", "units": 3}]
    assert infer_shapes({"layers": layers}, (5, 6, 1), 3).errors == (
        "layer 2 (Dense): gets a 3-D input (3, 4, 4); "
        "add Flatten or GlobalAveragePooling2D before it",
    )


@pytest.mark.parametrize(
    ("layers", "top", "last", "error"),
    [
        ([{"type": "Conv2D", "filters": 4, "kernel_size": 3}], {},
         LayerRow(1, "conv2d", "Conv2D", "4 3x3", (5, 6, 1), (3, 4, 4), 40, 40, None,
                  {"filters": 4, "kernel_size": 3, "strides": 1, "padding": "valid",
                   "activation": None, "use_bias": True}),
         "layer 1 (Conv2D): the model ends with (3, 4, 4) but must end with (3,) class scores; "
         "add Flatten or GlobalAveragePooling2D, then end with Dense(units=3, "
         "activation='softmax')"),
        ([{"type": "Flatten"}], {},
         LayerRow(1, "flatten", "Flatten", "", (5, 6, 1), (30,), 0, 0, None),
         "layer 1 (Flatten): the model outputs 30 values but the dataset has 3 classes; "
         "end with Dense(units=3, activation='softmax')"),
        ([{"type": "Flatten"}, {"type": "Dense", "units": 4}], {"classes_from_dataset": False},
         LayerRow(2, "dense", "Dense", "4", (30,), (4,), 124, 124, None,
                  {"units": 4, "activation": None, "use_bias": True}),
         "layer 2 (Dense): the model outputs 4 values but the dataset has 3 classes; "
         'set the last Dense units to 3 or drop "classes_from_dataset": false'),
    ],
)
def test_a_wrong_final_output_is_reported_on_the_last_row_which_keeps_its_numbers(
    layers: list[dict[str, Any]], top: dict[str, Any], last: LayerRow, error: str
) -> None:
    report = infer_shapes({"layers": layers, **top}, (5, 6, 1), 3)
    assert report.errors == (error,)
    assert report.num_classes == 3 and report.output_shape is None
    row = report.rows[-1]
    assert row == LayerRow(last.index, last.name, last.type, last.args_summary,
                           last.input_shape, last.output_shape, last.params,
                           last.trainable_params, error)
    assert dict(row.args) == dict(last.args)
    assert report.total_params == sum(r.params for r in report.rows)


def test_a_window_as_large_as_its_input_leaves_one_position() -> None:
    """Keras agrees (tests/test_shapes_vs_keras.py): only a larger window reaches zero."""
    conv = {"type": "Conv2D", "filters": 2, "kernel_size": 5}
    report = infer_shapes({"layers": [conv, *HEAD]}, (5, 7, 1), 3)
    assert report.ok and report.rows[0].output_shape == (1, 3, 2)


def test_report_for_peeks_at_the_dataset_without_loading_it(tmp_path: Any) -> None:
    from cnn_tui.core.shapes import report_for
    from tests.dataset_files import write_image_folder

    info, report = report_for("seed-mlp", "mnist")
    assert (info.input_shape, info.num_classes) == ((28, 28, 1), 10)
    assert report.ok and report.input_shape == (28, 28, 1) and report.num_classes == 10
    write_image_folder(tmp_path / "pets", 2, (6, 8, 3))
    spec = {"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 7}]}
    info, report = report_for(spec, str(tmp_path / "pets"), image_size=(4, 5))
    assert (info.input_shape, info.num_classes) == ((4, 5, 3), 2)
    assert [row.output_shape for row in report.rows] == [(60,), (2,)]
    assert spec["layers"][1]["units"] == 7, "the caller's spec is not changed"
