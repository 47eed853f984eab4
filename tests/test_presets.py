"""The presets are what their descriptions promise, and build on every dataset shape."""

from __future__ import annotations

import pytest

from cnn_tui.core.presets import PRESET_DESCRIPTIONS, PRESETS
from cnn_tui.core.shapes import infer_shapes
from cnn_tui.core.spec import check_spec_structure


def brief(spec: dict) -> list[tuple]:
    """(type, main argument, padding/activation) per layer, for comparing with the tutorial."""
    rows = []
    for layer in spec["layers"]:
        main = layer.get("filters", layer.get("units", layer.get("pool_size", layer.get("rate"))))
        rows.append((layer["type"], main, layer.get("padding", "valid"), layer.get("activation")))
    return rows


def test_every_preset_has_a_one_line_description() -> None:
    assert set(PRESETS) == set(PRESET_DESCRIPTIONS) == {"seed-cnn", "seed-mlp", "lenet5", "bn-cnn"}
    for name, text in PRESET_DESCRIPTIONS.items():
        assert text and "\n" not in text
        assert PRESETS[name]["description"] == text
        check_spec_structure(PRESETS[name])


def test_seed_cnn_is_the_tutorial_network() -> None:
    def block(filters: int) -> list[tuple]:
        return [("Conv2D", filters, "same", "relu"), ("Conv2D", filters, "valid", "relu"),
                ("MaxPooling2D", 2, "valid", None), ("Dropout", 0.25, "valid", None)]

    assert brief(PRESETS["seed-cnn"]) == [
        *block(32), *block(64), *block(64),
        ("Flatten", None, "valid", None), ("Dense", 512, "valid", "relu"),
        ("Dropout", 0.5, "valid", None), ("Dense", 10, "valid", "softmax")]
    assert all(layer.get("kernel_size", 3) == 3 for layer in PRESETS["seed-cnn"]["layers"])


@pytest.mark.parametrize(
    ("input_shape", "before_flatten"), [((32, 32, 3), (2, 2, 64)), ((28, 28, 1), (1, 1, 64))]
)
def test_seed_cnn_flatten_size(input_shape: tuple, before_flatten: tuple) -> None:
    report = infer_shapes(PRESETS["seed-cnn"], input_shape, 10)
    assert report.ok, report.errors
    flatten = next(row for row in report.rows if row.type == "Flatten")
    assert flatten.input_shape == before_flatten


def test_seed_mlp() -> None:
    assert brief(PRESETS["seed-mlp"]) == [
        ("Flatten", None, "valid", None), ("Dense", 512, "valid", "relu"),
        ("Dropout", 0.5, "valid", None), ("Dense", 512, "valid", "relu"),
        ("Dropout", 0.5, "valid", None), ("Dense", 10, "valid", "softmax")]


@pytest.mark.parametrize(("input_shape", "flat"), [((28, 28, 1), 400), ((32, 32, 3), 576)])
def test_lenet5_builds_on_mnist_and_cifar(input_shape: tuple, flat: int) -> None:
    report = infer_shapes(PRESETS["lenet5"], input_shape, 10)
    assert report.ok, report.errors
    types = [row.type for row in report.rows]
    assert types == ["Conv2D", "AveragePooling2D", "Conv2D", "AveragePooling2D", "Flatten",
                     "Dense", "Dense", "Dense"]
    assert report.rows[4].output_shape == (flat,)
    assert [row.output_shape for row in report.rows[5:]] == [(120,), (84,), (10,)]


def test_bn_cnn_is_modern_and_not_bigger_than_seed_cnn() -> None:
    types = [layer["type"] for layer in PRESETS["bn-cnn"]["layers"]]
    assert "BatchNormalization" in types and "GlobalAveragePooling2D" in types
    assert "Flatten" not in types
    bn = infer_shapes(PRESETS["bn-cnn"], (32, 32, 3), 10)
    seed = infer_shapes(PRESETS["seed-cnn"], (32, 32, 3), 10)
    assert bn.ok and seed.ok
    assert bn.total_params <= 1.1 * seed.total_params


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize(("shape", "classes"), [((28, 28, 1), 10), ((32, 32, 3), 100),
                                                ((64, 48, 3), 7), ((96, 96, 3), 2)])
def test_every_preset_builds_on_every_shape(name: str, shape: tuple, classes: int) -> None:
    report = infer_shapes(PRESETS[name], shape, classes)
    assert report.ok, report.errors
    assert report.rows[-1].output_shape == (classes,)
