"""The app's state, each piece held once, and the messages that change it.

``AppState`` is mixed into ``CnnTuiApp``. Every piece is a reactive here;
the panels are bound to the pieces they show (``data_bind`` in the app's
``compose``) and render them in their watchers, and they post a message
to change one. Panels never read one another's widgets: what the Augment
tab previews, for instance, is ``dataset_samples``, which the Dataset tab
posted. The table of who renders what is in docs/ARCHITECTURE.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.reactive import reactive

from cnn_tui.core.augment_config import AugmentConfig
from cnn_tui.core.datasets import DatasetInfo
from cnn_tui.core.shapes import ShapeReport, infer_shapes
from cnn_tui.ui.state import (
    Augmentation,
    InspectTarget,
    RunState,
    Samples,
    TrainSettings,
    model_input,
)

if TYPE_CHECKING:
    from textual.app import App

    from cnn_tui.ui.panels.augment_panel import AugmentPanel
    from cnn_tui.ui.panels.dataset_panel import DatasetPanel
    from cnn_tui.ui.panels.model_panel import ModelPanel
    from cnn_tui.ui.panels.runs_panel import RunsPanel
    from cnn_tui.ui.panels.train_panel import TrainPanel
    from cnn_tui.ui.widgets.settings_form import SettingsForm

    _Base = App[None]
else:
    _Base = object


def _no_report() -> ShapeReport:
    """The report of an empty model; the app sets the real one before it composes."""
    return infer_shapes({"layers": []}, *model_input(None))


class AppState(_Base):
    """The state of the app (a mixin: ``CnnTuiApp`` sets the values it starts with)."""

    spec: reactive[dict[str, Any]] = reactive(dict, repaint=False, init=False)
    """The model being built: what the Model tab shows and edits, and what a run trains."""

    dataset_source: reactive[str] = reactive("", repaint=False, init=False)
    """The dataset a run trains on: a name or a path, as typed or as a run recorded it."""

    dataset_info: reactive[DatasetInfo | None] = reactive(None, repaint=False, init=False)
    """What ``peek_dataset`` said of the last dataset that could be read, which is
    ``dataset_source`` once its peek is back; None while none could be."""

    dataset_samples: reactive[Samples | None] = reactive(None, repaint=False, init=False)
    """A few real training images of the dataset: the Dataset tab's grid and the
    Augment tab's preview."""

    augmentation: reactive[Augmentation] = reactive(Augmentation, repaint=False, init=False)
    """The Augment tab's switch and settings."""

    train_settings: reactive[TrainSettings] = reactive(TrainSettings, repaint=False,
                                                       init=False)
    """The Train tab's fields, read; a run starts only when ``problem`` is empty."""

    report: reactive[ShapeReport] = reactive(_no_report, repaint=False, init=False)
    """The shapes of ``spec`` on ``dataset_info``'s input (kept in step by the watchers
    below): a run starts only from a model whose report is ``ok``."""

    run_state: reactive[RunState] = reactive(RunState, repaint=False, init=False)
    """Whether a run trains here (or waits for TensorFlow), or the Train tab watches one."""

    keras_ready: reactive[bool] = reactive(False, repaint=False, init=False)
    """TensorFlow and Keras are imported (the Augment tab's preview needs them)."""

    runs_dir_problem: reactive[str] = reactive("", repaint=False, init=False)
    """Why runs cannot be saved in the runs folder; "" when they can."""

    inspect_target: reactive[InspectTarget | None] = reactive(None, repaint=False, init=False)
    """The run the Inspect tab shows (``i`` on the Runs tab, ``l`` on the Inspect tab)."""

    ended_run: reactive[Path | None] = reactive(None, repaint=False, init=False)
    """The last run that finished or stopped in this session: the Inspect tab offers it."""

    panels_mounted: bool = False
    """The hidden tabs' panels are in (just after the first frame; tab_panels.py)."""
    _after_panels: list[Callable[[], object]]
    """What keys pressed before they were in asked for, done once they are."""

    known_datasets: set[str]
    """Dataset paths this session has opened (given at launch, or read in the Dataset tab)."""

    dataset_notice: str
    """Why the app opened on another dataset than the one asked for (a bundled sample
    instead of a named dataset it cannot load), or ""; the Dataset tab shows it."""

    # -- what the state means -------------------------------------------------

    @property
    def training(self) -> bool:
        """A run is queued or training. Follows the run's own end event rather than
        the worker's state, which lags behind it while the thread winds down."""
        return self.run_state.busy

    @property
    def start_pending(self) -> bool:
        """Start was asked for while TensorFlow was still loading."""
        return self.run_state.phase == "waiting"

    @property
    def augment_config(self) -> AugmentConfig | None:
        """What a run uses for augmentation: an ``AugmentConfig``, or None when it is off."""
        return self.augmentation.config

    # -- the hidden tabs' panels ------------------------------------------------
    # They are mounted just after the first frame (``tab_panels.py``), so their
    # modules are imported only then: these find them without importing them first.

    def when_panels_mounted(self, action: Callable[[], object]) -> bool:
        """Whether the hidden tabs' panels are in; if not, ``action`` runs once they are
        (a ``t`` typed ahead of the first frame still starts a run)."""
        if not self.panels_mounted:
            self._after_panels.append(action)
        return self.panels_mounted

    def panels_now_mounted(self) -> None:
        self.panels_mounted = True
        waiting, self._after_panels = self._after_panels, []
        for action in waiting:
            action()

    @property
    def train_panel(self) -> TrainPanel:
        from cnn_tui.ui.panels.train_panel import TrainPanel

        return self.query_one(TrainPanel)

    @property
    def runs_panel(self) -> RunsPanel:
        from cnn_tui.ui.panels.runs_panel import RunsPanel

        return self.query_one(RunsPanel)

    # -- derived state --------------------------------------------------------

    def watch_spec(self) -> None:
        self._infer_report()

    def watch_dataset_info(self) -> None:
        self._infer_report()

    def _infer_report(self) -> None:
        self.report = infer_shapes(self.spec, *model_input(self.dataset_info))

    # -- the panels' messages (named handlers: Textual collects @on only from its own
    # classes, not from mixins) ------------------------------------------------

    def on_model_panel_spec_changed(self, message: ModelPanel.SpecChanged) -> None:
        self.spec = message.spec

    def on_dataset_panel_selected(self, message: DatasetPanel.Selected) -> None:
        """A dataset was read in the Dataset tab: the model's shapes follow it."""
        self.known_datasets.add(message.source)
        self.dataset_source = message.source
        self.dataset_info = message.info

    def on_dataset_panel_samples_loaded(self, message: DatasetPanel.SamplesLoaded) -> None:
        self.dataset_samples = Samples(message.source, message.images, tuple(message.labels))

    def on_augment_panel_changed(self, message: AugmentPanel.Changed) -> None:
        self.augmentation = message.augmentation

    def on_settings_form_changed(self, message: SettingsForm.Changed) -> None:
        self.train_settings = message.settings

    def set_initial_state(self, *, spec: dict[str, Any], dataset_source: str,
                          dataset_info: DatasetInfo | None, augmentation: Augmentation,
                          train_settings: TrainSettings, runs_dir_problem: str,
                          dataset_notice: str = "") -> None:
        """The values the app starts with, set without calling a watcher (nothing is
        mounted yet); the panels get them when their bindings start."""
        self.set_reactive(AppState.spec, spec)
        self.set_reactive(AppState.dataset_source, dataset_source)
        self.set_reactive(AppState.dataset_info, dataset_info)
        self.set_reactive(AppState.report, infer_shapes(spec, *model_input(dataset_info)))
        self.set_reactive(AppState.augmentation, augmentation)
        self.set_reactive(AppState.train_settings, train_settings)
        self.set_reactive(AppState.runs_dir_problem, runs_dir_problem)
        self.known_datasets = {dataset_source}
        self.dataset_notice = dataset_notice
        self._after_panels = []
