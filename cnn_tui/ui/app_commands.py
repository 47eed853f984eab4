"""The app's own commands: export the last run, the help screen, quit, the command palette.

``AppCommands`` is mixed into ``CnnTuiApp``; the keys themselves are the
app's ``BINDINGS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import SystemCommand
from textual.screen import Screen
from textual.widgets import TabbedContent

from cnn_tui.core.runs.control import StopRequest
from cnn_tui.ui.app_state import AppState
from cnn_tui.ui.color_depth import TRUE_COLOR_HOWTO, describe_color_depth
from cnn_tui.ui.panels.model_panel import ModelPanel
from cnn_tui.ui.screens.confirm import ConfirmScreen
from cnn_tui.ui.screens.export import export_runs
from cnn_tui.ui.screens.help import HelpScreen, HelpSection, describe_bindings

#: How long quitting waits for a stopping run before leaving anyway (the run
#: still finishes saving: the process waits for the training thread).
QUIT_GRACE_S = 2.5


class AppCommands(AppState):
    """Export, help, quit and the palette's commands (a mixin of the app)."""

    runs_dir: Path
    last_run_dir: Path | None
    _stop_event: StopRequest
    _quitting: bool

    def action_export(self) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active == "runs-tab":
            self.runs_panel.action_export()
            return
        if self.last_run_dir is None:
            self.notify("No run yet: train one (t), or pick runs in the Runs tab to export.")
            return
        export_runs(self, [self.last_run_dir], self.runs_dir)

    def help_sections(self) -> list[HelpSection]:
        """Every key, grouped by where it works (the help screen's content)."""
        from cnn_tui.ui.panels.augment_panel import AugmentPanel
        from cnn_tui.ui.panels.dataset_panel import DatasetPanel
        from cnn_tui.ui.panels.inspect_panel import InspectPanel
        from cnn_tui.ui.panels.runs_panel import RunsPanel
        from cnn_tui.ui.widgets.confusion_view import ConfusionView
        from cnn_tui.ui.widgets.inside_view import InsideView
        from cnn_tui.ui.widgets.mistakes_gallery import MistakesGallery

        sections: list[HelpSection] = [
            ("Anywhere (not while typing in a field)", describe_bindings(self.BINDINGS)
             + [("ctrl+p", "command palette: every action by name"),
                ("tab, shift+tab", "move focus; ←/→ on the tab bar switch tabs")]),
            ("Model tab (layer table)", describe_bindings(ModelPanel.BINDINGS)),
            ("Dataset tab", describe_bindings(DatasetPanel.BINDINGS)
             + [("enter", "load the typed path or the highlighted dataset")]),
            ("Augment tab", describe_bindings(AugmentPanel.BINDINGS)),
            ("Runs tab", describe_bindings(RunsPanel.BINDINGS)),
            ("Inspect tab", describe_bindings(InspectPanel.BINDINGS)),
            ("Inspect tab: matrix", describe_bindings(ConfusionView.BINDINGS)
             + [("↑ ↓ ← →, pgup, pgdn", "scroll")]),
            ("Inspect tab: mistakes", describe_bindings(MistakesGallery.BINDINGS)),
            ("Inspect tab: feature maps", describe_bindings(InsideView.BINDINGS)),
            (f"Colours (now: {describe_color_depth(self.console)})", TRUE_COLOR_HOWTO),
        ]
        return [(title, rows) for title, rows in sections if rows]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_sections()))

    async def action_quit(self) -> None:
        if not self.training:
            # Shutting down while the hidden tabs' panels mount breaks their
            # widgets' own mount handlers: a q typed that early quits just after.
            if self.when_panels_mounted(self.exit):
                self.exit()
            return

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            self._quitting = True
            if self.start_pending:
                self.exit()
                return
            self._stop_event.request("stopped")
            self.train_panel.show_state("stopping and saving, then quitting…")
            self.set_timer(QUIT_GRACE_S, self.exit)

        self.push_screen(
            ConfirmScreen("A run is training. Stop it at the next batch, save it and quit?"),
            answer,
        )

    def get_system_commands(self, screen: Screen) -> Any:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Start training", "Train the model (t)",
                            self.action_start_training)  # type: ignore[attr-defined]
        yield SystemCommand("Stop training", "Stop the run at the next batch, saving it (s)",
                            self.action_stop_training)  # type: ignore[attr-defined]
        yield SystemCommand("Export history", "Export run histories to CSV (e)",
                            self.action_export)
        yield SystemCommand("Keys", "Show every key (?)", self.action_help)
        model = self.query_one(ModelPanel)
        for name in ("save_spec", "load_spec", "undo", "redo"):
            action = getattr(model, f"action_{name}")
            yield SystemCommand(name.replace("_", " ").capitalize(),
                                "Model: " + name.replace("_", " "), action)
