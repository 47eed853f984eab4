"""What a layer rule is: the things cnn-tui knows about one Keras layer type.

A ``LayerRule`` holds, for one layer type, the functions that give its output
shape, its parameter counts, its cost (multiply-accumulates and what it does to
the receptive field), the arithmetic the Model tab shows for it and its
argument summary. Each family module (conv.py, pool.py, ...) builds the rules
of its layer types from these pieces, side by side, so that a change to how a
layer works is made in one place and its views cannot disagree.

The cost has no default: a rule that leaves ``mac_terms`` or ``field_step`` out
fails when its module is imported, so a new layer type cannot forget it.

Every function takes the layer's resolved arguments (``resolve_layer_args``:
all present, Keras's defaults filled in, values already checked) and the
input shape without the batch axis. ``summary`` is the exception: it also
runs on a layer whose arguments were partly rejected, so it must tolerate
missing keys (use ``args.get``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cnn_tui.core.report import Pair, Shape
from cnn_tui.core.shape_format import format_count, format_shape

Args = Mapping[str, Any]


class LayerProblem(Exception):
    """A layer that cannot take its input; the message is "what is wrong; what would fix it".

    The caller adds the "layer N (Type): " prefix, which a rule does not know.
    """


def no_params(args: Args, shape: Shape) -> tuple[int, int]:
    """(total, trainable) of a layer without weights."""
    return 0, 0


def no_lines(args: Args, shape: Shape) -> list[str]:
    """No output-size formula: the shape line says it all (Dropout, BatchNormalization)."""
    return []


def zero_param_lines(args: Args, shape: Shape) -> list[str]:
    return ["params = 0"]


def no_summary(args: Args) -> str:
    return ""


MacTerms = tuple[tuple[int, ...], ...]
"""Multiply-accumulates as a sum of products: ((32, 32, 3, 3, 3, 32),) is
32*32*3*3*3*32 = 884,736. Kept as factors so the Model tab can show the formula
its number comes from; () for a layer that multiplies nothing by a weight."""


def no_macs(args: Args, shape: Shape, out: Shape) -> MacTerms:
    """A layer without weights: its work is comparisons, additions or moving values."""
    return ()


def count_macs(terms: MacTerms) -> int:
    return sum(math.prod(term) for term in terms)


@dataclass(frozen=True)
class Window:
    """A window slid over height and width (a convolution, a pooling), as the receptive
    field sees it (receptive.py holds the arithmetic)."""

    kernel: Pair
    strides: Pair
    dilation: Pair = (1, 1)
    """The catalogue has no dilation_rate yet; a type that gains one passes it here."""

    def span(self, axis: int) -> int:
        """Input pixels the window covers along ``axis``: d*(k - 1) + 1."""
        return self.dilation[axis] * (self.kernel[axis] - 1) + 1


FieldStep = Window | Literal["keep", "all", "unroll"]
"""What a layer does to the receptive field: slide a window, keep it, see all of the
input, or unroll it into a vector (receptive.py)."""


@dataclass(frozen=True)
class LayerRule:
    """How one Keras layer type maps an input shape to its output, and how that is shown."""

    output: Callable[[Args, Shape], Shape]
    """The output shape; raises LayerProblem when the input cannot be taken."""
    params: Callable[[Args, Shape], tuple[int, int]] = no_params
    """(total, trainable) parameter counts, as Keras's ``count_params`` and trainable weights."""
    size_lines: Callable[[Args, Shape], list[str]] = no_lines
    """The output-size arithmetic: ["out = floor((32 - 3 + 2*0) / 1) + 1 = 30"]."""
    param_lines: Callable[[Args, Shape], list[str]] = zero_param_lines
    """The parameter arithmetic: ["params = 3*3*3*32 + 32 = 896"]."""
    summary: Callable[[Args], str] = no_summary
    """The arguments that matter, in a few words: "32 3x3 same relu"."""
    needs_image: bool = False
    """Takes only (height, width, channels): checked before ``output`` with one message."""
    mac_terms: Callable[[Args, Shape, Shape], MacTerms] = field(kw_only=True)
    """Multiply-accumulates for one image, from the arguments, the input and the output
    shape: a product per step (``no_macs`` for a layer without weights)."""
    mac_note: str = field(kw_only=True)
    """Why the MACs are what they are, in a few words: "comparisons, no weights"; "" when
    the formula says it. Short: the Model tab's side box is 41 columns wide."""
    field_step: Callable[[Args], FieldStep] = field(kw_only=True)
    """What the layer does to the receptive field (receptive.py: ``window_field_for``,
    ``keep_field``, ``whole_field``, ``unroll_field``)."""


def keep_shape(args: Args, shape: Shape) -> Shape:
    """The output of a layer that changes values but not the shape (Dropout, Activation)."""
    return shape


def params_line(formula: str, total: int, note: str = "") -> str:
    """ "params = 3*3*3*32 + 32 = 896", the form every layer with weights shows."""
    return f"params = {formula} = {format_count(total)}" + (f" ({note})" if note else "")


def bias_term(use_bias: Any, count: int) -> str:
    """The " + 32" of a formula when the layer has a bias per output, else nothing."""
    return f" + {count}" if use_bias else ""


def activation_words(args: Args) -> list[str]:
    """The summary's tail shared by layers with an activation and a bias: "relu no bias"."""
    words = []
    if args.get("activation") is not None:
        words.append(str(args["activation"]))
    if args.get("use_bias") is False:  # only an explicit False: a rejected value is absent
        words.append("no bias")
    return words


def image_text(shape: Shape) -> str:
    """How a layer's input is echoed in its messages: (28, 28, 1), as the user's tuples."""
    return format_shape(shape, "tuple")


__all__ = [
    "Args",
    "FieldStep",
    "LayerProblem",
    "LayerRule",
    "MacTerms",
    "Window",
    "activation_words",
    "bias_term",
    "count_macs",
    "image_text",
    "keep_shape",
    "no_lines",
    "no_macs",
    "no_params",
    "no_summary",
    "params_line",
    "zero_param_lines",
]
