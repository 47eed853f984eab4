"""The fully connected layer: Dense.

Every one of its ``units`` outputs is a weighted sum of every input, plus a
bias: N*units weights + units biases (256 inputs to 512 units: 131,584).
Each weight is used once per image: N*units multiply-accumulates (the bias is
an addition, not counted), and every output sees the whole image.
Keras would also apply a Dense layer to the last axis of an image, but that is
almost always a forgotten Flatten, and the parameter count the learner
expects would be wrong, so a Dense layer here takes vectors only.
"""

from __future__ import annotations

from cnn_tui.core.layer_rules.base import (
    Args,
    LayerProblem,
    LayerRule,
    MacTerms,
    activation_words,
    bias_term,
    image_text,
    params_line,
)
from cnn_tui.core.layer_rules.receptive import whole_field
from cnn_tui.core.report import Shape


def _output(args: Args, shape: Shape) -> Shape:
    if len(shape) != 1:
        raise LayerProblem(f"gets a {len(shape)}-D input {image_text(shape)}; "
                           "add Flatten or GlobalAveragePooling2D before it")
    return (args["units"],)


def _params(args: Args, shape: Shape) -> tuple[int, int]:
    units = args["units"]
    total = shape[0] * units + int(args["use_bias"]) * units
    return total, total


def _size_lines(args: Args, shape: Shape) -> list[str]:
    return [f"out = units = {args['units']}"]


def _param_lines(args: Args, shape: Shape) -> list[str]:
    units = args["units"]
    formula = f"{shape[0]}*{units}" + bias_term(args["use_bias"], units)
    return [params_line(formula, _params(args, shape)[0])]


def _macs(args: Args, shape: Shape, out: Shape) -> MacTerms:
    return ((shape[0], args["units"]),)


def _summary(args: Args) -> str:
    """ "512 relu", "10 softmax no bias"."""
    words = [str(args["units"])] if "units" in args else []
    return " ".join(words + activation_words(args))


RULES: dict[str, LayerRule] = {
    "Dense": LayerRule(output=_output, params=_params, size_lines=_size_lines,
                       param_lines=_param_lines, summary=_summary,
                       mac_terms=_macs, mac_note="", field_step=whole_field),
}

__all__ = ["RULES"]
