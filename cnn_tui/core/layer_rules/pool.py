"""Pooling layers that slide a window: MaxPooling2D and AveragePooling2D.

They use the same output size as a convolution (window.py) but keep the
channels and have no weights: a 2x2 pool with its default stride 2 halves
height and width (32x32x32 -> 16x16x32, 0 parameters). Their strides default
to None, which Keras reads as "the pool size", so the summary names a stride
only when it differs from the pool size (or is 1, the usual overlapping pool).

They multiply nothing by a weight (a max compares, a mean adds and divides
once), so they count 0 multiply-accumulates; their window widens the receptive
field and their stride multiplies its jump, as a convolution's does.

Global pooling, which has no window, is a shape-only layer: see reshape.py.
"""

from __future__ import annotations

import dataclasses

from cnn_tui.core.layer_args import pair
from cnn_tui.core.layer_rules.base import Args, LayerRule, no_macs
from cnn_tui.core.layer_rules.receptive import window_field_for
from cnn_tui.core.layer_rules.window import size_lines_for, window_output
from cnn_tui.core.report import Shape
from cnn_tui.core.shape_format import format_shape

_POOL = "pool_size"


def _output(args: Args, shape: Shape) -> Shape:
    return (*window_output(args, shape, _POOL), shape[2])


def _summary(args: Args) -> str:
    """ "2x2", "3x3 stride 1", "2x2 stride 1x2 same"."""
    words = []
    if args.get(_POOL) is not None:
        words.append(format_shape(pair(args[_POOL])))
    strides = args.get("strides")
    if strides is not None:
        # A rejected pool_size is absent: then any stride is worth naming.
        pool = pair(args[_POOL]) if args.get(_POOL) is not None else None
        if pair(strides) == (1, 1):
            words.append("stride 1")
        elif pair(strides) != pool:
            words.append("stride " + format_shape(pair(strides)))
    if args.get("padding") == "same":
        words.append("same")
    return " ".join(words)


_MAX_POOL = LayerRule(
    output=_output, size_lines=size_lines_for(_POOL), summary=_summary, needs_image=True,
    mac_terms=no_macs, mac_note="comparisons, no weights", field_step=window_field_for(_POOL),
)

RULES: dict[str, LayerRule] = {
    "MaxPooling2D": _MAX_POOL,
    "AveragePooling2D": dataclasses.replace(_MAX_POOL, mac_note="additions, no weights"),
}

__all__ = ["RULES"]
