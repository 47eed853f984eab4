"""Human views of a shape report: the arithmetic behind a row, a text table, JSON.

The TUI shows ``layer_arithmetic`` under the selected layer so a learner sees
where each number comes from; ``cnn-tui summary`` prints ``format_report_table``
or, with ``--json``, ``report_to_json``. ``shapes.py`` re-exports all three.
The per-layer formulas come from each layer type's rule (``layer_rules``);
what is here is their frame, the same for every layer.
"""

from __future__ import annotations

from typing import Any

from cnn_tui.core.layer_rules import RULES, LayerRule
from cnn_tui.core.layer_rules.base import Window
from cnn_tui.core.layer_rules.receptive import INPUT_FIELD, field_lines
from cnn_tui.core.report import LayerRow, ShapeReport
from cnn_tui.core.shape_format import format_count, format_shape


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
        lines.append(f"(wider than the {format_shape(image)} image: the rest is padding)")
    return lines


def _error_lines(row: LayerRow) -> list[str]:
    """The row's problems without their "layer N (Type): " prefix (the panel names the layer)."""
    return [line.split(": ", 1)[-1] for line in (row.error or "").split("\n")]


def format_report_table(report: ShapeReport) -> str:
    """A plain text table like Keras's summary, with totals and errors below."""
    header = ("#", "name", "type", "args", "output shape", "params")
    body = [
        (str(r.index), r.name, r.type, r.args_summary, format_shape(r.output_shape),
         format_count(r.params) if r.output_shape is not None else "-")
        for r in report.rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    right = {0, 5}

    def render(cells: tuple[str, ...]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    rule = "-" * len(render(header))
    lines = [f"input: {format_shape(report.input_shape)}", render(header), rule]
    lines.extend(render(cells) for cells in body)
    lines.append(rule)
    lines.append(f"Total params: {format_count(report.total_params)}")
    lines.append(f"Trainable params: {format_count(report.trainable_params)}")
    non_trainable = report.total_params - report.trainable_params
    lines.append(f"Non-trainable params: {format_count(non_trainable)}")
    lines.extend(f"error: {e}" for e in report.errors)
    return "\n".join(lines)


def report_to_json(report: ShapeReport) -> dict[str, Any]:
    """The ``cnn-tui summary --json`` document (output shapes without the batch axis)."""
    return {
        "input_shape": list(report.input_shape),
        "layers": [
            {
                "name": r.name,
                "type": r.type,
                "output_shape": list(r.output_shape) if r.output_shape is not None else None,
                "params": r.params,
            }
            for r in report.rows
        ],
        "total_params": report.total_params,
        "trainable_params": report.trainable_params,
        "errors": list(report.errors),
    }


__all__ = ["format_report_table", "layer_arithmetic", "report_to_json"]
