"""The receptive field: which input pixels one output value depends on.

Every layer type says how it changes the field with a ``FieldStep`` (its rule's
``field_step``); the arithmetic is here, once, for all of them. Along each axis,
with r the field's size and j its jump (the input pixels between the fields of
two neighbouring outputs), starting from the image's r = 1, j = 1:

* a window of k with stride s and dilation d (convolutions, pooling) spans
  k' = d*(k - 1) + 1 pixels of its input: r_out = r_in + (k' - 1)*j_in,
  j_out = j_in*s. Padding does not change r: 'same' only lets the window
  reach past the border, into zeros;
* "keep": values change but not which pixels they come from (activations,
  dropout, batch normalization, zero padding);
* "all": every output value combines every position (Dense, global pooling),
  so it sees the whole input, whatever came before;
* "unroll": Flatten only reorders values: each keeps its own field, but the
  vector has no positions, so no jump.

The field can grow past the image (seed-cnn's last pooling sees 36x36 pixels of a
32x32 image): the rest of the window is 'same' padding.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Literal

from cnn_tui.core.layer_rules.base import Args, FieldStep, Window
from cnn_tui.core.layer_rules.window import window_and_strides
from cnn_tui.core.report import Pair, ReceptiveField
from cnn_tui.core.shape_format import format_shape

INPUT_FIELD = ReceptiveField(size=(1, 1), jump=(1, 1))
"""The field of an input pixel: itself."""
WHOLE_INPUT = ReceptiveField(size=None, jump=None)


def keep_field(args: Args) -> FieldStep:
    return "keep"


def whole_field(args: Args) -> FieldStep:
    return "all"


def unroll_field(args: Args) -> FieldStep:
    return "unroll"


def window_field(args: Args, window_arg: str) -> FieldStep:
    """The window of a convolution or pooling whose window is the argument ``window_arg``."""
    kernel, strides = window_and_strides(args, window_arg)
    return Window(kernel, strides)


def window_field_for(window_arg: str) -> Callable[[Args], FieldStep]:
    """The ``field_step`` of a layer whose window is the argument ``window_arg``."""
    # Runs while the rules are built at import: mutmut could not deliver its mutants.
    return functools.partial(window_field, window_arg=window_arg)  # pragma: no mutate


def next_field(field: ReceptiveField, step: FieldStep) -> ReceptiveField:
    """The field of a layer's output, from its input's field and its step."""
    if step == "keep":
        return field
    if step == "all":
        return WHOLE_INPUT
    if step == "unroll":
        return ReceptiveField(field.size, None)
    if field.size is None or field.jump is None:
        # A window needs an image, and an image's values have positions: not reached.
        return WHOLE_INPUT
    size, jump = field.size, field.jump
    return ReceptiveField(
        size=(size[0] + (step.span(0) - 1) * jump[0], size[1] + (step.span(1) - 1) * jump[1]),
        jump=(jump[0] * step.strides[0], jump[1] * step.strides[1]),
    )


def field_text(field: ReceptiveField, style: Literal["x", "×"] = "x") -> str:
    """ "5x5", "5x3", or "all"."""
    return "all" if field.size is None else format_shape(field.size, style)


def field_lines(field: ReceptiveField, step: FieldStep) -> list[str]:
    """The Model tab's receptive-field arithmetic of one layer, from its input's field."""
    out = next_field(field, step)
    if step == "all":
        return ["RF = all (each output sees every position)"]
    if step == "keep":
        jump = f", jump {_axes(field.jump)}" if field.jump is not None else ""
        return [f"RF = {field_text(field)} (unchanged){jump}"]
    if step == "unroll":
        return [f"RF = {field_text(out)} (kept; a vector has no jump)"]
    if field.size is None or field.jump is None or out.size is None or out.jump is None:
        return [f"RF = {field_text(out)}"]  # not reached: see next_field
    axes = [_window_axis(field.size[axis], field.jump[axis], step, axis, out.size[axis],
                         out.jump[axis]) for axis in (0, 1)]
    if axes[0] == axes[1]:
        return [axes[0]]
    return [f"height: {axes[0]}", f"width: {axes[1]}"]


def _window_axis(size: int, jump: int, step: Window, axis: int, out_size: int,
                 out_jump: int) -> str:
    """ "RF = 1 + (3-1)*1 = 3, jump = 1*1 = 1", with how far a dilated kernel reaches."""
    span = step.span(axis)
    line = (f"RF = {size} + ({span}-1)*{jump} = {out_size}, "
            f"jump = {jump}*{step.strides[axis]} = {out_jump}")
    if step.dilation[axis] != 1:
        line += f" ({step.kernel[axis]} dilated by {step.dilation[axis]} spans {span})"
    return line


def _axes(pair: Pair) -> str:
    """One number when both axes agree: "2", else "2x1"."""
    return str(pair[0]) if pair[0] == pair[1] else format_shape(pair)


__all__ = [
    "INPUT_FIELD",
    "WHOLE_INPUT",
    "field_lines",
    "field_text",
    "keep_field",
    "next_field",
    "unroll_field",
    "whole_field",
    "window_field",
    "window_field_for",
]
