"""What the Runs tab's keys do to the rest of the app: open, continue, watch a run.

``o`` sets the app's state from a run's config.json (the tabs follow it). The run folder may come
from someone else, so its dataset path is loaded only when it is a named
dataset or a path this session has already opened; any other path is shown
and the user asked first (peeking at an unknown path, a FIFO or a dead
network mount, can hang or read what it should not). ``c`` continues a run
from its checkpoint, asking for a new total of epochs when it had finished;
``w`` watches a run of another process.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from cnn_tui.core.augment_config import AugmentConfig
from cnn_tui.core.datasets import BUNDLED_SAMPLES, NAMED_DATASETS
from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.config import SETTING
from cnn_tui.ui.app_state import AppState
from cnn_tui.ui.screens.confirm import ConfirmScreen
from cnn_tui.ui.screens.text_prompt import TextPromptScreen
from cnn_tui.ui.state import Augmentation, TrainSettings
from cnn_tui.ui.train_config import values_from_run_config

if TYPE_CHECKING:  # the Runs tab's module loads after the first frame
    from cnn_tui.ui.panels.run_keys import ContinueRequested, OpenConfig, WatchRequested


def _absolute(source: str) -> str:
    return os.path.abspath(os.path.expanduser(source))  # pure: no look at the disk


class RunsActions(AppState):
    """Handlers of the Runs tab's requests (a mixin of the app)."""

    continue_run: Callable[[Path, int | None], None]
    follow_run: Callable[[Path], None]
    _show_train_tab: Callable[[], None]

    def is_known_dataset(self, source: str) -> bool:
        return source in NAMED_DATASETS or source in BUNDLED_SAMPLES or _absolute(source) in {
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
        """Set the state from a run's config.json (its dataset only when ``source``)."""
        model = config.get("model")  # may be a plain name in a hand-written config.json
        spec = model.get("spec") if isinstance(model, dict) else None
        if isinstance(spec, dict):
            self.spec = copy.deepcopy(spec)  # the Model tab can undo it
        if source is not None:
            self.dataset_source = source  # the Dataset tab reads it
        augmentation = config.get("augmentation")
        if isinstance(augmentation, dict):
            try:
                augment = AugmentConfig.from_dict(augmentation)
            except (CnnTuiError, TypeError, ValueError):
                augment = None
            self.augmentation = (
                Augmentation(augment, on=True) if augment is not None and augment.enabled
                else Augmentation(self.augmentation.settings, on=False))
        notes = [] if source is not None else ["the dataset was left as it was"]
        try:
            values = values_from_run_config(config)
        except CnnTuiError as error:
            notes.append(f"its training settings could not be read ({error})")
        else:
            # No problem: every field the run sets reads. The form says so if one does not.
            self.train_settings = TrainSettings({**self.train_settings.values, **values})
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
            TextPromptScreen(f"{row.name} has finished its {done} epochs. Train it to how many "
                             "epochs in all?", str(done + 5), placeholder="total epochs"),
            answer,
        )

    def on_runs_panel_watch_requested(self, message: WatchRequested) -> None:
        self.follow_run(message.row.path)
