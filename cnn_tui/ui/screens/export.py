"""Exporting runs' histories as one CSV: the prompt for where, and the export itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs import paths


def default_export_path(runs_dir: Path, now: datetime | None = None) -> Path:
    """``<runs_dir>/export-YYYYmmdd-HHMMSS.csv``."""
    return runs_dir / f"export-{(now or datetime.now()):%Y%m%d-%H%M%S}.csv"


def check_export_path(text: str) -> str | None:
    """Why ``text`` cannot be written as the CSV, or None when it can (the engine's check:
    no folder, no missing folder, nothing inside a run directory)."""
    text = text.strip()
    if not text:
        return "Type a file path for the CSV, e.g. runs/export.csv."
    try:
        paths.check_export_path(text)
    except CnnTuiError as error:
        return str(error)
    return None


class ExportScreen(ModalScreen[Path | None]):
    """Asks for the CSV path; enter exports (dismisses with the path), escape cancels."""

    DEFAULT_CSS = """
    ExportScreen {
        align: center middle;
    }
    ExportScreen > Vertical {
        width: 80%;
        min-width: 40;
        max-width: 100;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ExportScreen #export-runs { color: $text-muted; max-height: 4; }
    ExportScreen #export-error { color: $error; height: auto; }
    ExportScreen .hint { color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, run_names: Sequence[str], default_path: Path) -> None:
        super().__init__()
        self.run_names = list(run_names)
        self.default_path = default_path

    def compose(self) -> ComposeResult:
        count = len(self.run_names)
        with Vertical():
            yield Label(f"Export the history of {count} run{'s' * (count != 1)} to one CSV:")
            yield Static(Text(", ".join(self.run_names)), id="export-runs")  # not markup
            yield Input(str(self.default_path), id="export-path")
            yield Static(id="export-error")
            yield Label("enter to export, escape to cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = check_export_path(event.value)
        if problem is not None:
            self.query_one("#export-error", Static).update(Text(problem))
            return
        self.dismiss(Path(event.value.strip()).expanduser())

    def action_cancel(self) -> None:
        self.dismiss(None)


def export_runs(app: App, run_dirs: Sequence[Path], runs_dir: Path) -> None:
    """Ask where, then write the histories of ``run_dirs`` to one CSV; a notification says
    how it went (names and paths in it are never markup)."""
    from cnn_tui.core.runs.index import export_histories

    def export(path: Path | None) -> None:
        if path is None:
            return
        try:
            written = export_histories(list(run_dirs), path)
        except (CnnTuiError, OSError) as error:
            app.notify(str(error), title="Export failed", severity="error", markup=False)
            return
        what = run_dirs[0].name if len(run_dirs) == 1 else f"{len(run_dirs)} runs"
        app.notify(f"Exported {what} to {written}.", title="Export", markup=False)

    app.push_screen(ExportScreen([path.name for path in run_dirs],
                                 default_export_path(runs_dir)), export)
