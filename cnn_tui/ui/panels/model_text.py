"""The Model tab's text around the layer table: title, totals, errors, the layer's arithmetic.

Each is built from the engine's ``ShapeReport`` and the spec, as ``Text``:
the spec's names, keys and values are the user's and are never markup. The
training-memory estimate is for the Train tab's batch size and optimizer
(``memory_for``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from cnn_tui.core.layers import LAYER_SCHEMAS
from cnn_tui.core.limits import bytes_text
from cnn_tui.core.memory import TrainingMemory, activation_bytes, training_memory
from cnn_tui.core.presets import PRESETS
from cnn_tui.core.shape_format import format_short_count
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


def memory_for(report: ShapeReport, settings: Mapping[str, Any]) -> TrainingMemory | None:
    """The estimate at the Train tab's batch size and optimizer; None while its batch
    size field does not read (a bad field keeps no value)."""
    batch, optimizer = settings.get("batch_size"), settings.get("optimizer")
    if not isinstance(batch, int) or not isinstance(optimizer, str):
        return None
    return training_memory(report, batch, optimizer)


def totals_text(report: ShapeReport, memory: TrainingMemory | None) -> Text:
    """The shapes and parameters, then on a second line the cost: MACs and memory (only
    for a model that builds: the errors under it need the room more)."""
    text = Text.assemble(
        ("input ", "dim"), format_shape(report.input_shape),
        (" → output ", "dim"), format_shape(report.output_shape),
        ("  params ", "dim"), (f"{report.total_params:,}", "bold"),
        (f" ({report.trainable_params:,} trainable)", "dim"),
    )
    if not report.ok:
        return text
    text.append_text(Text.assemble(
        ("\nMACs ", "dim"), (format_short_count(report.total_macs), "bold"),
        (" per image", "dim")))
    if memory is None:
        return text.append("  training memory: the Train tab's batch size is not valid",
                           style="dim")
    return text.append_text(Text.assemble(
        ("  training ≈ ", "dim"), (bytes_text(memory.total), "bold"),
        (f" at batch {memory.batch_size} ({memory.optimizer})", "dim"),
    ))


def errors_text(report: ShapeReport) -> Text:
    """One line a problem; errors quote the spec's own keys and values."""
    return Text("\n".join(f"✗ {line}" for line in report.errors))


def arithmetic_text(report: ShapeReport, row_index: int, spec: dict[str, Any],
                    memory: TrainingMemory | None) -> Text:
    """The arithmetic of the row at ``row_index`` (0-based), its activations at the batch
    size, then what its layer does and what the model needs to train."""
    row = report.rows[min(row_index, len(report.rows) - 1)]
    lines = layer_arithmetic(report, row.index)
    if memory is not None and row.output_shape is not None:
        size = bytes_text(activation_bytes(row.output_shape, memory.batch_size))
        lines.append(f"activations = {size} at batch {memory.batch_size}")
    body = Text(f"{row.index} {row.name}\n", style="bold")
    body.append("\n".join(lines) if lines else "no arithmetic: shape passes through")
    schema = LAYER_SCHEMAS.get(row.type)
    if schema is not None:
        body.append(f"\n\n{row.type}: {schema.help}", style="dim")
    if memory is not None:
        # Three short lines: the box beside the table is 41 columns wide.
        body.append(f"\n\ntraining ≈ {bytes_text(memory.total)} at batch {memory.batch_size}:"
                    f"\nweights {bytes_text(memory.weights)}, gradients "
                    f"{bytes_text(memory.gradients)},\n{memory.optimizer} "
                    f"{bytes_text(memory.optimizer_state)}, activations "
                    f"{bytes_text(memory.activations)}", style="dim")
    description = spec.get("description")
    if isinstance(description, str) and description:
        body.append(f"\n\nmodel: {description}", style="dim")
    return body
