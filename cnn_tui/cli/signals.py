"""What ``cnn-tui train`` does on Ctrl-C, SIGTERM and SIGHUP.

Before the run directory exists (the data is still loading) a signal
abandons the run at once: nothing was created, and the exit status is
128 + the signal's number. Once the run directory is about to be created, the
first signal asks the run to stop at the next batch edge (it saves its model
and is marked ``stopped`` with the signal's name) and the second exits at
once, leaving the last epoch's checkpoint as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from cnn_tui.core.runs.control import StopRequest

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Abandoned(KeyboardInterrupt):
    """A signal arrived before the run directory existed: leave without a run."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class TrainSignals:
    """The handler for the signals above; see the module docstring."""

    def __init__(self, stop: StopRequest, terminal: TextIO, scratch: Path | None) -> None:
        self.stop = stop
        self.terminal = terminal
        self.scratch = scratch
        """Removed before an immediate exit (the normal exits remove it themselves)."""
        self.run_dir_made = False
        self.run_over = False
        """The run has ended: a late signal (a stop request racing the run's end) is moot."""
        self.signum: int | None = None
        """The first signal received, which decides the exit status."""

    def before_run_dir(self) -> None:
        """From now on a signal stops the run instead of abandoning it."""
        self.run_dir_made = True

    def __call__(self, signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        if self.run_over:
            return
        if not self.run_dir_made:
            self.signum = signum
            raise Abandoned(signum)
        if self.stop.is_set():
            self._say(f"{name} again: exiting now; the last epoch's checkpoint is kept")
            if self.scratch is not None:
                shutil.rmtree(self.scratch, ignore_errors=True)
            os._exit(128 + (self.signum or signum))
        self.signum = signum
        self.stop.request(name)
        again = "Ctrl-C" if signum == signal.SIGINT else "a second signal"
        self._say(f"{name}: stopping after this batch and saving ({again} exits at once)")

    def _say(self, text: str) -> None:
        # The terminal may be gone (SIGHUP): saying so must not fail the stop.
        with contextlib.suppress(OSError, ValueError):
            print(f"\n{text}", file=self.terminal, flush=True)

    def exit_status(self, default: int) -> int:
        return 128 + self.signum if self.signum is not None else default


@contextlib.contextmanager
def handling(handler: TrainSignals) -> Iterator[TrainSignals]:
    """Install ``handler`` for HANDLED signals, and restore the previous ones after.

    Not SIG_IGN after the run: an ignored signal is inherited by every child
    process started later (an in-process caller's, a test runner's).
    """
    previous = {signum: signal.signal(signum, handler) for signum in HANDLED}
    try:
        yield handler
    finally:
        handler.run_over = True
        for signum, old in previous.items():
            signal.signal(signum, old)
