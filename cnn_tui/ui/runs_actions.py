"""What the Runs tab's keys do to the rest of the app: open, continue, watch a run.

``o`` refills the panels from a run's config.json. The run folder may come
from someone else, so its dataset path is loaded only when it is a named
dataset or a path this session has already opened; any other path is shown
and the user asked first (peeking at an unknown path, a FIFO or a dead
network mount, can hang or read what it should not). ``c`` continues a run
from its checkpoint, asking for a new total of epochs when it had finished;
``w`` watches a run of another process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cnn_tui.core.augment import AugmentConfig
from cnn_tui.core.datasets import NAMED_DATASETS
from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.config import SETTING
from cnn_tui.ui.panels.augment_panel import AugmentPanel
from cnn_tui.ui.panels.dataset_panel import DatasetPanel
from cnn_tui.ui.panels.model_panel import ModelPanel
from cnn_tui.ui.panels.run_keys import ContinueRequested, OpenConfig, WatchRequested
from cnn_tui.ui.panels.train_panel import TrainPanel
from cnn_tui.ui.screens.confirm import ConfirmScreen
from cnn_tui.ui.screens.path_prompt import PathPromptScreen
from cnn_tui.ui.train_config import values_from_run_config

if TYPE_CHECKING:
    from textual.app import App

    _Base = App[None]
else:
    _Base = object


def _absolute(source: str) -> str:
    return os.path.abspath(os.path.expanduser(source))  # pure: no look at the disk


class RunsActions(_Base):
    """Handlers of the Runs tab's requests (a mixin of the app)."""

    dataset_source: str
    augment_config: AugmentConfig | None
    known_datasets: set[str]
    """Dataset paths this session has opened (given at launch, or picked in the Dataset tab)."""
    continue_run: Callable[[Path, int | None], None]
    watch_run: Callable[[Path], None]
    _show_train_tab: Callable[[], None]

    def is_known_dataset(self, source: str) -> bool:
        return source in NAMED_DATASETS or _absolute(source) in {
            _absolute(known) for known in self.known_datasets}

    # Named handlers, not @on: Textual collects @on only from its own classes, not mixins.
    def on_runs_panel_open_config(self, message: OpenConfig) -> None:
        config = message.config
        name = message.run_dir.name if message.run_dir is not None else "the run"
        dataset = config.get("dataset")
        source = dataset.get("source") if isinstance(dataset, dict) else None
        source = source if isinstance(source, str) and source.strip() else None
        if source is None or self.is_known_dataset(source):
            self._apply_run_config(config, name, source)
            return
        question = Text.assemble(
            f"{name} was trained on data at\n\n", (source, "bold"),
            "\n\nwhich this session has not opened. Load it? (n keeps the current dataset; "
            "the run's other settings are loaded either way)")
        self.push_screen(ConfirmScreen(question),
                         lambda yes: self._apply_run_config(config, name, source if yes else None))

    def _apply_run_config(self, config: Mapping[str, Any], name: str,
                          source: str | None) -> None:
        """Refill the panels from a run's config.json (its dataset only when ``source``)."""
        model = config.get("model")  # may be a plain name in a hand-written config.json
        spec = model.get("spec") if isinstance(model, dict) else None
        if isinstance(spec, dict):
            self.query_one(ModelPanel).set_spec(spec)
        if source is not None:
            self.dataset_source = source
            self.query_one(DatasetPanel).select(source)
        augmentation = config.get("augmentation")
        if isinstance(augmentation, dict):
            try:
                augment = AugmentConfig.from_dict(augmentation)
            except (CnnTuiError, TypeError, ValueError):
                augment = None
            self.augment_config = augment if augment is not None and augment.enabled else None
            self.query_one(AugmentPanel).set_config(self.augment_config)
        notes = [] if source is not None else ["the dataset was left as it was"]
        try:
            self.query_one(TrainPanel).form.set_values(values_from_run_config(config))
        except CnnTuiError as error:
            notes.append(f"its training settings could not be read ({error})")
        self._show_train_tab()
        self.notify(f"Loaded the settings of {name}" + "".join(f"; {n}" for n in notes) + ".",
                    severity="warning" if notes else "information", markup=False)

    def on_runs_panel_continue_requested(self, message: ContinueRequested) -> None:
        row = message.row
        if row.record is None or row.record.state != "finished":
            # plan_resume, in the training worker, says why when it cannot be continued.
            self.continue_run(row.path, None)
            return
        done = row.record.epochs_done

        def answer(text: str | None) -> None:
            if text is None:
                return
            try:
                total = SETTING["epochs"].parse(text)
            except CnnTuiError as error:
                self.notify(str(error), title="Not continued", severity="error", markup=False)
                return
            if total <= done:
                self.notify(f"{row.name} has already trained {done} epochs: the new total must "
                            f"be more than {done}.", title="Not continued", severity="error",
                            markup=False)
                return
            self.continue_run(row.path, total)

        self.push_screen(
            PathPromptScreen(f"{row.name} has finished its {done} epochs. Train it to how many "
                             "epochs in all?", str(done + 5), placeholder="total epochs"),
            answer,
        )

    def on_runs_panel_watch_requested(self, message: WatchRequested) -> None:
        self.watch_run(message.row.path)
