"""The Runs panel: past and running runs in a table, several overlaid, exported, reopened,
continued, watched, probed for shift invariance or inspected.

The runs folder is read in a thread worker (``runs_rows.scan_runs``) that
posts ``Scanned``; while any listed run is running (here or in another
process) the panel reads it again every ``RUNS_REFRESH_S`` (rates.py). ``o``, ``c``,
``w`` and ``i`` post messages: the app, which owns the panels and the training,
decides what they do; when a run here or a watched one ends (the app's
``run_state``, bound), the list is read again. A run whose files cannot be read is listed as
"unreadable" with the reason, and a folder with run files but no
config.json as broken: neither hides, and neither crashes the panel.
Under the table, ``v`` switches between the selected runs' training curves
and their shift probe (``p``, run_probe.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, DataTable, Static
from textual.worker import get_current_worker

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs import history
from cnn_tui.ui.panels.run_keys import (
    ContinueRequested,
    InspectRequested,
    OpenConfig,
    RunKeys,
    WatchRequested,
)
from cnn_tui.ui.panels.run_probe import CURVES_VIEW, PROBE_VIEW, RunProbe
from cnn_tui.ui.panels.runs_rows import (
    COLUMNS,
    RunRow,
    legend_label,
    mark_cell,
    row_cells,
    scan_runs,
    status_line,
)
from cnn_tui.ui.rates import RUNS_REFRESH_S
from cnn_tui.ui.screens.export import export_runs
from cnn_tui.ui.state import RunState
from cnn_tui.ui.widgets.probe_plot import ProbeView
from cnn_tui.ui.widgets.run_overlay import OverlayRun, RunOverlay


class RunsPanel(RunProbe, RunKeys, Vertical):
    """Past runs: select several to overlay their curves, export them, reopen one."""

    DEFAULT_CSS = """
    RunsPanel {
        height: 1fr;
        #runs-table { height: auto; max-height: 45%; min-height: 3; }
        #runs-status {
            height: 1; color: $text-muted; padding: 0 1;
            text-wrap: nowrap; text-overflow: ellipsis;
        }
        #runs-status.-error { color: $error; }
        #runs-views { height: 3fr; min-height: 6; }
        #runs-overlay { height: 1fr; }
    }
    """

    BINDINGS = [
        # Short names: the footer holds every shown key of this tab at 120 columns;
        # the tooltips (the help screen's text) say the rest.
        Binding("space", "toggle_selection", "Select",
                tooltip="select or unselect the highlighted run (export, overlay, probe)"),
        Binding("l", "toggle_metric", "Loss/acc",
                tooltip="overlay the selected runs' loss or their accuracy"),
        Binding("e", "export", "Export",
                tooltip="export the selected runs' histories to one CSV file"),
        Binding("o", "open_config", "Open",
                tooltip="open the highlighted run's settings in the Dataset, Model, Augment "
                        "and Train tabs"),
        Binding("c", "continue_run", "Continue",
                tooltip="continue the highlighted run from its last checkpoint"),
        Binding("w", "watch_run", "Watch",
                tooltip="follow the highlighted run of another process on the Train tab"),
        Binding("i", "inspect_run", "Inspect",
                tooltip="look at the highlighted run's model on the Inspect tab"),
        # Out of the footer, which is full at 120 columns: the list reads itself again
        # when the tab is shown and every few seconds while a run runs.
        Binding("R,f5", "refresh_runs", "Refresh", key_display="R", show=False,
                tooltip="read the runs folder again"),
        Binding("p", "probe", "Probe",
                tooltip="shift probe: accuracy of the selected runs on images shifted 0-k px"),
        # The footer is full at 120 columns: the probe's line names these keys.
        Binding("k", "choose_shift", "Shift k", show=False,
                tooltip="choose the probe's largest shift k (auto: a quarter of the width)"),
        Binding("v", "toggle_view", "Curves/probe", show=False,
                tooltip="show the training curves or the shift probe under the table"),
        Binding("escape", "cancel_probe", "Cancel probe", show=False,
                tooltip="cancel the running probe"),
    ]

    run_state: reactive[RunState] = reactive(RunState, repaint=False, init=False)
    """Bound to ``CnnTuiApp.run_state``: the list is read again when a run ends."""

    # The row keys' messages (run_keys.py), where a handler expects them.
    OpenConfig = OpenConfig
    ContinueRequested = ContinueRequested
    WatchRequested = WatchRequested
    InspectRequested = InspectRequested

    @dataclass
    class Scanned(Message):
        """The runs folder as the scan worker read it (``error``: why it could not); a
        newer scan replaces an unhandled one."""

        rows: list[RunRow]
        error: str = ""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, RunsPanel.Scanned)

    def __init__(self, runs_dir: Path, *, id: str = "runs-panel") -> None:
        super().__init__(id=id)
        self.runs_dir = Path(runs_dir)
        self.rows: list[RunRow] = []
        """The runs listed, in table order."""
        self.selected: list[str] = []
        """Names of the selected runs, in the order they were selected."""

    def compose(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static(id="runs-status")
        with ContentSwitcher(initial=CURVES_VIEW, id="runs-views"):
            yield RunOverlay(id=CURVES_VIEW)
            yield ProbeView(id=PROBE_VIEW)

    def on_mount(self) -> None:
        self.refresh_runs()
        self.set_interval(RUNS_REFRESH_S, self._refresh_while_running)

    def on_show(self) -> None:
        # Coming back to the tab: runs may have started or ended (also by another process).
        self.refresh_runs()

    def watch_run_state(self, old: RunState, new: RunState) -> None:
        if self.is_mounted and new.phase == "idle" and old.phase in ("training", "watching"):
            self.refresh_runs()  # its last epoch and its end are in its files by now

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#runs-table", DataTable)

    def refresh_runs(self) -> None:
        """Read the runs folder again (in a thread); ``Scanned`` shows what it found."""
        self._scan(self.runs_dir)

    def _refresh_while_running(self) -> None:
        # Out of sight, on_show refreshes when the tab comes back.
        if self.is_on_screen and any(row.running for row in self.rows):
            self.refresh_runs()

    @work(thread=True, exclusive=True, group="runs-scan", exit_on_error=False,
          description="reading the runs folder")
    def _scan(self, runs_dir: Path) -> None:
        try:
            scanned = self.Scanned(scan_runs(runs_dir))
        except (OSError, CnnTuiError) as error:
            scanned = self.Scanned([], f"Cannot read the runs folder {runs_dir}: {error}")
        if not get_current_worker().is_cancelled:  # a newer scan replaced this one
            self.post_message(scanned)

    @on(Scanned)
    def _show_rows(self, message: Scanned) -> None:
        """Fill the table, keeping the selection and the cursor where they were."""
        table = self.table
        cursor_name = self._highlighted_name()
        self.rows = message.rows
        names = {row.name for row in self.rows}
        self.selected = [name for name in self.selected if name in names]
        table.clear()
        for row in self.rows:
            table.add_row(*row_cells(row, self._mark(row.name)), key=row.name)
        if cursor_name in names:
            table.move_cursor(row=table.get_row_index(cursor_name))
        self._redraw_overlay()
        self._status(message.error or self._summary(), error=bool(message.error))

    def action_refresh_runs(self) -> None:
        self.refresh_runs()

    def action_toggle_selection(self) -> None:
        """Select or unselect the highlighted run for the overlay and the export."""
        name = self._highlighted_name()
        if name is None:
            return
        if name in self.selected:
            self.selected.remove(name)
        else:
            self.selected.append(name)
        for row in self.rows:
            self.table.update_cell(row.name, "mark", self._mark(row.name))
        self._redraw_overlay()
        self._status(self._summary())

    def action_toggle_metric(self) -> None:
        """Switch the overlay between accuracy and loss."""
        overlay = self.query_one(RunOverlay)
        overlay.metric = "loss" if overlay.metric == "accuracy" else "accuracy"
        self._redraw_overlay()

    def action_export(self) -> None:
        """Ask for a path and write the selected (or highlighted) runs' histories to one CSV."""
        targets = self._target_rows()
        if not targets:
            self.notify("No runs to export: select some with space.", severity="warning")
            return
        export_runs(self.app, [row.path for row in targets], self.runs_dir)

    @on(DataTable.RowSelected, "#runs-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_config()

    @on(DataTable.RowHighlighted, "#runs-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if not self.selected:
            self._redraw_overlay()
        self._status(self._summary())

    def _highlighted_name(self) -> str | None:
        table = self.table
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value)

    def _highlighted_row(self) -> RunRow | None:
        name = self._highlighted_name()
        return next((row for row in self.rows if row.name == name), None)

    def _target_rows(self) -> list[RunRow]:
        """The selected rows, or the highlighted one when none is selected."""
        by_name = {row.name: row for row in self.rows}
        names = self.selected or [n for n in [self._highlighted_name()] if n is not None]
        return [by_name[name] for name in names if name in by_name]

    def _redraw_overlay(self) -> None:
        runs = []
        for row in self._target_rows():
            if row.record is not None and row.record.reason:
                continue  # unreadable: its history may be what is broken
            color_index = self.selected.index(row.name) if row.name in self.selected else 0
            label = f"{color_index + 1} {legend_label(row)}"
            runs.append(OverlayRun(label, color_index, history.read_history(row.path)))
        self.query_one(RunOverlay).show_runs(runs)

    def _mark(self, name: str) -> Text:
        return mark_cell(self.selected.index(name) if name in self.selected else None)

    def _summary(self) -> str:
        return status_line(self.rows, len(self.selected), self._highlighted_row(), self.runs_dir)

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#runs-status", Static)
        status.set_class(error, "-error")
        status.update(Text(text))  # it holds run names and paths: never markup
