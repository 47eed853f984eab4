"""When the app's terminal goes away: a dropped SSH connection, a closed window, tmux kill.

The terminal announces it with SIGHUP, or, when the signal does not reach
us (the session leader ignores it and stays), by failing every write and
every terminal ioctl with EIO: writes are caught as they happen, and
``check`` (the app calls it every few seconds) asks the terminal for its
settings, so an idle screen notices too. Either way nothing may go on writing
to it: Textual's output thread would die on the first error, its queue
would fill, and the UI thread would block on it for good. So
``TerminalGuard`` is the stream Textual draws on: it passes writes to the
terminal until the first hang-up sign, then points the terminal's file
descriptors (the duplicate Textual draws on, stdin and stdout) at
/dev/null, so every later write and read succeeds and goes nowhere, and
tells its listener (the app), which decides what becomes of a run.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import termios
import threading
from collections.abc import Callable, Iterator
from typing import TextIO

TERMINAL_FDS = (0, 1)
"""Besides the duplicate Textual draws on: stdin (Textual's input thread reads it) and
stdout (Python flushes it at exit, and a failed flush would make the exit status 120)."""
CHECK_INTERVAL_S = 2.0
"""How often the app asks an idle terminal whether it is still there."""


class TerminalGuard:
    """A text stream on the terminal that turns a hang-up into a call to ``listener``."""

    def __init__(self, terminal: TextIO, *, also: tuple[int, ...] = TERMINAL_FDS) -> None:
        """``also``: the other descriptors on the terminal, silenced with it."""
        self.terminal = terminal
        self.also = also
        self.hung_up = False
        self.reason = ""
        """What gave the hang-up away: ``SIGHUP`` or ``EIO``."""
        self.listener: Callable[[str], None] | None = None
        """Called once with the reason, from whichever thread noticed; must not block."""
        # Reentrant: a second SIGHUP may interrupt the handler of the first.
        self._lock = threading.RLock()

    # -- the stream Textual writes to (its output thread) ------------------------

    def write(self, text: str) -> int:
        try:
            return self.terminal.write(text)
        except OSError:
            self.hang_up("EIO")
            return len(text)

    def flush(self) -> None:
        try:
            self.terminal.flush()
        except OSError:
            self.hang_up("EIO")

    def fileno(self) -> int:
        return self.terminal.fileno()

    def isatty(self) -> bool:
        return not self.hung_up and self.terminal.isatty()

    def __getattr__(self, name: str) -> object:
        # Anything else a library asks of stderr (encoding, errors...) is the terminal's.
        return getattr(self.terminal, name)

    # -- the hang-up ---------------------------------------------------------------

    def tell(self, loop: asyncio.AbstractEventLoop, callback: Callable[[str], object]) -> None:
        """Have ``callback(reason)`` run on ``loop`` at the hang-up (now, if it came already).

        ``call_soon_threadsafe`` is safe from a signal handler and from Textual's
        output thread, which is where the hang-up is noticed.
        """
        def listener(reason: str) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closing: the app has left
                loop.call_soon_threadsafe(callback, reason)

        self.listener = listener
        if self.hung_up:
            listener(self.reason)

    def hang_up(self, reason: str) -> None:
        """Point the terminal's descriptors at /dev/null and tell the listener (once)."""
        with self._lock:
            if self.hung_up:
                return
            self.hung_up, self.reason = True, reason
            self._silence(self.terminal.fileno(), *self.also)
        listener = self.listener
        if listener is not None:
            listener(reason)

    def check(self) -> None:
        """Hang up if the terminal is gone: its ioctls fail with EIO once it is."""
        if self.hung_up:
            return
        try:
            termios.tcgetattr(self.terminal.fileno())
        except termios.error as error:
            if error.args and error.args[0] == errno.EIO:  # ENOTTY: never was a terminal
                self.hang_up("EIO")
        except (OSError, ValueError):  # closed at exit
            pass

    @staticmethod
    def _silence(*fds: int) -> None:
        devnull = os.open(os.devnull, os.O_RDWR)
        try:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.dup2(devnull, fd)
        finally:
            os.close(devnull)

    def silence_stderr(self) -> None:
        """After the session restored fd 2 to the terminal: /dev/null, if that is gone."""
        if self.hung_up:
            self._silence(2)

    def _on_sighup(self, signum: int, frame: object) -> None:
        # The kernel sends SIGCONT right after SIGHUP, and Textual's SIGCONT handler
        # would start drawing again (new output and input threads). Python runs
        # pending handlers in signal-number order, so this one comes first and can
        # leave SIGCONT to its default (just continue).
        signal.signal(signal.SIGCONT, signal.SIG_DFL)
        self.hang_up("SIGHUP")

    @contextlib.contextmanager
    def handling_sighup(self) -> Iterator[TerminalGuard]:
        """Take SIGHUP (main thread only) until the session ends.

        Kept past the app's exit on purpose: a run that goes on without a
        screen must survive the second and third SIGHUP a dying session sends.
        """
        previous = signal.signal(signal.SIGHUP, self._on_sighup)
        try:
            yield self
        finally:
            signal.signal(signal.SIGHUP, previous)
