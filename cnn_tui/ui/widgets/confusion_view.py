"""The Inspect tab's evaluation: the confusion heatmap, per-class figures and confused pairs.

The matrix takes the room there is: beside it go the per-class table and the
pairs when both fit the width, else they go under it (``-stacked``) and the
view scrolls. Cells are as narrow as the longest count allows, a little wider
when there is room, and up to three lines high while the whole matrix still fits
the height (squarer cells read better as a heatmap). ``n`` shows each row as
percentages of its true class instead of counts.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.reactive import reactive
from textual.widgets import Static

from cnn_tui.core.inspect import Evaluation
from cnn_tui.ui.widgets.confusion_text import (
    class_figures_text,
    label_width,
    matrix_text,
    natural_cell_width,
    pairs_text,
)

EXTRA_CELL_WIDTH = 2
"""How much wider than needed a cell gets when there is room."""
MAX_CELL_HEIGHT = 3
"""Lines a cell gets when there is room: 3 lines of 7 columns look square."""


class ConfusionView(ScrollableContainer):
    """A heatmap of the confusion matrix, with the per-class table and the confused pairs."""

    DEFAULT_CSS = """
    ConfusionView {
        height: 1fr;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
        #confusion-body { width: auto; height: auto; }
        #confusion-matrix { width: auto; height: auto; margin-right: 2; }
        #confusion-side { width: auto; height: auto; }
        #confusion-classes { width: auto; height: auto; margin-bottom: 1; margin-right: 2; }
        #confusion-pairs { width: auto; height: auto; }
        &.-stacked #confusion-body { layout: vertical; }
        &.-stacked #confusion-matrix { margin-bottom: 1; }
        &.-stacked #confusion-side { layout: horizontal; }
    }
    """

    BINDINGS = [
        Binding("n", "toggle_normalised", "Counts/%",
                tooltip="show each row as counts or as percentages of its true class"),
    ]

    normalised: reactive[bool] = reactive(False, init=False)
    """Rows as percentages of their true class, instead of counts."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.evaluation: Evaluation | None = None
        self.cell_size: tuple[int, int] = (0, 0)
        """(width, height) of the matrix's cells as last drawn."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="confusion-body"):
            yield Static(id="confusion-matrix")
            with Vertical(id="confusion-side"):
                yield Static(id="confusion-classes")
                yield Static(id="confusion-pairs")

    def show(self, evaluation: Evaluation | None, placeholder: str = "") -> None:
        """Draw ``evaluation`` (None: nothing, or ``placeholder``)."""
        self.evaluation = evaluation
        classes = self.query_one("#confusion-classes", Static)
        pairs = self.query_one("#confusion-pairs", Static)
        if evaluation is None:
            self.query_one("#confusion-matrix", Static).update(Text(placeholder))
            classes.update("")
            pairs.update("")
            return
        classes.update(class_figures_text(evaluation))
        pairs.update(pairs_text(evaluation))
        self._draw_matrix()

    def watch_normalised(self) -> None:
        self._draw_matrix()

    def action_toggle_normalised(self) -> None:
        self.normalised = not self.normalised

    def on_resize(self) -> None:
        self._draw_matrix()

    def _draw_matrix(self) -> None:
        evaluation = self.evaluation
        if evaluation is None or not self.is_mounted:
            return
        # The same cells for counts and percentages: switching does not move the matrix.
        natural = max(natural_cell_width(evaluation, False), natural_cell_width(evaluation, True))
        classes = len(evaluation.classes)
        labels = label_width(evaluation.classes) + 1  # and a space
        side = max(_width(class_figures_text(evaluation)), _width(pairs_text(evaluation))) + 2
        width = self.scrollable_content_region.width
        height = self.scrollable_content_region.height
        beside = labels + classes * natural + 2 + side <= width
        room = (width - side - 2 if beside else width) - labels
        cell_width = min(natural + EXTRA_CELL_WIDTH, max(natural, room // max(1, classes)))
        cell_height = min(MAX_CELL_HEIGHT, max(1, (height - 2) // max(1, classes))) if beside else 1
        self.set_class(not beside, "-stacked")
        self.cell_size = (cell_width, cell_height)
        self.query_one("#confusion-matrix", Static).update(matrix_text(
            evaluation, normalised=self.normalised, cell_width=cell_width,
            cell_height=cell_height))


def _width(text: Text) -> int:
    return max((line.cell_len for line in text.split()), default=0)
