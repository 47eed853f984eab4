"""The Runs tab's keys that act on the highlighted run: open its settings, continue it, watch
it, inspect it.

The panel only says what was asked for, with a message; the app, which owns
the other panels and the training, decides what it does (runs_actions.py).
The messages keep the ``runs_panel`` namespace (handlers
``on_runs_panel_open_config``...) and are also ``RunsPanel.OpenConfig``...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message

from cnn_tui.core.runs import files, rundir
from cnn_tui.ui.panels.runs_rows import RunRow

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:
    _Base = object


@dataclass
class OpenConfig(Message, namespace="runs_panel"):
    """The user asked to load this run's ``config.json`` back into the panels."""

    config: dict[str, Any]
    run_dir: Path | None = None


@dataclass
class ContinueRequested(Message, namespace="runs_panel"):
    """Continue this run (the app asks for a new total when it has finished)."""

    row: RunRow


@dataclass
class WatchRequested(Message, namespace="runs_panel"):
    """Follow this running run of another process on the Train tab."""

    row: RunRow


@dataclass
class InspectRequested(Message, namespace="runs_panel"):
    """Show this run's model on the Inspect tab (the app checks that it has one)."""

    row: RunRow


class RunKeys(_Base):
    """``o``, ``c``, ``w`` and ``i`` on the highlighted run (a mixin of ``RunsPanel``)."""

    _highlighted_row: Callable[[], RunRow | None]
    """RunsPanel's: the row under the cursor."""

    def action_open_config(self) -> None:
        """Post the highlighted run's config so the app can refill its panels."""
        row = self._highlighted_row()
        if row is None:
            return
        # An unreadable run's config is not opened: its fields have the wrong types.
        unreadable = row.record is None or bool(row.record.reason)
        config = None if unreadable else files.read_json(row.path / rundir.CONFIG_FILE)
        if config is None:
            self.notify(f"{row.name} has no readable config.json to open.", severity="error",
                        markup=False)
            return
        self.post_message(OpenConfig(config, row.path))

    def action_continue_run(self) -> None:
        row = self._highlighted_row()
        if row is not None:
            self.post_message(ContinueRequested(row))

    def action_watch_run(self) -> None:
        row = self._highlighted_row()
        if row is None:
            return
        if not row.running:
            state = row.record.state if row.record is not None else "not a readable run"
            self.notify(f"{row.name} is not running ({state}): there is nothing to watch.",
                        severity="warning", markup=False)
            return
        self.post_message(WatchRequested(row))

    def action_inspect_run(self) -> None:
        row = self._highlighted_row()
        if row is not None:
            self.post_message(InspectRequested(row))
