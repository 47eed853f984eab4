"""One way to write a shape or a count, used by every table, message and formula.

A shape appears in four places, each with its own convention: the tables and
the arithmetic ("28x28x32"), the TUI (the typographic "28×28×32"), error
messages that echo Python's tuples ("(784,)") and the Flatten formula
("7*7*64"). Keeping them in one function keeps them from drifting apart.
Pure Python, no imports from the rest of cnn-tui, so any module may use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

ShapeStyle = Literal["x", "×", "*", "tuple"]
"""``x``: 28x28x32 (tables, arguments); ``×``: 28×28×32 (the TUI); ``*``: 28*28*32
(a product being worked out); ``tuple``: (28, 28, 32) and (10,) as Python prints them."""

_SEPARATORS = ("x", "×", "*")


def format_shape(
    shape: Sequence[int] | None, style: ShapeStyle = "x", *, missing: str = "-"
) -> str:
    """``shape`` (without the batch axis) written in ``style``; ``missing`` when None.

    A shape with no axes is "scalar" in the separator styles, where "" would
    read as a blank cell.
    """
    if shape is None:
        return missing
    dims = [str(d) for d in shape]
    if style == "tuple":
        # (10,) not (10): the trailing comma is how Python tells a 1-tuple apart.
        return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"
    if style not in _SEPARATORS:
        raise ValueError(f"unknown shape style {style!r}; use one of x, ×, *, tuple")
    return style.join(dims) if dims else "scalar"


def format_count(value: int) -> str:
    """A parameter or value count with thousands separators: 131,584 (as Keras's summary)."""
    return f"{value:,}"


_SCALES = (("T", 10**12), ("G", 10**9), ("M", 10**6), ("K", 10**3))


def format_short_count(value: int) -> str:
    """A count in at most six characters for a table column: 896, 884.7K, 12.3M, 1.2G."""
    for index, (unit, scale) in enumerate(_SCALES):
        if abs(value) >= scale:
            shown = round(value / scale, 1)
            if abs(shown) >= 1000 and index > 0:  # 999,960 rounds to 1000.0K: write 1.0M
                unit, scale = _SCALES[index - 1]
                shown = round(value / scale, 1)
            return f"{shown:.1f}{unit}"
    return str(value)


__all__ = ["ShapeStyle", "format_count", "format_shape", "format_short_count"]
