"""The yardstick for ``first_paint_vs_minimal_app``: the least a Textual app like ours paints.

A header, two tabs, a two-row DataTable and a footer, nothing else: how long
Python and Textual alone take to put a table on this terminal. ``bench_tui``
launches it in tmux alternately with ``cnn-tui`` and waits for ``MARKER``.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, TabbedContent, TabPane

MARKER = "minimal-app-painted"


class MinimalApp(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent():
            with TabPane("Model"):
                yield DataTable()
            with TabPane("Train"):
                yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query(DataTable).first()
        table.add_columns("layer", "output shape")
        table.add_rows([(MARKER, "28x28x32"), ("MaxPooling2D", "14x14x32")])


if __name__ == "__main__":
    MinimalApp().run()
