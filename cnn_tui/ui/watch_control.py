"""Watching a run of another process: the Train tab follows it from its files.

``w`` on the Runs tab starts a thread worker that reads the run's
``status.json`` and ``history.csv`` (``core/runs/watch.RunReader``) every
``WATCH_INTERVAL_S`` (rates.py) and posts each look as a replaceable ``WatchUpdate``;
the handler here, on the UI thread, hands it to the Train tab, and ends the
watching (``run_state`` back to idle) when the run has ended. ``s`` while
watching asks that run to stop (``control.request_stop``, also from a
thread: it writes into the run's folder). Watching ends when the run ends,
or when a run starts here (``RunControl``, built on this class).
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from textual import work
from textual.message import Message
from textual.widgets import TabbedContent
from textual.worker import get_current_worker

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.watch import RunReader
from cnn_tui.ui.app_state import AppState
from cnn_tui.ui.messages import StopAnswered, WatchUpdate
from cnn_tui.ui.rates import WATCH_INTERVAL_S
from cnn_tui.ui.state import RunState


class WatchControl(AppState):
    """Following another process's run on the Train tab (a mixin of the app).

    The run watched is ``run_state.watched`` while ``run_state.phase`` is ``watching``.
    """

    def action_show_tab(self, tab: str) -> None:
        """Show ``tab``; the app overrides this to also move the focus."""
        self.query_one(TabbedContent).active = tab

    def _show_train_tab(self) -> None:
        """Training, here or watched, is followed on the Train tab."""
        if self.query_one(TabbedContent).active != "train-tab":
            self.action_show_tab("train-tab")

    def _post(self, message: Message) -> None:
        """Post from a worker thread. The app may have exited while a run goes on (quit
        while it saves, or its terminal hung up): its messages then go nowhere."""
        with contextlib.suppress(RuntimeError):  # the app's loop may be closing
            self.post_message(message)

    def follow_run(self, run_dir: Path) -> None:
        """Make the Train tab follow ``run_dir``, which another process trains."""
        if self.training:
            self.notify("A run is training here and the Train tab follows it; watch other "
                        "runs once it has ended.", severity="warning")
            return
        self.workers.cancel_group(self, "watch")
        self.run_state = RunState("watching", run_dir)  # the Train tab starts over for it
        self._show_train_tab()
        self._watch(run_dir)

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False,
          description="watching a run")
    def _watch(self, run_dir: Path) -> None:
        worker = get_current_worker()
        reader = RunReader(run_dir)
        pause = threading.Event()  # never set: a sleep
        while not worker.is_cancelled:
            run = reader.read()
            self._post(WatchUpdate(run))
            if run.ended:
                return
            pause.wait(WATCH_INTERVAL_S)

    def on_watch_update(self, message: WatchUpdate) -> None:
        run = message.run
        if self.run_state.phase != "watching" or run.run_dir != self.run_state.watched:
            return  # a look from a watch that has been replaced or ended
        self.train_panel.show_watched(run)
        if run.ended:
            self.run_state = RunState()  # the Runs tab reads the folder again

    def _stop_watching(self) -> None:
        """Stop following the watched run, if one is (a run starts here)."""
        if self.run_state.phase == "watching":
            self.workers.cancel_group(self, "watch")
            self.run_state = RunState()

    def _ask_watched_run_to_stop(self) -> bool:
        """Ask the watched run to stop; False when nothing is watched."""
        watched = self.run_state.watched
        if self.run_state.phase != "watching" or watched is None:
            return False
        self.train_panel.show_state(f"asking {watched.name} to stop…")
        self._request_stop(watched)
        return True

    @work(thread=True, group="stop-request", exit_on_error=False,
          description="asking a run to stop")
    def _request_stop(self, run_dir: Path) -> None:
        from cnn_tui.core.runs.control import request_stop

        try:
            done = request_stop(run_dir)
        except (CnnTuiError, OSError) as error:
            self._post(StopAnswered(run_dir, str(error), error=True))
            return
        self._post(StopAnswered(run_dir, f"Asked {run_dir.name} to stop: {done}."))

    def on_stop_answered(self, message: StopAnswered) -> None:
        self.notify(message.text, title="Stop", markup=False,
                    severity="error" if message.error else "information")
