"""The export prompt: where to write the chosen runs' histories as one CSV."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
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
