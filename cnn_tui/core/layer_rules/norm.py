"""Normalisation layers: BatchNormalization.

It keeps the shape and works per channel (the last axis). Per channel it
learns a scale (gamma, with ``scale``) and an offset (beta, with ``center``)
and keeps a moving mean and variance that are updated, not trained: so
params = (learned + 2) * C, of which learned * C are trainable. Keras's
``count_params`` counts all four; its trainable weights only gamma and beta.

Its cost is counted as one multiply-accumulate per value: normalising is
x*scale + shift per value once the batch's statistics are known (and at
inference Keras's scale and shift could be folded into the conv before it).
It does not change the receptive field.
"""

from __future__ import annotations

from cnn_tui.core.layer_args import show_value
from cnn_tui.core.layer_rules.base import Args, LayerRule, MacTerms, keep_shape
from cnn_tui.core.layer_rules.receptive import keep_field
from cnn_tui.core.layers import LAYER_SCHEMAS
from cnn_tui.core.report import Shape
from cnn_tui.core.shape_format import format_count

# The summary names momentum and epsilon only when they differ from Keras's
# defaults, which the layer catalogue holds.
_NAMED_WHEN_CHANGED = ("momentum", "epsilon")


def _learned(args: Args) -> int:
    """How many of gamma and beta are learned: 0, 1 or 2 per channel."""
    return int(args["center"]) + int(args["scale"])


def _batchnorm_params(args: Args, shape: Shape) -> tuple[int, int]:
    channels = shape[-1]
    trainable = channels * _learned(args)
    return trainable + 2 * channels, trainable


def _batchnorm_param_lines(args: Args, shape: Shape) -> list[str]:
    channels = shape[-1]
    learned = _learned(args)
    total, trainable = _batchnorm_params(args, shape)
    names = [name for name, key in (("gamma", "scale"), ("beta", "center")) if args[key]]
    learned_names = ", ".join(names) or "neither gamma nor beta"
    return [
        f"params = {learned + 2}*{channels} = {format_count(total)}",
        f"trainable = {learned}*{channels} = {format_count(trainable)} ({learned_names}); "
        f"non-trainable = 2*{channels} = {format_count(2 * channels)} (moving mean, variance)",
    ]


def _batchnorm_macs(args: Args, shape: Shape, out: Shape) -> MacTerms:
    return (tuple(out),)


def _batchnorm_summary(args: Args) -> str:
    """ "" by default; "momentum 0.9 epsilon 0.01" when they were changed."""
    schema = LAYER_SCHEMAS["BatchNormalization"]
    return " ".join(f"{key} {show_value(args[key])}" for key in _NAMED_WHEN_CHANGED
                    if key in args and args[key] != schema.arg(key).default)


RULES: dict[str, LayerRule] = {
    "BatchNormalization": LayerRule(
        output=keep_shape, params=_batchnorm_params, param_lines=_batchnorm_param_lines,
        summary=_batchnorm_summary, mac_terms=_batchnorm_macs,
        mac_note="one per value", field_step=keep_field,
    ),
}

__all__ = ["RULES"]
