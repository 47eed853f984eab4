"""Human views of a shape report: the arithmetic behind a row, text tables, JSON.

The TUI shows ``layer_arithmetic`` under the selected layer so a learner sees
where each number comes from; ``cnn-tui summary`` prints ``format_report_table``
or, with ``--json``, ``report_to_json`` (both with the training-memory estimate,
``memory.training_memory``, when given one). ``shapes.py`` re-exports all three.
The per-layer formulas come from each layer type's rule (``layer_rules``);
what is here is their frame, the same for every layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cnn_tui.core.layer_rules import RULES, LayerRule
from cnn_tui.core.layer_rules.base import Window
from cnn_tui.core.layer_rules.receptive import INPUT_FIELD, field_lines, field_text
from cnn_tui.core.limits import bytes_text
from cnn_tui.core.memory import TrainingMemory, activation_bytes
from cnn_tui.core.report import LayerRow, ShapeReport
from cnn_tui.core.shape_format import format_count, format_shape, format_short_count


def layer_arithmetic(report: ShapeReport, index: int) -> list[str]:
    """The output-size, parameter and cost arithmetic of row ``index`` (1-based, as
    LayerRow.index).

    For a conv: ["out = floor((32 - 3 + 2*0) / 1) + 1 = 30", "shape = 30x30x32",
    "params = 3*3*3*32 + 32 = 896", "MACs = 30*30*3*3*3*32 = 777,600",
    "RF = 1 + (3-1)*1 = 3, jump = 1*1 = 1"]. Rows whose input is unknown say so.
    """
    if not 1 <= index <= len(report.rows):
        return []
    row = report.rows[index - 1]
    if row.input_shape is None:
        return ["input unknown: an earlier layer has an error; fix that one first"]
    rule = RULES.get(row.type)
    if rule is None or row.output_shape is None:  # an unknown type, or a layer that failed
        return _error_lines(row)
    lines = rule.size_lines(row.args, row.input_shape)
    same = " (unchanged)" if row.output_shape == row.input_shape else ""
    lines.append(f"shape = {format_shape(row.output_shape)}{same}")
    lines.extend(rule.param_lines(row.args, row.input_shape))
    lines.append(_macs_line(rule, row))
    lines.extend(_field_lines(report, rule, row))
    return lines


def _macs_line(rule: LayerRule, row: LayerRow) -> str:
    """ "MACs = 32*32*3*3*3*32 = 884,736", "MACs = 0 (a max: comparisons, no weights)"."""
    assert row.input_shape is not None and row.output_shape is not None
    terms = rule.mac_terms(row.args, row.input_shape, row.output_shape)
    formula = " + ".join(format_shape(term, "*") for term in terms)
    line = f"MACs = {formula} = {format_count(row.macs)}" if terms else "MACs = 0"
    return line + (f" ({rule.mac_note})" if rule.mac_note else "")


def _field_lines(report: ShapeReport, rule: LayerRule, row: LayerRow) -> list[str]:
    """The receptive field's arithmetic, from the field of the layer before."""
    before = report.rows[row.index - 2].receptive_field if row.index > 1 else INPUT_FIELD
    if before is None or row.receptive_field is None:  # not reached: the input is known
        return []
    step = rule.field_step(row.args)
    lines = field_lines(before, step)
    size, image = row.receptive_field.size, report.input_shape[:2]
    # Said where a window makes it so; the layers after it keep the field as it is.
    if isinstance(step, Window) and size is not None and (size[0] > image[0]
                                                          or size[1] > image[1]):
        lines.append(f"(past the {format_shape(image)} image: padding)")
    return lines


def _error_lines(row: LayerRow) -> list[str]:
    """The row's problems without their "layer N (Type): " prefix (the panel names the layer)."""
    return [line.split(": ", 1)[-1] for line in (row.error or "").split("\n")]


def format_report_table(report: ShapeReport, memory: TrainingMemory | None = None) -> str:
    """Plain text tables: the shapes like Keras's summary with the parameter totals, then
    each layer's cost (MACs, receptive field, and with ``memory`` its activations at the
    batch size) with the total MACs and the training-memory estimate; errors last."""
    shapes = [
        (str(r.index), r.name, r.type, r.args_summary, format_shape(r.output_shape),
         format_count(r.params) if r.output_shape is not None else "-")
        for r in report.rows
    ]
    lines = [f"input: {format_shape(report.input_shape)}",
             *_table(("#", "name", "type", "args", "output shape", "params"), shapes, {0, 5}),
             f"Total params: {format_count(report.total_params)}",
             f"Trainable params: {format_count(report.trainable_params)}",
             f"Non-trainable params: {format_count(report.total_params - report.trainable_params)}",
             ""]
    header = ("#", "name", "MACs", "RF", "jump") + (("activations",) if memory else ())
    costs = [_cost_cells(row, memory) for row in report.rows]
    lines.extend(_table(header, costs, {0, 2, 3, 4, 5}))
    total = report.total_macs
    lines.append(f"Total MACs: {format_short_count(total)} per image ({format_count(total)})")
    if memory is not None:
        lines.append(f"Training memory at batch {memory.batch_size} with {memory.optimizer}: "
                     f"about {bytes_text(memory.total)}")
        lines.append(f"  = weights {bytes_text(memory.weights)} + gradients "
                     f"{bytes_text(memory.gradients)} + {memory.optimizer} "
                     f"{bytes_text(memory.optimizer_state)} + activations "
                     f"{bytes_text(memory.activations)}")
    lines.extend(f"error: {e}" for e in report.errors)
    return "\n".join(lines)


def _cost_cells(row: LayerRow, memory: TrainingMemory | None) -> tuple[str, ...]:
    """ "1", "conv2d", "884.7K", "3x3", "1"[, "33.6 MB"]; dashes where the output is unknown."""
    field = row.receptive_field
    if row.output_shape is None or field is None:
        return (str(row.index), row.name) + ("-",) * (4 if memory else 3)
    jump = "-" if field.jump is None else format_shape(
        field.jump[:1] if field.jump[0] == field.jump[1] else field.jump)
    cells = (str(row.index), row.name, format_short_count(row.macs), field_text(field), jump)
    if memory is None:
        return cells
    return (*cells, bytes_text(activation_bytes(row.output_shape, memory.batch_size)))


def _table(header: tuple[str, ...], body: Sequence[tuple[str, ...]], right: set[int]) -> list[str]:
    """Header, rule, rows, rule; columns two spaces apart, ``right`` ones right-aligned."""
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def render(cells: tuple[str, ...]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    rule = "-" * len(render(header))
    return [render(header), rule, *(render(cells) for cells in body), rule]


def report_to_json(report: ShapeReport, memory: TrainingMemory | None = None) -> dict[str, Any]:
    """The ``cnn-tui summary --json`` document (output shapes without the batch axis).

    Per layer: its MACs for one image, its receptive field [rows, columns] ("all" when
    it sees the whole image) and jump (null for a vector), and, with ``memory``, the
    bytes of its output for a batch; unknown values (an invalid layer) are null. At the
    top, the totals and, with ``memory``, the training-memory estimate and its parts.
    """
    layers = []
    for r in report.rows:
        field = r.receptive_field
        layer: dict[str, Any] = {
            "name": r.name,
            "type": r.type,
            "output_shape": list(r.output_shape) if r.output_shape is not None else None,
            "params": r.params,
            "macs": r.macs if r.output_shape is not None else None,
            "receptive_field": None if field is None else (
                "all" if field.size is None else list(field.size)),
            "jump": None if field is None or field.jump is None else list(field.jump),
        }
        if memory is not None:
            layer["activation_bytes"] = (None if r.output_shape is None
                                         else activation_bytes(r.output_shape, memory.batch_size))
        layers.append(layer)
    document: dict[str, Any] = {
        "input_shape": list(report.input_shape),
        "layers": layers,
        "total_params": report.total_params,
        "trainable_params": report.trainable_params,
        "total_macs": report.total_macs,
    }
    if memory is not None:
        document.update({
            "batch_size": memory.batch_size,
            "optimizer": memory.optimizer,
            "estimated_training_bytes": memory.total,
            "training_memory": {"weights": memory.weights, "gradients": memory.gradients,
                                "optimizer_state": memory.optimizer_state,
                                "activations": memory.activations},
        })
    document["errors"] = list(report.errors)
    return document


__all__ = ["format_report_table", "layer_arithmetic", "report_to_json"]
