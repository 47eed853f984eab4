"""Convolution layers: Conv2D, SeparableConv2D and DepthwiseConv2D.

Each slides a kernel over height and width (see window.py for the output
size) and differs in how it mixes channels, hence in its output channels and
weights, with C the input channels and K = kh*kw:

* Conv2D: every filter sees every channel: K*C*filters weights + filters biases
  (3x3 on 3 channels, 32 filters: 864 + 32 = 896);
* DepthwiseConv2D: one kernel per channel and per multiplier, no mixing:
  K*C*m weights + C*m biases, C*m output channels;
* SeparableConv2D: a depthwise step then a 1x1 conv that mixes:
  K*C*m + C*m*filters weights + filters biases (no bias on the depthwise step).

Their multiply-accumulates (MACs) for one image: every weight but the biases is
used once at each output position (H_out*W_out of them), so Conv2D does
H_out*W_out*kh*kw*C*filters (32x32 outputs of 3x3 on 3 channels, 32 filters:
884,736), DepthwiseConv2D H_out*W_out*kh*kw*C*m, and SeparableConv2D its
depthwise step plus H_out*W_out*(C*m)*filters for the 1x1 step. Adding the bias
is not a multiply: it is not counted. All three widen the receptive field by
their kernel and multiply its jump by their stride (receptive.py).

For each type the output, the parameter count, the cost, the arithmetic text
and the argument summary sit next to each other below.
"""

from __future__ import annotations

from cnn_tui.core.layer_args import pair
from cnn_tui.core.layer_rules.base import (
    Args,
    LayerRule,
    MacTerms,
    activation_words,
    bias_term,
    params_line,
)
from cnn_tui.core.layer_rules.receptive import window_field_for
from cnn_tui.core.layer_rules.window import size_lines_for, window_output
from cnn_tui.core.report import Shape
from cnn_tui.core.shape_format import format_shape

_KERNEL = "kernel_size"
_kernel_size_lines = size_lines_for(_KERNEL)
_kernel_field = window_field_for(_KERNEL)


def _kernel_area(args: Args) -> tuple[int, int]:
    return pair(args[_KERNEL])


def _summary(args: Args) -> str:
    """ "32 3x3 x2 stride 2x2 same relu no bias": only what differs from a plain 1-stride conv."""
    words = []
    if "filters" in args:
        words.append(str(args["filters"]))
    if args.get(_KERNEL) is not None:
        words.append(format_shape(pair(args[_KERNEL])))
    if args.get("depth_multiplier", 1) != 1:
        words.append(f"x{args['depth_multiplier']}")
    if args.get("strides") is not None and pair(args["strides"]) != (1, 1):
        words.append("stride " + format_shape(pair(args["strides"])))
    if args.get("padding") == "same":
        words.append("same")
    return " ".join(words + activation_words(args))


# --- Conv2D ----------------------------------------------------------------------------------


def _conv2d_output(args: Args, shape: Shape) -> Shape:
    return (*window_output(args, shape, _KERNEL), args["filters"])


def _conv2d_params(args: Args, shape: Shape) -> tuple[int, int]:
    kh, kw = _kernel_area(args)
    filters = args["filters"]
    total = kh * kw * shape[2] * filters + int(args["use_bias"]) * filters
    return total, total


def _conv2d_param_lines(args: Args, shape: Shape) -> list[str]:
    kh, kw = _kernel_area(args)
    filters = args["filters"]
    formula = f"{kh}*{kw}*{shape[-1]}*{filters}" + bias_term(args["use_bias"], filters)
    return [params_line(formula, _conv2d_params(args, shape)[0])]


def _conv2d_macs(args: Args, shape: Shape, out: Shape) -> MacTerms:
    kh, kw = _kernel_area(args)
    return ((out[0], out[1], kh, kw, shape[2], args["filters"]),)


# --- DepthwiseConv2D -------------------------------------------------------------------------


def _depthwise_output(args: Args, shape: Shape) -> Shape:
    return (*window_output(args, shape, _KERNEL), shape[2] * args["depth_multiplier"])


def _depthwise_params(args: Args, shape: Shape) -> tuple[int, int]:
    kh, kw = _kernel_area(args)
    outputs = shape[2] * args["depth_multiplier"]
    total = kh * kw * outputs + int(args["use_bias"]) * outputs
    return total, total


def _depthwise_param_lines(args: Args, shape: Shape) -> list[str]:
    kh, kw = _kernel_area(args)
    channels, multiplier = shape[-1], args["depth_multiplier"]
    formula = (f"{kh}*{kw}*{channels}*{multiplier}"
               + bias_term(args["use_bias"], channels * multiplier))
    return [params_line(formula, _depthwise_params(args, shape)[0])]


def _depthwise_macs(args: Args, shape: Shape, out: Shape) -> MacTerms:
    kh, kw = _kernel_area(args)
    return ((out[0], out[1], kh, kw, shape[2], args["depth_multiplier"]),)


# --- SeparableConv2D -------------------------------------------------------------------------


def _separable_params(args: Args, shape: Shape) -> tuple[int, int]:
    kh, kw = _kernel_area(args)
    middle = shape[2] * args["depth_multiplier"]  # channels between the two steps
    filters = args["filters"]
    total = kh * kw * middle + middle * filters + int(args["use_bias"]) * filters
    return total, total


def _separable_param_lines(args: Args, shape: Shape) -> list[str]:
    kh, kw = _kernel_area(args)
    channels, multiplier, filters = shape[-1], args["depth_multiplier"], args["filters"]
    formula = (f"{kh}*{kw}*{channels}*{multiplier} + {channels * multiplier}*{filters}"
               + bias_term(args["use_bias"], filters))
    total = _separable_params(args, shape)[0]
    return [params_line(formula, total, "depthwise + pointwise")]


def _separable_macs(args: Args, shape: Shape, out: Shape) -> MacTerms:
    # The 1x1 step runs on the depthwise step's output, which has the final height and width.
    middle = shape[2] * args["depth_multiplier"]
    return (*_depthwise_macs(args, shape, out), (out[0], out[1], middle, args["filters"]))


RULES: dict[str, LayerRule] = {
    "Conv2D": LayerRule(
        output=_conv2d_output, params=_conv2d_params, size_lines=_kernel_size_lines,
        param_lines=_conv2d_param_lines, summary=_summary, needs_image=True,
        mac_terms=_conv2d_macs, mac_note="", field_step=_kernel_field,
    ),
    "DepthwiseConv2D": LayerRule(
        output=_depthwise_output, params=_depthwise_params, size_lines=_kernel_size_lines,
        param_lines=_depthwise_param_lines, summary=_summary, needs_image=True,
        mac_terms=_depthwise_macs, mac_note="", field_step=_kernel_field,
    ),
    # Same output as Conv2D: the pointwise step sets the channels to ``filters``.
    "SeparableConv2D": LayerRule(
        output=_conv2d_output, params=_separable_params, size_lines=_kernel_size_lines,
        param_lines=_separable_param_lines, summary=_summary, needs_image=True,
        mac_terms=_separable_macs, mac_note="depthwise + pointwise", field_step=_kernel_field,
    ),
}

__all__ = ["RULES"]
