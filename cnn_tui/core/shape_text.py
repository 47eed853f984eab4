"""Human views of a shape report: the arithmetic behind a row, a text table, JSON.

The TUI shows ``layer_arithmetic`` under the selected layer so a learner sees
where each number comes from; ``cnn-tui summary`` prints ``format_report_table``
or, with ``--json``, ``report_to_json``. ``shapes.py`` re-exports all three.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cnn_tui.core.layers import CONV_TYPES, LAYER_SCHEMAS, POOL_TYPES, pair, show_value

if TYPE_CHECKING:
    from cnn_tui.core.shapes import LayerRow, ShapeReport


def layer_arithmetic(report: ShapeReport, index: int) -> list[str]:
    """The output-size and parameter arithmetic of row ``index`` (1-based, as LayerRow.index).

    For a conv: ["out = floor((32 - 3 + 2*0) / 1) + 1 = 30", "shape = 30x30x32",
    "params = 3*3*3*32 + 32 = 896"]. Rows whose input is unknown say so.
    """
    if not 1 <= index <= len(report.rows):
        return []
    row = report.rows[index - 1]
    if row.input_shape is None:
        return ["input unknown: an earlier layer has an error; fix that one first"]
    if row.output_shape is None and row.error:
        return [line.split(": ", 1)[-1] for line in row.error.split("\n")]
    lines = _size_lines(row)
    if row.output_shape is not None:
        same = " (unchanged)" if row.output_shape == row.input_shape else ""
        lines.append(f"shape = {_dims(row.output_shape)}{same}")
    lines.extend(_param_lines(row))
    return lines


def _size_lines(row: LayerRow) -> list[str]:
    shape, args = row.input_shape or (), row.args
    if row.type in CONV_TYPES or row.type in POOL_TYPES:
        window = pair(args["kernel_size"] if row.type in CONV_TYPES else args["pool_size"])
        stride = pair(args["strides"] if args.get("strides") is not None else window)
        per_axis = [
            _window_formula(shape[axis], window[axis], stride[axis], args["padding"])
            for axis in (0, 1)
        ]
        if per_axis[0] == per_axis[1]:
            return [per_axis[0]]
        return [f"height: {per_axis[0]}", f"width: {per_axis[1]}"]
    if row.type == "Flatten":
        return [f"out = {'*'.join(map(str, shape))} = {_n(math.prod(shape))}"]
    if row.type in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        return [f"out = channels = {shape[-1]} (one value per feature map)"]
    if row.type == "ZeroPadding2D":
        ph, pw = pair(args["padding"])
        return [f"out = {shape[0]} + 2*{ph} = {shape[0] + 2 * ph} by "
                f"{shape[1]} + 2*{pw} = {shape[1] + 2 * pw}"]
    if row.type == "Dense":
        return [f"out = units = {args['units']}"]
    return []


def _window_formula(size: int, window: int, stride: int, padding: str) -> str:
    if padding == "same":
        return f"out = ceil({size} / {stride}) = {-(-size // stride)}"
    out = (size - window) // stride + 1
    return f"out = floor(({size} - {window} + 2*0) / {stride}) + 1 = {out}"


def _param_lines(row: LayerRow) -> list[str]:
    args, shape = row.args, row.input_shape or ()
    if row.output_shape is None:
        return []
    bias = bool(args.get("use_bias", False))
    if row.type == "Conv2D":
        kh, kw = pair(args["kernel_size"])
        cin, filters = shape[-1], args["filters"]
        text = f"{kh}*{kw}*{cin}*{filters}" + (f" + {filters}" if bias else "")
        return [f"params = {text} = {_n(row.params)}"]
    if row.type == "DepthwiseConv2D":
        kh, kw = pair(args["kernel_size"])
        cin, mult = shape[-1], args["depth_multiplier"]
        text = f"{kh}*{kw}*{cin}*{mult}" + (f" + {cin * mult}" if bias else "")
        return [f"params = {text} = {_n(row.params)}"]
    if row.type == "SeparableConv2D":
        kh, kw = pair(args["kernel_size"])
        cin, mult, filters = shape[-1], args["depth_multiplier"], args["filters"]
        text = f"{kh}*{kw}*{cin}*{mult} + {cin * mult}*{filters}"
        text += f" + {filters}" if bias else ""
        return [f"params = {text} = {_n(row.params)} (depthwise + pointwise)"]
    if row.type == "Dense":
        units = args["units"]
        text = f"{shape[0]}*{units}" + (f" + {units}" if bias else "")
        return [f"params = {text} = {_n(row.params)}"]
    if row.type == "BatchNormalization":
        channels = shape[-1]
        learned = int(args["center"]) + int(args["scale"])
        return [
            f"params = {learned + 2}*{channels} = {_n(row.params)}",
            f"trainable = {learned}*{channels} = {_n(row.trainable_params)} (gamma, beta); "
            f"non-trainable = 2*{channels} = {_n(2 * channels)} (moving mean, variance)",
        ]
    return ["params = 0"]


def format_report_table(report: ShapeReport) -> str:
    """A plain text table like Keras's summary, with totals and errors below."""
    header = ("#", "name", "type", "args", "output shape", "params")
    body = [
        (str(r.index), r.name, r.type, r.args_summary,
         _shape_text(r.output_shape), _n(r.params) if r.output_shape is not None else "-")
        for r in report.rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    right = {0, 5}

    def render(cells: tuple[str, ...]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    rule = "-" * len(render(header))
    lines = [f"input: {_shape_text(report.input_shape)}", render(header), rule]
    lines.extend(render(cells) for cells in body)
    lines.append(rule)
    lines.append(f"Total params: {_n(report.total_params)}")
    lines.append(f"Trainable params: {_n(report.trainable_params)}")
    lines.append(f"Non-trainable params: {_n(report.total_params - report.trainable_params)}")
    lines.extend(f"error: {e}" for e in report.errors)
    return "\n".join(lines)


def summarize_args(kind: str, args: Mapping[str, Any]) -> str:
    """ "32 3x3 same relu", "2x2", "0.25", "512 relu": the arguments that matter."""
    parts: list[str] = []
    if "filters" in args:
        parts.append(str(args["filters"]))
    for key in ("kernel_size", "pool_size"):
        if args.get(key) is not None:
            parts.append("x".join(map(str, pair(args[key]))))
    if args.get("depth_multiplier", 1) != 1:
        parts.append(f"x{args['depth_multiplier']}")
    # A rejected pool_size is left out of args: the summary must still not fail.
    if args.get("strides") is not None and pair(args["strides"]) != (1, 1) and (
        kind not in POOL_TYPES or "pool_size" not in args
        or pair(args["strides"]) != pair(args["pool_size"])
    ):
        parts.append("stride " + "x".join(map(str, pair(args["strides"]))))
    elif kind in POOL_TYPES and args.get("strides") is not None and pair(args["strides"]) == (1, 1):
        parts.append("stride 1")
    if args.get("padding") == "same" or kind == "ZeroPadding2D" and "padding" in args:
        parts.append("same" if kind != "ZeroPadding2D" else "pad " + show_value(args["padding"]))
    for key in ("units", "rate"):
        if key in args:
            parts.append(show_value(args[key]) if key == "rate" else str(args[key]))
    if args.get("activation") is not None:
        parts.append(str(args["activation"]))
    if args.get("use_bias") is False:
        parts.append("no bias")
    if kind == "BatchNormalization":
        for key in ("momentum", "epsilon"):
            if key in args and args[key] != LAYER_SCHEMAS[kind].arg(key).default:
                parts.append(f"{key} {show_value(args[key])}")
    return " ".join(parts)


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


def _shape_text(shape: tuple[int, ...] | None) -> str:
    return "-" if shape is None else _dims(shape)


def _dims(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape))


def _n(value: int) -> str:
    return f"{value:,}"
