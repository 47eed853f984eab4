"""The pure-Python inference must equal what Keras builds: shapes, names, parameter counts,
and which specs build at all.

Agreement is checked both ways: a spec our inference accepts must build in
Keras with the same numbers, and a spec Keras refuses must be refused by our
inference, and the reverse. So a rule that wrongly rejects a valid spec (a
window equal to its input, a stride larger than it) fails here too, not only
one that wrongly accepts. The Keras side is built from the spec's own
arguments, not through ``build_keras_model`` (which refuses what our
inference refuses and so could not disagree).
"""

from __future__ import annotations

import math
import os
from typing import Any

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402 - a dependency: its absence is a failure, not a skip
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cnn_tui.core.errors import SpecError  # noqa: E402
from cnn_tui.core.keras_model import build_keras_model  # noqa: E402
from cnn_tui.core.presets import PRESETS  # noqa: E402
from cnn_tui.core.shapes import ShapeReport, infer_shapes  # noqa: E402
from cnn_tui.core.spec import effective_layers  # noqa: E402
from tests.spec_strategies import Case, image_layers, random_specs  # noqa: E402
from tests.test_shape_text import EVERY_TYPE  # noqa: E402

DATASET_SHAPES = [(28, 28, 1), (32, 32, 3), (64, 48, 3)]


def keras_macs(layer: Any) -> int:
    """Multiply-accumulates counted from what Keras built: every kernel weight (not the
    biases) once per output position; one per value for batch normalization; else 0."""
    kernels = sum(math.prod(w.shape) for w in layer.weights if w.name.endswith("kernel"))
    out = tuple(layer.output.shape[1:])
    if type(layer).__name__ == "BatchNormalization":
        return math.prod(out)
    positions = math.prod(out[:2]) if len(out) == 3 else 1
    return positions * kernels


def assert_matches_keras(spec: dict[str, Any], input_shape: tuple[int, int, int],
                         num_classes: int) -> ShapeReport:
    """Our report is ok and equals the model ``build_keras_model`` makes, layer by layer
    (and our MACs equal a count from Keras's kernels and output shapes)."""
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
        assert keras_macs(layer) == row.macs, row
    assert model.count_params() == report.total_params
    assert sum(math.prod(w.shape) for w in model.trainable_weights) == report.trainable_params
    assert tuple(model.layers[-1].output.shape[1:]) == (num_classes,)
    return report


def keras_outputs(spec: dict[str, Any], input_shape: tuple[int, int, int],
                  num_classes: int) -> list[tuple[tuple[int, ...], int]] | str:
    """(output shape, params) per layer as Keras builds the spec's layers, or Keras's refusal."""
    keras.backend.clear_session()
    layers = [keras.Input(shape=input_shape)]
    for layer in effective_layers(spec, num_classes):
        args = {key: value for key, value in layer.items() if key != "type"}
        layers.append(getattr(keras.layers, layer["type"])(**args))
    try:
        model = keras.Sequential(layers)
    except ValueError as exc:  # Keras's "Computed output size would be zero or negative"
        return str(exc).strip().splitlines()[0] or "ValueError"
    return [(tuple(layer.output.shape[1:]), layer.count_params()) for layer in model.layers]


def assert_agrees_with_keras(spec: dict[str, Any], input_shape: tuple[int, int, int],
                             num_classes: int) -> bool:
    """Both accept (with equal numbers) or both refuse; returns whether the spec builds."""
    report = infer_shapes(spec, input_shape, num_classes)
    built = keras_outputs(spec, input_shape, num_classes)
    if isinstance(built, str):
        assert not report.ok, f"Keras refuses ({built}) but our inference accepts {spec}"
        return False
    assert report.ok, f"Keras builds it but our inference refuses: {report.errors}"
    ours = [(row.output_shape, row.params) for row in report.rows]
    assert ours == built
    assert_matches_keras(spec, input_shape, num_classes)
    return True


@pytest.mark.parametrize("input_shape", DATASET_SHAPES)
@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_match_keras(name: str, input_shape: tuple[int, int, int]) -> None:
    assert_matches_keras(PRESETS[name], input_shape, 10)


def test_classes_follow_the_dataset_in_keras() -> None:
    assert_matches_keras(PRESETS["seed-cnn"], (32, 32, 3), 100)


def test_the_reference_cnn_on_cifar10() -> None:
    report = assert_matches_keras(PRESETS["seed-cnn"], (32, 32, 3), 10)
    assert report.total_params == 276_138
    assert report.rows[0].macs == 32 * 32 * 3 * 3 * 3 * 32 == 884_736
    assert next(r for r in report.rows if r.type == "Flatten").output_shape == (256,)


def test_every_layer_type_on_a_non_square_image_matches_keras() -> None:
    """The numbers tests/test_shape_text.py pins (and mutation testing relies on) are Keras's."""
    assert_matches_keras({"layers": EVERY_TYPE}, (20, 15, 3), 3)


def test_builder_refuses_an_invalid_spec_with_the_report_message() -> None:
    spec = {"layers": [{"type": "Conv2D", "filters": 4, "kernel_size": 40}, {"type": "Flatten"},
                       {"type": "Dense", "units": 3, "activation": "softmax"}]}
    with pytest.raises(SpecError, match=r"^layer 1 \(Conv2D\): kernel_size 40 is larger"):
        build_keras_model(spec, (28, 28, 1), 10)


# --- boundaries: where an off-by-one in a rule would show ------------------------------------

HEAD = [{"type": "Flatten"}, {"type": "Dense", "units": 3, "activation": "softmax"}]


def conv(kernel: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "Conv2D", "filters": 2, "kernel_size": kernel, **extra}


def pool(size: Any, type_name: str = "MaxPooling2D", **extra: Any) -> dict[str, Any]:
    return {"type": type_name, "pool_size": size, **extra}


# (layers before Flatten, input, builds, the last image layer's output when it builds)
BOUNDARIES = [
    # a window exactly equal to its input: one output position, not an error
    ([conv(5)], (5, 7, 1), True, (1, 3, 2)),
    ([conv((5, 7))], (5, 7, 1), True, (1, 1, 2)),
    ([{"type": "DepthwiseConv2D", "kernel_size": 4}], (4, 4, 3), True, (1, 1, 3)),
    ([{"type": "SeparableConv2D", "filters": 2, "kernel_size": 4}], (4, 4, 3), True, (1, 1, 2)),
    ([pool(5)], (5, 7, 1), True, (1, 1, 1)),
    ([pool((5, 7), "AveragePooling2D")], (5, 7, 2), True, (1, 1, 2)),
    ([pool(4, strides=1)], (4, 4, 1), True, (1, 1, 1)),
    ([{"type": "ZeroPadding2D", "padding": 1}, conv(6)], (4, 4, 1), True, (1, 1, 2)),
    # one larger than its input: 'valid' would reach size 0, which Keras refuses too
    ([conv(6)], (5, 7, 1), False, None),
    ([conv((5, 8))], (5, 7, 1), False, None),
    ([{"type": "DepthwiseConv2D", "kernel_size": 5}], (4, 4, 3), False, None),
    ([pool(6)], (5, 7, 1), False, None),
    ([pool(8, "AveragePooling2D", strides=1)], (5, 7, 1), False, None),
    # ... but 'same' pads, so any window fits
    ([conv(6, padding="same")], (5, 7, 1), True, (5, 7, 2)),
    ([pool(8, padding="same")], (5, 7, 1), True, (1, 1, 1)),
    # a stride larger than the input: one output position either way
    ([conv(2, strides=9)], (5, 7, 1), True, (1, 1, 2)),
    ([conv(2, strides=9, padding="same")], (5, 7, 1), True, (1, 1, 2)),
    ([pool(2, strides=(9, 3))], (5, 7, 1), True, (1, 2, 1)),
    ([pool(3, padding="same", strides=8)], (5, 7, 1), True, (1, 1, 1)),
    # 'valid' shrinking to 1, then to 0 one layer later
    ([conv(3), conv(1)], (3, 3, 1), True, (1, 1, 2)),
    ([conv(3), pool(1)], (3, 3, 1), True, (1, 1, 2)),
    ([conv(3), conv(2)], (3, 3, 1), False, None),
    ([pool(2), pool(2), pool(2)], (4, 4, 1), False, None),
]


@pytest.mark.parametrize(("body", "input_shape", "builds", "last"), BOUNDARIES)
def test_boundaries_agree_with_keras(body: list[dict[str, Any]], input_shape: tuple[int, int, int],
                                     builds: bool, last: tuple[int, ...] | None) -> None:
    spec = {"layers": [*body, *HEAD]}
    assert assert_agrees_with_keras(spec, input_shape, 3) is builds
    report = infer_shapes(spec, input_shape, 3)
    if builds:
        assert report.rows[len(body) - 1].output_shape == last
    else:
        assert "would reach zero" in report.errors[0]


def test_keras_also_rejects_a_kernel_larger_than_its_input() -> None:
    """Our 'size reaches zero' error is a real one, not a stricter rule of ours."""
    with pytest.raises(ValueError):
        keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Conv2D(2, 5)])


# --- random specs ----------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_specs())
def test_random_specs_agree_with_keras(case: Case) -> None:
    """Everyday sizes: mostly specs that build, compared layer by layer (nothing assumed away)."""
    assert_agrees_with_keras(*case)


# Small images, windows and strides up to twice their size, and a first layer whose window is
# the input's size give or take one: many specs sit on a boundary, on either side of it.
tiny_shapes = st.sampled_from([(3, 3, 1), (4, 6, 2), (5, 5, 1), (7, 4, 3)])
tight_layers = image_layers(
    window=st.one_of(st.integers(1, 7), st.tuples(st.integers(1, 7), st.integers(1, 7))),
    stride=st.one_of(st.integers(1, 8), st.tuples(st.integers(1, 8), st.integers(1, 8))),
)


@st.composite
def boundary_specs(draw: st.DrawFn) -> Case:
    spec, shape, classes = draw(random_specs(shapes=tiny_shapes, body=tight_layers, max_body=2))
    height, width = shape[:2]
    near = st.tuples(st.integers(max(1, height - 1), height + 1),
                     st.integers(max(1, width - 1), width + 1))
    wide = st.one_of(st.integers(1, max(height, width) + 2),
                     st.tuples(st.integers(1, height + 2), st.integers(1, width + 2)))
    first = draw(image_layers(window=near, stride=wide))
    return {"layers": [first, *spec["layers"]]}, shape, classes


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(boundary_specs())
def test_keras_and_the_inference_agree_on_whether_a_spec_builds(case: Case) -> None:
    assert_agrees_with_keras(*case)
