"""The pure-Python inference must equal what Keras builds: shapes, names and parameter counts."""

from __future__ import annotations

import math
import os
from typing import Any

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cnn_tui.core.errors import SpecError  # noqa: E402
from cnn_tui.core.keras_model import build_keras_model  # noqa: E402
from cnn_tui.core.presets import PRESETS  # noqa: E402
from cnn_tui.core.shapes import ShapeReport, infer_shapes  # noqa: E402

DATASET_SHAPES = [(28, 28, 1), (32, 32, 3), (64, 48, 3)]


def assert_matches_keras(spec: dict[str, Any], input_shape: tuple[int, int, int],
                         num_classes: int) -> ShapeReport:
    report = infer_shapes(spec, input_shape, num_classes)
    assert report.ok, report.errors
    model = build_keras_model(spec, input_shape, num_classes)
    assert len(model.layers) == len(report.rows)
    for layer, row in zip(model.layers, report.rows, strict=True):
        assert layer.name == row.name
        assert type(layer).__name__ == row.type
        assert tuple(layer.output.shape[1:]) == row.output_shape, row
        assert layer.count_params() == row.params, row
        trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
        assert trainable == row.trainable_params, row
    assert model.count_params() == report.total_params
    assert sum(math.prod(w.shape) for w in model.trainable_weights) == report.trainable_params
    assert tuple(model.layers[-1].output.shape[1:]) == (num_classes,)
    return report


@pytest.mark.parametrize("input_shape", DATASET_SHAPES)
@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_match_keras(name: str, input_shape: tuple[int, int, int]) -> None:
    assert_matches_keras(PRESETS[name], input_shape, 10)


def test_classes_follow_the_dataset_in_keras() -> None:
    assert_matches_keras(PRESETS["seed-cnn"], (32, 32, 3), 100)


def test_builder_refuses_an_invalid_spec_with_the_report_message() -> None:
    spec = {"layers": [{"type": "Conv2D", "filters": 4, "kernel_size": 40}, {"type": "Flatten"},
                       {"type": "Dense", "units": 3, "activation": "softmax"}]}
    with pytest.raises(SpecError, match=r"^layer 1 \(Conv2D\): kernel_size 40 is larger"):
        build_keras_model(spec, (28, 28, 1), 10)


def test_keras_also_rejects_a_kernel_larger_than_its_input() -> None:
    """Our 'size reaches zero' error is a real one, not a stricter rule of ours."""
    with pytest.raises(ValueError):
        keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Conv2D(2, 5)])


# --- random specs ----------------------------------------------------------------------------

windows = st.one_of(st.integers(1, 4), st.tuples(st.integers(1, 4), st.integers(1, 4)))
strides = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
paddings = st.sampled_from(["valid", "same"])
activations = st.sampled_from([None, "relu", "tanh", "linear", "softmax", "gelu"])


def _layer(type_name: str, **args: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"type": st.just(type_name)}, optional=args)


image_layer = st.one_of(
    _layer("Conv2D", filters=st.integers(1, 6), kernel_size=windows, strides=strides,
           padding=paddings, activation=activations, use_bias=st.booleans()).map(
        lambda d: {"filters": 3, "kernel_size": 3, **d}),
    _layer("SeparableConv2D", filters=st.integers(1, 6), kernel_size=windows,
           depth_multiplier=st.integers(1, 2), padding=paddings, use_bias=st.booleans()).map(
        lambda d: {"filters": 3, "kernel_size": 3, **d}),
    _layer("DepthwiseConv2D", kernel_size=windows, depth_multiplier=st.integers(1, 2),
           strides=strides, padding=paddings).map(lambda d: {"kernel_size": 3, **d}),
    _layer("MaxPooling2D", pool_size=windows, strides=st.one_of(st.none(), strides),
           padding=paddings),
    _layer("AveragePooling2D", pool_size=windows, strides=st.one_of(st.none(), strides),
           padding=paddings).map(lambda d: {"pool_size": 2, **d}),
    _layer("BatchNormalization", center=st.booleans(), scale=st.booleans(),
           momentum=st.floats(0.5, 0.99)),
    _layer("ZeroPadding2D", padding=st.one_of(st.integers(0, 2),
                                              st.tuples(st.integers(0, 2), st.integers(0, 2)))),
    _layer("SpatialDropout2D", rate=st.floats(0, 0.9)).map(lambda d: {"rate": 0.1, **d}),
    _layer("Activation", activation=activations).map(lambda d: {"activation": "relu", **d}),
)
reducer = st.sampled_from(
    [{"type": "Flatten"}, {"type": "GlobalAveragePooling2D"}, {"type": "GlobalMaxPooling2D"}])
dense_layer = _layer("Dense", units=st.integers(1, 16), activation=activations,
                     use_bias=st.booleans()).map(lambda d: {"units": 8, **d})
vector_layer = st.one_of(dense_layer, _layer("Dropout", rate=st.floats(0, 0.9)).map(
    lambda d: {"rate": 0.5, **d}), st.just({"type": "BatchNormalization"}))


@st.composite
def random_specs(draw: st.DrawFn) -> tuple[dict[str, Any], tuple[int, int, int], int]:
    body = draw(st.lists(image_layer, min_size=0, max_size=5))
    tail = draw(st.lists(vector_layer, max_size=2))
    layers = [*body, draw(reducer), *tail, {"type": "Dense", "activation": "softmax"}]
    shape = draw(st.sampled_from([(28, 28, 1), (32, 32, 3), (17, 23, 2)]))
    return {"layers": layers}, shape, draw(st.integers(2, 12))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(random_specs())
def test_random_specs_match_keras(case: tuple[dict[str, Any], tuple[int, int, int], int]) -> None:
    spec, input_shape, num_classes = case
    assume(infer_shapes(spec, input_shape, num_classes).ok)
    keras.backend.clear_session()
    assert_matches_keras(spec, input_shape, num_classes)
