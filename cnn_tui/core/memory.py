"""How much memory a model and a batch need: bounds before training, advice after an OOM.

The estimates are rough on purpose (float32 everywhere, every activation kept
for the backward pass) but they tell apart the two usual causes of running
out of memory: a model too large (a Dense layer after an unpooled Flatten) or
a batch too large for the images. Pure Python: no TensorFlow needed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from cnn_tui.core.limits import MAX_ACTIVATION, MAX_PARAMS, bytes_text
from cnn_tui.core.shape_format import format_shape

FLOAT_BYTES = 4
MODEL_COPIES = 4
"""Weights, their gradients, and up to two optimizer slots (Adam's m and v)."""
ACTIVATION_COPIES = 2
"""Each layer's output is kept for the backward pass, which makes its gradient."""


def model_bytes(total_params: int) -> int:
    """Bytes for the weights, gradients and optimizer state of ``total_params`` parameters."""
    return total_params * FLOAT_BYTES * MODEL_COPIES


def batch_bytes(
    batch_size: int, input_shape: Sequence[int], layer_outputs: Iterable[Sequence[int]] = ()
) -> int:
    """Bytes for one batch's input and every layer's output, with their gradients."""
    per_image = math.prod(input_shape) + sum(math.prod(shape) for shape in layer_outputs)
    return batch_size * per_image * FLOAT_BYTES * ACTIVATION_COPIES


def model_size_problem(total_params: int) -> str | None:
    """Why a model of ``total_params`` parameters is refused, or None (see limits.MAX_PARAMS)."""
    if total_params <= MAX_PARAMS:
        return None
    return (
        f"model: {total_params:,} parameters ({bytes_text(total_params * FLOAT_BYTES)} of "
        f"weights, about {bytes_text(model_bytes(total_params))} to train) is more than the "
        f"{MAX_PARAMS:,} cnn-tui trains; use fewer filters or units, or pool before Flatten"
    )


def activation_problem(shape: Sequence[int]) -> str | None:
    """Why a layer output of ``shape`` (one image) is refused, or None."""
    values = math.prod(shape)
    if values <= MAX_ACTIVATION:
        return None
    return (
        f"its output holds {values:,} values per image, more than TensorFlow can index "
        f"({MAX_ACTIVATION:,}); use fewer filters, smaller padding, or a stride or pooling "
        "before it"
    )


def oom_advice(
    total_params: int,
    batch_size: int,
    input_shape: Sequence[int],
    layer_outputs: Iterable[Sequence[int]] = (),
) -> str:
    """One sentence for an out-of-memory failure: which of model and batch is the cause.

    ``layer_outputs``: the output shape of every layer for one image (the
    shape report's rows); without them only the input counts as activations,
    which underestimates the batch.
    """
    weights = model_bytes(total_params)
    batch = batch_bytes(batch_size, input_shape, layer_outputs)
    model_text = (f"the model's {total_params:,} parameters need about {bytes_text(weights)} "
                  "with gradients and optimizer state")
    if weights >= batch:
        return (
            f"out of memory, and the model's size is the cause: {model_text}, a batch of "
            f"{batch_size} about {bytes_text(batch)}; use fewer filters or units, or pooling "
            "before Flatten."
        )
    if batch_size > 1:
        return (
            f"out of memory, and the batch is the cause: {batch_size} images need about "
            f"{bytes_text(batch)} of activations while {model_text}; use a smaller batch size, "
            f"e.g. {max(1, batch_size // 2)}."
        )
    image = format_shape(input_shape)
    return (
        f"out of memory although the batch is one {image} image: its activations need about "
        f"{bytes_text(batch)}; use smaller images or downsample earlier (strides or pooling)."
    )
