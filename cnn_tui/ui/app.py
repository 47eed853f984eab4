"""The cnn-tui Textual app: tabs for dataset, model, augmentation, training, runs and inspection.

The app holds the state the tabs show, each piece once (``app_state.py``);
each tab is bound to the pieces it renders and posts messages to change
them. The app owns its worker threads: one imports Keras and its backend right after the
first paint (the header says when it is ready), one trains
(``run_control.py``, its messages shown by ``run_events.py``), one follows
a run of another process (``watch_control.py``), and the Runs tab reads
the runs folder in its own. The threads never touch a widget: every change
on screen happens in a message handler, on the UI thread. What the Runs
tab's keys do is in ``runs_actions.py``; which run the Inspect tab shows, in
``inspect_actions.py``; export, help and quit in
``app_commands.py``; what a lost terminal does in ``hangup.py``.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Header, TabbedContent, TabPane, Tabs

from cnn_tui.core.augment_config import AugmentConfig, parse_augment
from cnn_tui.core.backend import TENSORFLOW, backend_name
from cnn_tui.core.datasets import DatasetInfo, peek_dataset
from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.native_log import NativeStderr
from cnn_tui.core.runs.control import StopRequest
from cnn_tui.core.spec import load_spec
from cnn_tui.ui.app_commands import AppCommands
from cnn_tui.ui.color_depth import apply_color_choice
from cnn_tui.ui.hangup import CHECK_INTERVAL_S, TerminalGuard
from cnn_tui.ui.heap import freeze_long_lived
from cnn_tui.ui.inspect_actions import InspectActions
from cnn_tui.ui.messages import KerasFailed, KerasReady, TerminalLost
from cnn_tui.ui.options import LaunchOptions, runs_dir_problem, starting_dataset
from cnn_tui.ui.panels.model_panel import ModelPanel
from cnn_tui.ui.run_control import RunControl
from cnn_tui.ui.run_events import RunEvents
from cnn_tui.ui.runs_actions import RunsActions
from cnn_tui.ui.state import Augmentation, RunState, TrainSettings
from cnn_tui.ui.tab_panels import hidden_tab_panels
from cnn_tui.ui.thread_priority import in_lowered_thread
from cnn_tui.ui.widgets.key_footer import KeyFooter

TAB_IDS = ("dataset-tab", "model-tab", "augment-tab", "train-tab", "runs-tab", "inspect-tab")


class CnnTuiApp(AppCommands, InspectActions, RunsActions, RunEvents, RunControl, App[None]):
    """Build, train and compare CNNs from the terminal."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "cnn-tui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS = [
        Binding("t", "start_training", "Train",
                tooltip="start training (waits for Keras if it is still loading)"),
        Binding("s", "stop_training", "Stop",
                tooltip="stop the run at the next batch; the model is saved"),
        Binding("e", "export", "Export",
                tooltip="export to CSV: the selected runs on the Runs tab, else the last run"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="this help"),
        Binding("q", "quit", "Quit", tooltip="quit (asks first while a run is training)"),
        *(
            Binding(str(number), f"show_tab('{tab}')", f"{tab.split('-')[0]} tab", show=False,
                    tooltip=f"show the {tab.split('-')[0].capitalize()} tab")
            for number, tab in enumerate(TAB_IDS, start=1)
        ),
    ]

    def __init__(self, options: LaunchOptions | None = None, *,
                 load_keras: bool = True, native_log: NativeStderr | None = None,
                 terminal: TerminalGuard | None = None) -> None:
        """``load_keras=False`` skips the start-up import (snapshots, fast tests);
        a run then imports Keras itself when it starts. ``native_log`` is the
        session's fd-2 redirection (see launch.py); runs point it at their own log.
        ``terminal``: the stream Textual draws on, which tells the app when the
        terminal goes away (hangup.py)."""
        super().__init__()
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # The tab bar's sliding underline paints ~20 frames per tab switch;
            # while a run trains, each frame takes the UI thread from the keys
            # and the GIL from training. TEXTUAL_ANIMATIONS=full brings it back.
            self.animation_level = "none"
        self.native_log = native_log
        self.terminal = terminal
        self.options = options or LaunchOptions()
        apply_color_choice(self.console, self.options.color)  # --color, before any frame
        self.load_keras = load_keras
        self.runs_dir = Path(self.options.runs_dir)
        self._startup_problems: list[str] = []
        """Bad launch options, shown as notifications once the app is up."""
        source, notice = starting_dataset(self.options)
        self.set_initial_state(
            spec=self._initial_spec(), dataset_source=source, dataset_notice=notice,
            dataset_info=self._initial_info(source),
            augmentation=self._initial_augmentation(),
            train_settings=TrainSettings(self.options.train_values()),
            runs_dir_problem=runs_dir_problem(self.runs_dir))
        self.last_run_dir: Path | None = None
        """The run trained last here: what ``e`` exports off the Runs tab."""
        self._stop_event = StopRequest()
        self._queued_resume: tuple[Path, int | None] | None = None
        self._quitting = False

    # -- start-up ---------------------------------------------------------------

    def _initial_augmentation(self) -> Augmentation:
        augment = self.options.augment
        if isinstance(augment, str) and augment:
            try:
                augment = parse_augment(augment)
            except CnnTuiError as exc:
                self._startup_problems.append(str(exc))
                augment = None
        if isinstance(augment, AugmentConfig) and augment.enabled:
            return Augmentation(augment, on=True)
        return Augmentation()

    def _initial_spec(self) -> dict[str, Any]:
        try:
            return load_spec(self.options.model)
        except CnnTuiError as exc:
            self._startup_problems.append(str(exc))
            return load_spec("seed-cnn")

    def _initial_info(self, source: str) -> DatasetInfo | None:
        try:
            return peek_dataset(source)
        except CnnTuiError as exc:
            self._startup_problems.append(str(exc))
            return None  # the shapes are inferred for FALLBACK_INPUT meanwhile

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="model-tab", id="tabs"):
            # Only the Model tab's panel is in the first frame; the others are
            # mounted just after it (tab_panels.py). Each is bound to its state.
            yield TabPane("Dataset", id="dataset-tab")
            with TabPane("Model", id="model-tab"):
                yield ModelPanel().data_bind(CnnTuiApp.spec, CnnTuiApp.dataset_info,
                                            CnnTuiApp.train_settings)
            yield TabPane("Augment", id="augment-tab")
            yield TabPane("Train", id="train-tab")
            yield TabPane("Runs", id="runs-tab")
            yield TabPane("Inspect", id="inspect-tab")
        yield KeyFooter(compact=True)

    async def _mount_hidden_panels(self) -> None:
        for tab, panel in hidden_tab_panels(self, self.runs_dir).items():
            await self.query_one(f"#{tab}", TabPane).mount(panel)
        self.panels_now_mounted()

    def on_mount(self) -> None:
        self.query_one(ModelPanel).table.focus()
        self.call_after_refresh(self._mount_hidden_panels)
        for problem in self._startup_problems:
            self.notify(problem, severity="error", timeout=10, markup=False)
        if self.dataset_notice:  # the Dataset tab keeps saying it
            self.notify(self.dataset_notice, title=f"Dataset: {self.dataset_source}",
                        timeout=15, markup=False)
        if self.runs_dir_problem:  # the Train tab says it too, while nothing runs
            self.notify(self.runs_dir_problem, title="Runs cannot be saved", severity="error",
                        timeout=30, markup=False)
        if self.terminal is not None:
            self.terminal.tell(asyncio.get_running_loop(),
                               lambda reason: self.post_message(TerminalLost(reason)))
            self.set_interval(CHECK_INTERVAL_S, self.terminal.check)  # an idle screen too
        if self.load_keras:
            self.sub_title = f"loading {backend_name()}…"
            # Import after the first frame: the import holds the GIL for seconds and
            # would otherwise delay the first paint.
            self.call_after_refresh(self._load_keras)
        else:
            self.sub_title = f"{backend_name()} loads when training starts"

    def on_unmount(self) -> None:
        if self.terminal is not None:
            self.terminal.listener = None

    @work(thread=True, group="keras", exit_on_error=False, description="loading Keras")
    def _load_keras(self) -> None:
        try:
            from cnn_tui.core.backend import start_keras
            from cnn_tui.core.runs.placement import cpu_split

            # The backend's thread pools start in a thread of lower priority than the UI's.
            # --devices cpu:N splits the CPU now: the split is fixed once the runtime runs.
            split = cpu_split(self.options.devices)
            backend, names = in_lowered_thread(lambda: start_keras(split))
        except Exception as exc:  # noqa: BLE001 - any import failure is reported, not raised
            self.post_message(KerasFailed(f"{type(exc).__name__}: {exc}"))
            return
        # The libraries' objects live as long as the app: no run's collections walk them.
        freeze_long_lived(collect_first=True)
        gpus = [name.rsplit(":", 1)[-1] for name in names if name.startswith("GPU")]
        split = split if backend in (TENSORFLOW, "jax") else 1  # torch does not split it
        device = (f"GPUs {', '.join(gpus)}" if len(gpus) > 1 else f"GPU {gpus[0]}" if gpus
                  else f"CPU as {split} devices" if split > 1 else "CPU")
        self.post_message(KerasReady(backend_name(backend), device))

    def on_keras_ready(self, message: KerasReady) -> None:
        self.keras_ready = True
        self.sub_title = f"{message.backend} ready ({message.device})"
        if self.start_pending:
            self._start_run()

    def on_keras_failed(self, message: KerasFailed) -> None:
        name = backend_name()
        self.sub_title = f"{name} failed to load"
        if self.start_pending:
            self.run_state = RunState()
            self._queued_resume = None
        # Later starts try the import again inside the run, which reports its own failure.
        self.load_keras = False
        package = {"TensorFlow": "tensorflow", "JAX": "'cnn-tui[jax]'",
                   "PyTorch": "'cnn-tui[torch]'"}.get(name, name)
        self.train_panel.run_ended(
            f"{name} could not be imported ({message.message}); "
            f"reinstall it with pip install {package}.", error=True)

    # -- tabs -------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        """Show ``tab`` and focus its main list, else the tab bar: never a text field,
        so the one-letter keys keep working."""
        tabs = self.query_one(TabbedContent)
        tabs.active = tab
        target = {"dataset-tab": "#dataset-list", "model-tab": "#layer-table",
                  "augment-tab": "AugmentPanel Switch", "runs-tab": "#runs-table",
                  "inspect-tab": "InspectPanel .-shown"}.get(tab)
        found = self.query(target) if target else None
        self.set_focus(found.first() if found else tabs.query_one(Tabs))
