"""Which run the Inspect tab shows: ``i`` on the Runs tab, ``l`` on the Inspect tab.

Both post a message; here the app checks the run with the cheap
``open_run`` (config.json and the saved model's state, no TensorFlow): a run
without a model is refused in one sentence where the key was pressed, else
``inspect_target`` is set (the Inspect tab, bound to it, loads the run) and
the tab is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.ui.app_state import AppState
from cnn_tui.ui.state import InspectTarget

if TYPE_CHECKING:  # the panels load after the first frame
    from cnn_tui.ui.panels.inspect_panel import InspectPanel
    from cnn_tui.ui.panels.run_keys import InspectRequested


class InspectActions(AppState):
    """Handlers of the requests to inspect a run (a mixin of the app)."""

    action_show_tab: Callable[[str], None]

    def inspect(self, run_dir: Path) -> None:
        """Show ``run_dir`` on the Inspect tab, or say why it cannot be."""
        from cnn_tui.core.inspect import open_run

        try:
            open_run(run_dir)
        except CnnTuiError as error:
            self.notify(str(error), title="Cannot inspect", severity="error", timeout=10,
                        markup=False)
            return
        asked = 0 if self.inspect_target is None else self.inspect_target.asked + 1
        self.inspect_target = InspectTarget(run_dir, asked)
        self.action_show_tab("inspect-tab")

    # Named handlers, not @on: Textual collects @on only from its own classes, not mixins.
    def on_runs_panel_inspect_requested(self, message: InspectRequested) -> None:
        self.inspect(message.row.path)

    def on_inspect_panel_run_chosen(self, message: InspectPanel.RunChosen) -> None:
        self.inspect(message.run_dir)
