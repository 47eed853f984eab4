"""Hypothesis strategies for random specs, shared by the inference and Keras tests.

Values stay within what the schemas accept; sizes are small so that windows
often meet their input exactly, or exceed it (the boundaries where the rules
can be off by one).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

windows = st.one_of(st.integers(1, 4), st.tuples(st.integers(1, 4), st.integers(1, 4)))
strides = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
paddings = st.sampled_from(["valid", "same"])
activations = st.sampled_from([None, "relu", "tanh", "linear", "softmax", "gelu"])


def layer(type_name: str, **args: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A layer of ``type_name`` with any subset of ``args`` drawn (the rest take defaults)."""
    return st.fixed_dictionaries({"type": st.just(type_name)}, optional=args)


def image_layers(window: st.SearchStrategy[Any] = windows,
                 stride: st.SearchStrategy[Any] = strides) -> st.SearchStrategy[dict[str, Any]]:
    """Any layer that takes (height, width, channels), with windows and strides drawn from these."""
    return st.one_of(
        layer("Conv2D", filters=st.integers(1, 6), kernel_size=window, strides=stride,
              padding=paddings, activation=activations, use_bias=st.booleans()).map(
            lambda d: {"filters": 3, "kernel_size": 3, **d}),
        layer("SeparableConv2D", filters=st.integers(1, 6), kernel_size=window, strides=stride,
              depth_multiplier=st.integers(1, 2), padding=paddings,
              use_bias=st.booleans()).map(lambda d: {"filters": 3, "kernel_size": 3, **d}),
        layer("DepthwiseConv2D", kernel_size=window, depth_multiplier=st.integers(1, 2),
              strides=stride, padding=paddings, use_bias=st.booleans()).map(
            lambda d: {"kernel_size": 3, **d}),
        layer("MaxPooling2D", pool_size=window, strides=st.one_of(st.none(), stride),
              padding=paddings),
        layer("AveragePooling2D", pool_size=window, strides=st.one_of(st.none(), stride),
              padding=paddings).map(lambda d: {"pool_size": 2, **d}),
        layer("BatchNormalization", center=st.booleans(), scale=st.booleans(),
              momentum=st.floats(0.5, 0.99)),
        layer("ZeroPadding2D", padding=st.one_of(
            st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2)))),
        layer("SpatialDropout2D", rate=st.floats(0, 0.9)).map(lambda d: {"rate": 0.1, **d}),
        layer("Activation", activation=activations).map(lambda d: {"activation": "relu", **d}),
    )


image_layer = image_layers()
reducer = st.sampled_from(
    [{"type": "Flatten"}, {"type": "GlobalAveragePooling2D"}, {"type": "GlobalMaxPooling2D"}])
dense_layer = layer("Dense", units=st.integers(1, 16), activation=activations,
                    use_bias=st.booleans()).map(lambda d: {"units": 8, **d})
vector_layer = st.one_of(dense_layer, layer("Dropout", rate=st.floats(0, 0.9)).map(
    lambda d: {"rate": 0.5, **d}), st.just({"type": "BatchNormalization"}))

Case = tuple[dict[str, Any], tuple[int, int, int], int]


@st.composite
def random_specs(draw: st.DrawFn, shapes: st.SearchStrategy[tuple[int, int, int]] | None = None,
                 body: st.SearchStrategy[dict[str, Any]] = image_layer, max_body: int = 5) -> Case:
    """(spec, input shape, classes): image layers, a reducer, vector layers, the output Dense."""
    image = draw(st.lists(body, min_size=0, max_size=max_body))
    tail = draw(st.lists(vector_layer, max_size=2))
    layers = [*image, draw(reducer), *tail, {"type": "Dense", "activation": "softmax"}]
    if shapes is None:
        shapes = st.sampled_from([(28, 28, 1), (32, 32, 3), (17, 23, 2)])
    shape = draw(shapes)
    return {"layers": layers}, shape, draw(st.integers(2, 12))
