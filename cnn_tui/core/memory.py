"""How much memory a model and a batch need: bounds before training, the estimate the
Model tab and ``cnn-tui summary`` show, advice after an OOM.

The estimate is rough on purpose (float32 everywhere; weights, gradients, the
optimizer's slots, and every layer's output kept for the backward pass) but it
tells apart the two usual causes of running out of memory: a model too large
(a Dense layer after an unpooled Flatten) or a batch too large for the images.
Pure Python: no TensorFlow needed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from cnn_tui.core.limits import MAX_ACTIVATION, MAX_PARAMS, bytes_text
from cnn_tui.core.report import ShapeReport
from cnn_tui.core.shape_format import format_shape

FLOAT_BYTES = 4

OPTIMIZER_SLOTS: dict[str, int] = {"rmsprop": 1, "adam": 2, "sgd": 1}
"""Values an optimizer keeps per trainable weight, as ``runs/build.make_optimizer`` builds
it: RMSprop a moving average of squared gradients, Adam two moments (m and v), SGD
with momentum 0.9 a velocity. A test checks every optimizer of the settings is here."""

MODEL_COPIES = 2 + max(OPTIMIZER_SLOTS.values())
"""Weights, their gradients, and the most optimizer slots (Adam's m and v)."""


@dataclass(frozen=True)
class TrainingMemory:
    """About how many bytes training a model takes, by what holds them (float32 each)."""

    batch_size: int
    optimizer: str
    weights: int
    """Every parameter, trainable or not (batch normalization's moving statistics too)."""
    gradients: int
    """One per trainable parameter."""
    optimizer_state: int
    """``OPTIMIZER_SLOTS`` per trainable parameter."""
    activations: int
    """The batch's input and every layer's output, kept for the backward pass, which
    needs them to compute the gradients. The gradients flowing back, Dropout's masks
    and TensorFlow's workspace come on top: the estimate is a floor, not a ceiling."""

    @property
    def model(self) -> int:
        """What the model's size costs, whatever the batch: weights, gradients, optimizer."""
        return self.weights + self.gradients + self.optimizer_state

    @property
    def total(self) -> int:
        return self.model + self.activations


def activation_bytes(shape: Sequence[int], batch_size: int) -> int:
    """Bytes of a layer output of ``shape`` (one image) for a whole batch."""
    return math.prod(shape) * FLOAT_BYTES * batch_size


def training_memory(report: ShapeReport, batch_size: int, optimizer: str) -> TrainingMemory:
    """The estimate for training ``report``'s model at ``batch_size`` with ``optimizer``.

    Counts the rows whose output is known, as the report's totals do.
    """
    shapes = [report.input_shape, *(row.output_shape for row in report.rows if row.output_shape)]
    trainable = report.trainable_params * FLOAT_BYTES
    return TrainingMemory(
        batch_size=batch_size,
        optimizer=optimizer,
        weights=report.total_params * FLOAT_BYTES,
        gradients=trainable,
        optimizer_state=OPTIMIZER_SLOTS[optimizer] * trainable,
        activations=sum(activation_bytes(shape, batch_size) for shape in shapes),
    )


def model_bytes(total_params: int) -> int:
    """Bytes for the weights, gradients and the largest optimizer state of ``total_params``
    parameters: what a model of that size may need, whatever the optimizer."""
    return total_params * FLOAT_BYTES * MODEL_COPIES


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


def oom_advice(report: ShapeReport, batch_size: int, optimizer: str) -> str:
    """One sentence for an out-of-memory failure: the estimate, and which of the model
    and the batch is the cause."""
    memory = training_memory(report, batch_size, optimizer)
    needs = (f"out of memory: this model needs about {bytes_text(memory.total)} to train at "
             f"batch {batch_size}")
    model_text = (f"{report.total_params:,} parameters take {bytes_text(memory.model)} with "
                  f"their gradients and {optimizer}'s state")
    activations = bytes_text(memory.activations)
    if memory.model >= memory.activations:
        return (
            f"{needs}, and the model's size is the cause: its {model_text}, the batch's "
            f"activations {activations}; use fewer filters or units, or pooling before Flatten."
        )
    if batch_size > 1:
        return (
            f"{needs}, and the batch is the cause: its activations take {activations} while "
            f"the {model_text}; use a smaller batch size, e.g. {max(1, batch_size // 2)}."
        )
    image = format_shape(report.input_shape)
    return (
        f"{needs} although the batch is one {image} image: its activations take "
        f"{activations}; use smaller images or downsample earlier (strides or pooling)."
    )
