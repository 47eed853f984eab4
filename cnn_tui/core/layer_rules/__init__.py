"""The rules of every supported layer type, one module per family, and their registry.

``RULES`` maps a Keras class name ("Conv2D") to its ``LayerRule``: the output
shape, the parameter counts, the cost (multiply-accumulates, receptive field),
the Model tab's arithmetic and the argument summary of that layer type. The
families:

* ``conv``: Conv2D, SeparableConv2D, DepthwiseConv2D;
* ``pool``: MaxPooling2D, AveragePooling2D (``window`` holds the output-size
  rule both families share);
* ``dense``: Dense;
* ``norm``: BatchNormalization;
* ``reshape``: the layers without weights: Flatten, global pooling,
  ZeroPadding2D, Dropout, SpatialDropout2D, Activation.

``receptive`` holds the receptive-field arithmetic every family's
``field_step`` feeds (like ``window``, it is no family).

A layer type needs an entry here and a schema in ``layers.LAYER_SCHEMAS``
(its arguments); a test checks that the two list the same types. The rules
import neither ``shapes`` nor ``shape_text``, which both import them.
"""

from __future__ import annotations

from cnn_tui.core.layer_rules import conv, dense, norm, pool, reshape
from cnn_tui.core.layer_rules.base import Args, LayerProblem, LayerRule

FAMILIES = (conv, pool, dense, norm, reshape)
"""The family modules, each with its own ``RULES``; a test checks no type is in two."""

RULES: dict[str, LayerRule] = {
    type_name: rule for family in FAMILIES for type_name, rule in family.RULES.items()
}


def summarize_args(type_name: str, args: Args) -> str:
    """ "32 3x3 same relu", "2x2", "0.25", "512 relu": the arguments that matter.

    Empty for an unknown type. Tolerates arguments left out because they were
    rejected, so a row with an error still has a summary.
    """
    rule = RULES.get(type_name)
    return rule.summary(args) if rule is not None else ""


__all__ = ["FAMILIES", "RULES", "LayerProblem", "LayerRule", "summarize_args"]
