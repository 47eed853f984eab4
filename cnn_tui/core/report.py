"""The shape report's data: one ``LayerRow`` per layer and the ``ShapeReport`` around them.

Only the types live here, with no behaviour, so that both the inference
(``shapes.py``) that fills them and the views (``shape_text.py``) that read
them can import them without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Shape = tuple[int, ...]
"""A tensor shape without the batch axis: (28, 28, 1), (10,)."""

Pair = tuple[int, int]
"""(along the height, along the width)."""


@dataclass(frozen=True)
class ReceptiveField:
    """Which input pixels one output value of a layer depends on, along each axis.

    The input's own field is one pixel with a jump of one; each window (a
    convolution or a pooling) widens it by (k - 1) * jump and multiplies the
    jump by its stride (``layer_rules/receptive.py`` holds the rule).
    """

    size: Pair | None
    """(rows, columns) of input pixels one output value sees; None when it sees
    all of them: after a layer that combines every position (Dense, global pooling)."""
    jump: Pair | None
    """Input pixels between the fields of two neighbouring output positions (the
    product of the strides so far); None when the output has no positions (a vector)."""

    @property
    def whole(self) -> bool:
        """Every output value depends on every input pixel."""
        return self.size is None


@dataclass(frozen=True)
class LayerRow:
    """One layer of the shape table."""

    index: int
    """1-based position in the spec."""
    name: str
    """Keras-style name: conv2d, conv2d_1, dense, ... (the Keras builder uses it too)."""
    type: str
    args_summary: str
    """Short human summary of the arguments: "32 3x3 same relu"."""
    input_shape: Shape | None
    output_shape: Shape | None
    """Without the batch axis; None when this or an earlier layer is invalid (a wrong
    final output is reported on the last row, which keeps its shape so it can be seen)."""
    params: int
    trainable_params: int
    error: str | None
    """"layer 3 (Conv2D): ...; ..." (one line a problem) or None."""
    args: Mapping[str, Any] = field(default_factory=dict, compare=False)
    """Every argument's value (given or Keras's default), after the output rule."""
    # The cost of the layer follows from its type, arguments and shapes, like ``args``
    # it is left out of comparisons (rows written out by hand in tests stay equal).
    macs: int = field(default=0, compare=False)
    """Multiply-accumulates for one image (layer_rules: each type's ``mac_terms``);
    0 when the output is unknown."""
    receptive_field: ReceptiveField | None = field(default=None, compare=False)
    """What one output value sees of the input image; None when the output is unknown."""


@dataclass(frozen=True)
class ShapeReport:
    """The whole table plus totals and every error in order."""

    input_shape: Shape
    rows: tuple[LayerRow, ...]
    total_params: int
    trainable_params: int
    errors: tuple[str, ...]
    num_classes: int = 0

    def fits(self, input_shape: Sequence[int], num_classes: int) -> bool:
        """Whether this report was inferred for this input and these classes (reusable)."""
        return tuple(self.input_shape) == tuple(input_shape) and self.num_classes == num_classes

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_macs(self) -> int:
        """Multiply-accumulates of one image's forward pass (the rows whose output is known)."""
        return sum(row.macs for row in self.rows)

    @property
    def output_shape(self) -> Shape | None:
        return self.rows[-1].output_shape if self.rows and self.ok else None


__all__ = ["LayerRow", "Pair", "ReceptiveField", "Shape", "ShapeReport"]
