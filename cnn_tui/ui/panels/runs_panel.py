"""The Runs panel: past runs in a table, several overlaid, exported, or reopened.

Rows come from ``runs_index.list_runs`` (a run whose files cannot be read is
"unreadable", with the reason); folders that look like runs but have no
``config.json`` are listed too, marked as broken, so a half-written run never
hides silently and never crashes the panel. Names and paths are never read
as markup: a run named ``[b]x`` shows as ``[b]x``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs import files, history, rundir
from cnn_tui.core.runs import index as runs_index
from cnn_tui.ui.screens.export import ExportScreen, default_export_path
from cnn_tui.ui.widgets.run_overlay import OverlayRun, RunOverlay, run_color

# Most telling first, so an 80-column terminal shows which run, how good, how it ended.
COLUMNS = (
    ("mark", " "), ("name", "run"), ("state", "state"), ("best", "best val"),
    ("epochs", "epochs"), ("dataset", "dataset"), ("model", "model"),
    ("augmentation", "augmentation"),
)  # fmt: skip
_RUN_FILES = (rundir.CONFIG_FILE, history.HISTORY_FILE, rundir.STATUS_FILE)


@dataclass(frozen=True)
class RunRow:
    """A row of the table: a readable run, or a broken folder (``record`` None)."""

    name: str
    path: Path
    record: runs_index.RunRecord | None
    problem: str = ""


def scan_runs(runs_dir: Path) -> list[RunRow]:
    """Every run under ``runs_dir`` (oldest first), broken ones included."""
    rows = [RunRow(r.name, r.path, r) for r in runs_index.list_runs(runs_dir)]
    listed = {row.name for row in rows}
    if runs_dir.is_dir():
        for child in sorted(runs_dir.iterdir()):
            if child.name in listed or not child.is_dir():
                continue
            if any((child / name).exists() for name in _RUN_FILES):
                rows.append(RunRow(child.name, child, None, "no config.json"))
    return rows


class RunsPanel(Vertical):
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
        #runs-overlay { height: 3fr; min-height: 6; }
    }
    """

    BINDINGS = [
        Binding("space", "toggle_selection", "Select"),
        Binding("l", "toggle_metric", "Loss/acc"),
        Binding("e", "export", "Export CSV"),
        Binding("o", "open_config", "Open config"),
        Binding("R,f5", "refresh_runs", "Refresh", key_display="R"),
    ]

    @dataclass
    class OpenConfig(Message):
        """The user asked to load this run's ``config.json`` back into the panels."""

        config: dict[str, Any]

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
        yield RunOverlay(id="runs-overlay")

    def on_mount(self) -> None:
        self.refresh_runs()

    def on_show(self) -> None:
        # Coming back to the tab: runs may have started or ended (also by another process).
        self.refresh_runs()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#runs-table", DataTable)

    def refresh_runs(self) -> None:
        """Re-read the runs folder, keeping the selection and the cursor where they were."""
        table = self.table
        cursor_name = self._highlighted_name()
        try:
            self.rows = scan_runs(self.runs_dir)
        except (OSError, CnnTuiError) as error:
            self.rows = []
            self._status(f"Cannot read the runs folder {self.runs_dir}: {error}", error=True)
        else:
            self._status(self._summary())
        names = {row.name for row in self.rows}
        self.selected = [name for name in self.selected if name in names]
        table.clear()
        for row in self.rows:
            table.add_row(*self._cells(row), key=row.name)
        if cursor_name in names:
            table.move_cursor(row=table.get_row_index(cursor_name))
        self._redraw_overlay()

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
        self._update_marks()
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
        paths = [row.path for row in targets]

        def export(path: Path | None) -> None:
            if path is None:
                return
            try:
                written = runs_index.export_histories(paths, path)
            except (CnnTuiError, OSError) as error:
                self.notify(str(error), title="Export failed", severity="error", markup=False)
                return
            self.notify(f"Exported {len(paths)} run(s) to {written}", title="Export", markup=False)

        self.app.push_screen(
            ExportScreen([row.name for row in targets], default_export_path(self.runs_dir)),
            export,
        )

    def action_open_config(self) -> None:
        """Post the highlighted run's config so the app can refill its panels."""
        name = self._highlighted_name()
        if name is None:
            return
        row = next((r for r in self.rows if r.name == name), None)
        # An unreadable run's config is not opened: its fields have the wrong types.
        config = None if row is None or row.record is None or row.record.reason else (
            files.read_json(self.runs_dir / name / rundir.CONFIG_FILE))
        if config is None:
            self.notify(f"{name} has no readable config.json to open.", severity="error",
                        markup=False)
            return
        self.post_message(self.OpenConfig(config))
        self.notify(f"Loaded the settings of {name}.", markup=False)

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
            label = f"{color_index + 1} {_legend_label(row)}"
            runs.append(OverlayRun(label, color_index, history.read_history(row.path)))
        self.query_one(RunOverlay).show_runs(runs)

    def _update_marks(self) -> None:
        table = self.table
        for row in self.rows:
            table.update_cell(row.name, "mark", self._mark(row.name))

    def _mark(self, name: str) -> Text:
        if name not in self.selected:
            return Text(" ")
        index = self.selected.index(name)
        return Text(f"●{index + 1}", style=run_color(index)[1])

    def _cells(self, row: RunRow) -> list[Any]:
        record = row.record
        if record is None or record.reason:
            broken = Text("broken" if record is None else record.state, style="red")
            return [self._mark(row.name), Text(row.name), broken, "", "", "?", "?", "?"]
        planned = "?" if record.epochs_planned is None else str(record.epochs_planned)
        best = "" if record.best_val_accuracy is None else f"{record.best_val_accuracy:.4f}"
        state_style = {"failed": "red", "interrupted": "yellow", "running": "cyan"}
        return [
            self._mark(row.name), Text(row.name),  # Text: a str cell is read as markup
            Text(record.state, style=state_style.get(record.state, "")),
            Text(best, justify="right"), f"{record.epochs_done}/{planned}",
            Text(Path(record.dataset).name or record.dataset), Text(record.model),
            Text(record.augmentation),
        ]

    def _summary(self) -> str:
        if not self.rows:
            return f"No runs in {self.runs_dir} yet: train one (t)."
        chosen = f"{len(self.selected)} selected" if self.selected else "space selects"
        text = f"{len(self.rows)} runs · {chosen}"
        name = self._highlighted_name()
        row = next((r for r in self.rows if r.name == name), None)
        if row is not None and row.record is not None and row.record.reason:
            text += f" · {row.path}: {row.record.state}, {row.record.reason}"
        elif row is not None and row.record is not None:
            text += f" · {row.name}: {row.record.augmentation} augmentation"
        elif row is not None:
            text += f" · {row.path}: {row.problem}"
        return text

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#runs-status", Static)
        status.set_class(error, "-error")
        status.update(Text(text))  # names and paths in it are not markup


def _short_label(name: str) -> str:
    """A run name without its YYYYmmdd-HHMMSS- prefix, for the legend."""
    parts = name.split("-", 2)
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
        return parts[2][:24]
    return name[:24]


def _legend_label(row: RunRow) -> str:
    """The short name plus its augmentation: the tutorial compares the same
    network with and without it, and those two runs share a name."""
    label = _short_label(row.name)
    if row.record is not None:
        label += f" (aug {row.record.augmentation})"
    return label
