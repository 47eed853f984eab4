"""The panels of the tabs hidden at start, mounted just after the first frame.

The first frame shows the Model tab's shape table, which needs only Textual and
the core's pure-Python shape inference. The other tabs' panels bring numpy
(image grids), plotext (curves), the run index and the inspect package with them, so their modules
are imported here, after that frame, instead of at the app's import. Until
they are mounted, ``AppState.train_panel`` and its kind find nothing; a key
cannot reach them first, since the mount is queued before any key pressed
after the first frame.
"""

from __future__ import annotations

from pathlib import Path

from textual.widget import Widget

from cnn_tui.ui.app_state import AppState


def hidden_tab_panels(app: AppState, runs_dir: Path) -> dict[str, Widget]:
    """The panel of each hidden tab, by tab id, bound to the state it renders.

    Call it from the app's own message loop: ``data_bind`` binds to the
    message pump that is running.
    """
    from cnn_tui.ui.panels.augment_panel import AugmentPanel
    from cnn_tui.ui.panels.dataset_panel import DatasetPanel
    from cnn_tui.ui.panels.inspect_panel import InspectPanel
    from cnn_tui.ui.panels.runs_panel import RunsPanel
    from cnn_tui.ui.panels.train_panel import TrainPanel

    state = AppState
    return {
        "dataset-tab": DatasetPanel(app.dataset_source, notice=app.dataset_notice).data_bind(
            source=state.dataset_source, info=state.dataset_info,
            samples=state.dataset_samples),
        "augment-tab": AugmentPanel().data_bind(
            state.augmentation, state.keras_ready, samples=state.dataset_samples),
        "train-tab": TrainPanel(app.train_settings.values).data_bind(
            state.run_state, state.report, state.runs_dir_problem, state.train_settings),
        "runs-tab": RunsPanel(runs_dir).data_bind(state.run_state),
        "inspect-tab": InspectPanel().data_bind(state.inspect_target, state.ended_run),
    }
