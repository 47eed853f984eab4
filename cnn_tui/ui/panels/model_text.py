"""The Model tab's text around the layer table: title, totals, errors, the layer's arithmetic.

Each is built from the engine's ``ShapeReport`` and the spec, as ``Text``:
the spec's names, keys and values are the user's and are never markup.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from cnn_tui.core.layers import LAYER_SCHEMAS
from cnn_tui.core.presets import PRESETS
from cnn_tui.core.shapes import ShapeReport, layer_arithmetic
from cnn_tui.ui.widgets.layer_table import format_shape


def preset_name(spec: dict[str, Any]) -> str | None:
    """The preset ``spec`` was made from, if any (it may have been edited since)."""
    name = spec.get("name")
    return name if isinstance(name, str) and name in PRESETS else None


def title_text(spec: dict[str, Any]) -> Text:
    """``  seed-cnn (edited)``, or ``  custom``."""
    name = spec.get("name") or "custom"
    edited = " (edited)" if name in PRESETS and spec != PRESETS[name] else ""
    return Text(f"  {name}{edited}")


def totals_text(report: ShapeReport) -> Text:
    return Text.assemble(
        ("input ", "dim"), format_shape(report.input_shape),
        (" → output ", "dim"), format_shape(report.output_shape),
        ("  params ", "dim"), (f"{report.total_params:,}", "bold"),
        (f" ({report.trainable_params:,} trainable)", "dim"),
    )


def errors_text(report: ShapeReport) -> Text:
    """One line a problem; errors quote the spec's own keys and values."""
    return Text("\n".join(f"✗ {line}" for line in report.errors))


def arithmetic_text(report: ShapeReport, row_index: int, spec: dict[str, Any]) -> Text:
    """The arithmetic of the row at ``row_index`` (0-based), then what its layer does."""
    row = report.rows[min(row_index, len(report.rows) - 1)]
    lines = layer_arithmetic(report, row.index)
    body = Text(f"{row.index} {row.name}\n", style="bold")
    body.append("\n".join(lines) if lines else "no arithmetic: shape passes through")
    schema = LAYER_SCHEMAS.get(row.type)
    if schema is not None:
        body.append(f"\n\n{row.type}: {schema.help}", style="dim")
    description = spec.get("description")
    if isinstance(description, str) and description:
        body.append(f"\n\nmodel: {description}", style="dim")
    return body
