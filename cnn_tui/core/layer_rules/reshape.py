"""Layers without weights that only move or pass values along.

* Flatten unrolls height x width x channels into one vector (2x2x64 -> 256);
* GlobalAveragePooling2D / GlobalMaxPooling2D keep one value per channel;
* ZeroPadding2D adds rows and columns of zeros (+2P per axis, as 'same' does);
* Dropout, SpatialDropout2D and Activation keep the shape: they change values
  (while training, for the dropouts) but not how many.

All have 0 parameters and multiply nothing by a weight: 0 multiply-accumulates
(what they do is compare, add, copy or apply a function to each value). Their
receptive fields: global pooling combines every position, so it sees the whole
image; Flatten keeps each value's field but the vector has no positions; the
others keep the field (zero padding shifts the positions, not what they see).

Each rule is its output, its arithmetic line, its cost and its summary.
"""

from __future__ import annotations

import dataclasses
import math

from cnn_tui.core.layer_args import pair, show_value
from cnn_tui.core.layer_rules.base import Args, LayerRule, keep_shape, no_macs
from cnn_tui.core.layer_rules.receptive import keep_field, unroll_field, whole_field
from cnn_tui.core.report import Shape
from cnn_tui.core.shape_format import format_count, format_shape

# --- Flatten ---------------------------------------------------------------------------------


def _flatten_output(args: Args, shape: Shape) -> Shape:
    return (math.prod(shape),)


def _flatten_lines(args: Args, shape: Shape) -> list[str]:
    return [f"out = {format_shape(shape, '*')} = {format_count(math.prod(shape))}"]


# --- GlobalAveragePooling2D, GlobalMaxPooling2D ----------------------------------------------


def _global_output(args: Args, shape: Shape) -> Shape:
    return (shape[2],)


def _global_lines(args: Args, shape: Shape) -> list[str]:
    return [f"out = channels = {shape[-1]} (one value per feature map)"]


# --- ZeroPadding2D ---------------------------------------------------------------------------


def _padding_output(args: Args, shape: Shape) -> Shape:
    rows, columns = pair(args["padding"])  # added on each side: top and bottom, left and right
    return (shape[0] + 2 * rows, shape[1] + 2 * columns, shape[2])


def _padding_lines(args: Args, shape: Shape) -> list[str]:
    rows, columns = pair(args["padding"])
    return [f"out = {shape[0]} + 2*{rows} = {shape[0] + 2 * rows} by "
            f"{shape[1]} + 2*{columns} = {shape[1] + 2 * columns}"]


def _padding_summary(args: Args) -> str:
    return "pad " + show_value(args["padding"]) if "padding" in args else ""


# --- Dropout, SpatialDropout2D, Activation ---------------------------------------------------


def _rate_summary(args: Args) -> str:
    return show_value(args["rate"]) if "rate" in args else ""


def _activation_summary(args: Args) -> str:
    return str(args["activation"]) if args.get("activation") is not None else ""


_GLOBAL_MAX = LayerRule(output=_global_output, size_lines=_global_lines, needs_image=True,
                       mac_terms=no_macs, mac_note="comparisons, no weights",
                       field_step=whole_field)
_DROPPED = "masks values, no weights"

RULES: dict[str, LayerRule] = {
    "Flatten": LayerRule(output=_flatten_output, size_lines=_flatten_lines, mac_terms=no_macs,
                         mac_note="values reordered",
                         field_step=unroll_field),
    "GlobalAveragePooling2D": dataclasses.replace(_GLOBAL_MAX, mac_note="additions, no weights"),
    "GlobalMaxPooling2D": _GLOBAL_MAX,
    "ZeroPadding2D": LayerRule(output=_padding_output, size_lines=_padding_lines,
                               summary=_padding_summary, needs_image=True, mac_terms=no_macs,
                               mac_note="zeros added", field_step=keep_field),
    "Dropout": LayerRule(output=keep_shape, summary=_rate_summary, mac_terms=no_macs,
                         mac_note=_DROPPED, field_step=keep_field),
    # Drops whole feature maps, so it needs them: an image, not a vector.
    "SpatialDropout2D": LayerRule(output=keep_shape, summary=_rate_summary, needs_image=True,
                                  mac_terms=no_macs, mac_note=_DROPPED, field_step=keep_field),
    "Activation": LayerRule(output=keep_shape, summary=_activation_summary, mac_terms=no_macs,
                            mac_note="a function per value",
                            field_step=keep_field),
}

__all__ = ["RULES"]
