"""The model's layer table, which is also its shape table.

One row per layer: number, type, key arguments, output shape and parameter
count, straight from the engine's ``ShapeReport`` (the same numbers as Keras's
``model.summary``). A layer the engine rejects is drawn in the error colour
with a short reason in place of its shape.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

COLUMNS = ("#", "layer", "arguments", "output shape", "params")


def format_shape(shape: tuple[int, ...] | None) -> str:
    """(None, 28, 28, 32)-style text without the batch axis: 28×28×32."""
    if shape is None:
        return "—"
    return "×".join(str(d) for d in shape) if shape else "scalar"


class LayerTable(DataTable):
    """A DataTable that shows one ``ShapeReport``; the cursor row is the selected layer."""

    DEFAULT_CSS = """
    LayerTable {
        height: 1fr;
    }
    LayerTable > .datatable--cursor {
        text-style: bold;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            id=id, classes=classes, cursor_type="row", zebra_stripes=True, cell_padding=1
        )
        for label in COLUMNS:
            self.add_column(label, key=label)

    def show_report(self, report: Any, cursor: int | None = None) -> None:
        """Redraw every row from ``report`` and put the cursor on row ``cursor`` (0-based)."""
        keep = self.cursor_row if cursor is None else cursor
        self.clear()
        for row in report.rows:
            self.add_row(*self._cells(row), key=str(row.index))
        if self.row_count:
            self.move_cursor(row=max(0, min(keep, self.row_count - 1)), animate=False)

    @staticmethod
    def _cells(row: Any) -> tuple[Text, ...]:
        style = "bold red" if row.error else ""
        if row.error:
            shape = Text("✗ invalid", style="bold red")
        else:
            shape = Text(format_shape(row.output_shape), style="" if row.output_shape else "dim")
        params = Text(f"{row.params:,}", justify="right", style=style)
        return (
            Text(str(row.index), justify="right", style=style),
            Text(row.type, style=style),
            Text(row.args_summary, style=style),
            shape,
            params,
        )
