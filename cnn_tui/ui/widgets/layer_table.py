"""The model's layer table, which is also its shape table.

One row per layer: number, type, key arguments, output shape and parameter
count, straight from the engine's ``ShapeReport`` (the same numbers as Keras's
``model.summary``), then what the layer costs: its multiply-accumulates for one
image and its receptive field. A layer the engine rejects is drawn in the error
colour with a short reason in place of its shape.

The cost columns are shown only when the table is wide enough for them (the
receptive field goes first, then the MACs): the box beside or under the table
gives both, with their formulas, for the selected layer, and the shapes and
parameters are what a learner must see of every layer at once.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import DataTable

from cnn_tui.core.layer_rules.receptive import field_text
from cnn_tui.core.shape_format import format_short_count

SHAPE_COLUMNS = ("#", "layer", "arguments", "output shape", "params")
COST_COLUMNS = ("MACs", "RF")
"""In the order they are given up when the table is too narrow: the last one first."""
COLUMNS = SHAPE_COLUMNS + COST_COLUMNS


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
        self._cells: list[tuple[Text, ...]] = []
        """Every column's cells of the report shown, shown columns or not."""

    @property
    def shown_columns(self) -> tuple[str, ...]:
        return tuple(str(column.label) for column in self.ordered_columns)

    def show_report(self, report: Any, cursor: int | None = None) -> None:
        """Redraw every row from ``report`` and put the cursor on row ``cursor`` (0-based)."""
        self._cells = [self._cells_of(row) for row in report.rows]
        self._fill(self.cursor_row if cursor is None else cursor)

    def on_resize(self, event: events.Resize) -> None:
        if self._fitting_columns() != self.shown_columns:
            self._fill(self.cursor_row)

    def _fill(self, cursor: int) -> None:
        columns = self._fitting_columns()
        if columns != self.shown_columns:
            self.clear(columns=True)
            for label in columns:
                self.add_column(label, key=label)
        else:
            self.clear()
        for index, cells in enumerate(self._cells, start=1):
            self.add_row(*cells[:len(columns)], key=str(index))
        if self.row_count:
            self.move_cursor(row=max(0, min(cursor, self.row_count - 1)), animate=False)

    def _fitting_columns(self) -> tuple[str, ...]:
        """The shape columns, then as many cost columns as the width has room for.

        Before the first layout the width is unknown: every column, which the
        first Resize then trims.
        """
        room = self.scrollable_content_region.width
        if not room:
            return COLUMNS
        widths = [
            cell_len(label) + 2 * self.cell_padding for label in COLUMNS
        ]
        for cells in self._cells:
            for index, cell in enumerate(cells):
                widths[index] = max(widths[index], cell.cell_len + 2 * self.cell_padding)
        count = len(COLUMNS)
        while count > len(SHAPE_COLUMNS) and sum(widths[:count]) > room:
            count -= 1
        return COLUMNS[:count]

    @staticmethod
    def _cells_of(row: Any) -> tuple[Text, ...]:
        style = "bold red" if row.error else ""
        if row.error:
            shape = Text("✗ invalid", style="bold red")
        else:
            shape = Text(format_shape(row.output_shape), style="" if row.output_shape else "dim")
        params = Text(f"{row.params:,}", justify="right", style=style)
        known = row.output_shape is not None and row.receptive_field is not None
        if known:
            macs = Text(format_short_count(row.macs), justify="right")
            field = Text(field_text(row.receptive_field, "×"), justify="right")
        else:
            macs = Text("—", justify="right", style="dim")
            field = Text("—", justify="right", style="dim")
        return (
            Text(str(row.index), justify="right", style=style),
            Text(row.type, style=style),
            Text(row.args_summary, style=style),
            shape,
            params,
            macs,
            field,
        )
