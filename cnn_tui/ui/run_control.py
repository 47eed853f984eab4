"""Training from the app: start (queued while TensorFlow loads), continue, stop, hang-up.

``RunControl`` is mixed into ``CnnTuiApp``. A run is built from the app's
state (``spec``, ``dataset_source``, ``augmentation``, ``train_settings``),
and ``run_state`` says where it is: ``waiting`` for TensorFlow, ``training``
until its end event. The worker thread runs the engine's ``run_training``
(after ``plan_resume`` for a continued run) and posts one message per
event; ``RunEvents`` (run_events.py) shows them. The thread never touches
a widget, and stops within one batch when ``_stop_event`` is set.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from textual import work

from cnn_tui.core.backend import backend_name
from cnn_tui.core.errors import CnnTuiError, ConfigError
from cnn_tui.core.native_log import NativeStderr
from cnn_tui.core.runs.control import StopRequest
from cnn_tui.ui.messages import TerminalLost, TrainingRefused, message_for
from cnn_tui.ui.options import LaunchOptions, runs_dir_problem
from cnn_tui.ui.state import RunState
from cnn_tui.ui.thread_priority import in_lowered_thread
from cnn_tui.ui.train_config import build_train_config
from cnn_tui.ui.watch_control import WatchControl

Resume = tuple[Path, "int | None"]
"""A run to continue and its new total of epochs (None: as planned)."""


class RunControl(WatchControl):
    """The training half of the app (a mixin: the app provides the attributes below).

    A run starting here ends the watching of another process's run
    (``WatchControl``), and ``s`` asks a watched run to stop when none trains here.
    """

    options: LaunchOptions
    load_keras: bool
    runs_dir: Path
    native_log: NativeStderr | None
    _stop_event: StopRequest
    _quitting: bool
    _queued_resume: Resume | None
    """The run to continue once TensorFlow has loaded (while ``run_state`` is waiting)."""

    def action_start_training(self) -> None:
        if self.training:
            self.notify("A run is already training; press s to stop it first.")
            return
        if not self.report.ok:
            self.notify(self.report.errors[0], title="Fix the model first", severity="error",
                        markup=False)
            return
        if self.train_settings.problem:
            self.notify(self.train_settings.problem, title="Fix the training settings",
                        severity="error", markup=False)
            return
        if not self._runs_dir_usable():
            return
        self._queue_or_start(None, "starting…")

    def continue_run(self, run_dir: Path, epochs: int | None) -> None:
        """Go on training ``run_dir`` (to ``epochs`` in all, or as it planned)."""
        if self.training:
            self.notify("A run is already training; stop it (s) before continuing another.")
            return
        self._queue_or_start((run_dir, epochs), f"continuing {run_dir.name}…")

    def _runs_dir_usable(self) -> bool:
        if self.runs_dir_problem:  # maybe fixed since: look again
            self.runs_dir_problem = runs_dir_problem(self.runs_dir)
        if self.runs_dir_problem:
            self.notify(self.runs_dir_problem, title="Cannot train", severity="error",
                        timeout=10, markup=False)
            return False
        return True

    def _queue_or_start(self, resume: Resume | None, text: str) -> None:
        if not self.when_panels_mounted(lambda: self._queue_or_start(resume, text)):
            return
        self._stop_watching()
        self._show_train_tab()
        self._queued_resume = resume
        train = self.train_panel
        if self.load_keras and not self.keras_ready:
            self.run_state = RunState("waiting")
            name = backend_name()
            train.show_state(f"waiting for {name} to load; the run starts when it is ready")
            self.notify(f"Training starts as soon as {name} has loaded.")
            return
        train.show_state(text)
        self._start_run()

    def _start_run(self) -> None:
        """Start the queued run: a continued one, or the one the app's state describes."""
        resume, self._queued_resume = self._queued_resume, None
        config = None
        if resume is None:
            try:
                if self.train_settings.problem:  # changed while TensorFlow loaded
                    raise ConfigError(self.train_settings.problem)
                config = build_train_config(
                    dataset=self.dataset_source, spec=self.spec,
                    augment=self.augment_config, values=self.train_settings.values,
                    runs_dir=self.runs_dir)
            except CnnTuiError as exc:
                self.run_state = RunState()
                self.train_panel.run_ended(str(exc), error=True)
                return
        self._stop_event = StopRequest()
        self.run_state = RunState("training")
        self._train(config, self._stop_event, resume)

    @work(thread=True, group="training", exit_on_error=False, description="training a model")
    def _train(self, config: Any, stop_event: StopRequest, resume: Resume | None) -> None:
        from cnn_tui.core.backend import start_keras
        from cnn_tui.core.runs.placement import cpu_split
        from cnn_tui.core.runs.resume import plan_resume
        from cnn_tui.core.runs.runner import run_training

        # Keys first: the backend's thread pools start (if the app has not started them)
        # with a lower priority than the UI thread's. A failure to import is reported
        # by run_training itself.
        # A new run's --devices cpu:N splits the CPU, if the app has not started TensorFlow.
        split = cpu_split(config.devices) if config is not None else 1
        with contextlib.suppress(Exception):
            in_lowered_thread(lambda: start_keras(split))
        point = None
        if resume is not None:
            try:
                config, point = plan_resume(resume[0], epochs=resume[1])
            except CnnTuiError as error:
                self._post(TrainingRefused(str(error)))
                return
        run_training(config, lambda event: self._post(message_for(event)), stop_event,
                     native_log=self.native_log, resume=point, kind="tui")

    def action_stop_training(self) -> None:
        if self.start_pending:
            self.run_state = RunState()
            self._queued_resume = None
            self.train_panel.run_ended("cancelled before it started")
            return
        if not self.training:
            if not self._ask_watched_run_to_stop():
                self.notify("Nothing is training.")
            return
        self._stop_event.request("stopped")
        self.train_panel.show_state("stopping at the next batch…")

    def on_terminal_lost(self, message: TerminalLost) -> None:
        """The terminal is gone: leave, and let a run finish or stop as the user chose."""
        if self.run_state.phase == "training" and self._hangup_choice() == "stop":
            self._stop_event.request(message.reason)
        # With "finish" the training thread goes on: the process waits for it (launch.py).
        # A run still waiting for TensorFlow never started: there is nothing to keep.
        self._quitting = True
        self._exit_once_mounted()

    def _exit_once_mounted(self) -> None:
        """Exit, but not before the hidden tabs' panels are in: Textual raises MountError
        when it exits mid-mount (a hang-up can come in the app's first second)."""
        if not self.panels_mounted:
            self.set_timer(0.05, self._exit_once_mounted)
            return
        self.exit()

    def _hangup_choice(self) -> str:
        """The Train tab's "on hang-up" now (it may have changed since the run began)."""
        return str(self.train_settings.values.get("on_hangup", self.options.on_hangup))

    def on_train_panel_start_requested(self) -> None:
        self.action_start_training()

    def on_train_panel_stop_requested(self) -> None:
        self.action_stop_training()
