"""Inside one image: what every convolution and pooling layer makes of it.

``FeatureExtractor`` builds, once per loaded model, one Keras model from the
run's input to the output of every layer that keeps the image's layout
(height x width x channels: convolutions and windowed pooling; global
pooling and the dense layers give vectors, not maps) plus the class
probabilities, so one image costs one forward pass. ``first_filters`` gives
the first convolution's kernels scaled for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cnn_tui.core.inspect.run import InspectError

MAP_LAYER_TYPES = frozenset({"Conv2D", "SeparableConv2D", "DepthwiseConv2D",
                             "MaxPooling2D", "AveragePooling2D"})
CONV_LAYER_TYPES = frozenset({"Conv2D", "SeparableConv2D", "DepthwiseConv2D"})


@dataclass(frozen=True, eq=False)
class FeatureMap:
    """One layer's output for one image."""

    layer: str
    """The Keras layer's name (= the Model tab's ``LayerRow.name``)."""
    type: str
    shape: tuple[int, int, int]
    """Height, width, channels."""
    values: np.ndarray
    """float32 (H, W, C), as the layer outputs them."""

    def channel_for_display(self, channel: int) -> np.ndarray:
        """float32 (H, W) of one channel scaled to [0, 1] (a flat channel is all 0)."""
        return scale_to_unit(self.values[..., channel])


@dataclass(frozen=True, eq=False)
class ImageInside:
    """One image, its feature maps in layer order, and the model's probabilities for it."""

    image: np.ndarray
    """uint8 (H, W, C), as given."""
    maps: tuple[FeatureMap, ...]
    probabilities: np.ndarray
    """float32 (K,)."""


@dataclass(frozen=True, eq=False)
class Filters:
    """The first convolution's kernels, one per output channel."""

    layer: str
    type: str
    weights: np.ndarray
    """float32 (F, kh, kw, C): filter f's weights over its window and input channels."""
    display: np.ndarray
    """``weights`` with each filter scaled on its own to [0, 1]: every filter's pattern
    shows, even where one filter's weights are ten times another's."""


class FeatureExtractor:
    """Feature maps and probabilities of single images, for one loaded model."""

    def __init__(self, model: Any) -> None:
        import keras

        self.input_shape = tuple(int(d) for d in model.inputs[0].shape[1:])
        chosen = [layer for layer in model.layers
                  if type(layer).__name__ in MAP_LAYER_TYPES and len(layer.output.shape) == 4]
        self.layers: tuple[tuple[str, str], ...] = tuple(
            (layer.name, type(layer).__name__) for layer in chosen)
        """(name, type) of each layer whose maps ``inside`` returns, in order."""
        # One input tensor, not a list: the call below passes one array.
        self._model = keras.Model(model.inputs[0], [*(layer.output for layer in chosen),
                                                 model.outputs[0]])

    def inside(self, image: np.ndarray) -> ImageInside:
        """The maps and probabilities of one uint8 (H, W, C) image (one forward pass)."""
        if image.dtype != np.uint8 or tuple(image.shape) != self.input_shape:
            raise InspectError(f"an image of {image.shape} ({image.dtype}) does not fit a model "
                               f"that takes uint8 images of {self.input_shape}.")
        batch = image[np.newaxis].astype(np.float32) / 255.0
        # A direct call in inference mode: no predict() set-up or tracing for one image.
        outputs = self._model(batch, training=False)
        arrays = [np.asarray(output)[0] for output in outputs]
        maps = tuple(FeatureMap(name, kind, (int(a.shape[0]), int(a.shape[1]), int(a.shape[2])),
                                a.astype(np.float32, copy=False))
                     for (name, kind), a in zip(self.layers, arrays[:-1], strict=True))
        return ImageInside(image, maps, arrays[-1].astype(np.float32, copy=False))


def first_filters(model: Any) -> Filters | None:
    """The first convolution layer's kernels, or None when the model has no convolution."""
    for layer in model.layers:
        kind = type(layer).__name__
        if kind not in CONV_LAYER_TYPES:
            continue
        # SeparableConv2D's spatial kernels are its depthwise ones.
        kernel = layer.depthwise_kernel if kind == "SeparableConv2D" else layer.kernel
        values = np.asarray(kernel, dtype=np.float32)  # (kh, kw, in, out or multiplier)
        if kind == "Conv2D":
            weights = values.transpose(3, 0, 1, 2)
        else:  # one filter per input channel and multiplier, each over one channel
            kh, kw, channels, multiplier = values.shape
            weights = values.transpose(2, 3, 0, 1).reshape(channels * multiplier, kh, kw, 1)
        display = np.stack([scale_to_unit(w) for w in weights]) if len(weights) else weights
        return Filters(layer.name, kind, weights, display)
    return None


def scale_to_unit(values: np.ndarray) -> np.ndarray:
    """float32 ``values`` min-max scaled to [0, 1]; a constant array becomes all 0."""
    values = np.asarray(values, dtype=np.float32)
    if values.size == 0:
        return values
    low, high = float(values.min()), float(values.max())
    if not high > low:  # also NaN: nothing to show
        return np.zeros_like(values)
    return (values - low) / (high - low)
