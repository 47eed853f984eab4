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
    def output_shape(self) -> Shape | None:
        return self.rows[-1].output_shape if self.rows and self.ok else None


__all__ = ["LayerRow", "Shape", "ShapeReport"]
