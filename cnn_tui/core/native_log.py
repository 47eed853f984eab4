"""Keep TensorFlow's native log lines off the terminal.

TensorFlow's C++ runtime (oneDNN notices, CUDA probing, XLA) writes straight
to file descriptor 2 from any thread at any time, beneath Python, so
redirecting ``sys.stderr`` cannot catch it: it would paint over the TUI or
the CLI's progress bar. ``NativeStderr`` points fd 2 itself at a log file and
keeps a duplicate of the real terminal in ``terminal`` for what the user
must see. Python's ``sys.stderr`` writes to fd 2 too, so warnings and the
``tensorflow``/``absl`` loggers end up in the same file.

    with NativeStderr(session_log) as native:
        ...                      # TensorFlow imports, logs go to session_log
        native.retarget(run_dir / "tensorflow.log")
        print("error: ...", file=native.terminal)
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from typing import TextIO

# The Python loggers whose records belong in the log file, not on the terminal.
ROUTED_LOGGERS = ("tensorflow", "absl", "h5py")


class _Fd2Handler(logging.Handler):
    """Writes records to whatever fd 2 points at now (so it follows ``retarget``)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            os.write(2, (self.format(record) + "\n").encode("utf-8", "replace"))
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


_FD2_HANDLER = _Fd2Handler()
_FD2_HANDLER.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))


def route_python_logging() -> None:
    """Send the ``tensorflow`` and ``absl`` loggers to fd 2 only, not to ``sys.stderr``.

    TensorFlow adds its own handler on ``sys.stderr`` when it is first
    imported, and a TUI may have replaced ``sys.stderr``; call this again
    after importing TensorFlow (``tf_setup`` does).
    """
    for name in ROUTED_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [_FD2_HANDLER]
        logger.propagate = False


class NativeStderr:
    """Points fd 2 at a log file while keeping ``terminal`` for the real stderr."""

    def __init__(self, log_path: str | Path) -> None:
        self.log_path = Path(log_path)
        self.terminal: TextIO | None = None
        """A text stream on the original stderr, set by ``start``."""
        self._saved_fd: int | None = None
        self._carry_from = 0
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        return self._saved_fd is not None

    def start(self) -> NativeStderr:
        """Redirect fd 2 to ``log_path`` (appending). Idempotent."""
        with self._lock:
            if self._saved_fd is not None:
                return self
            sys.stderr.flush()
            self._saved_fd = os.dup(2)
            self.terminal = os.fdopen(
                os.dup(self._saved_fd), "w", buffering=1, encoding="utf-8", errors="replace"
            )
            self._point_fd2_at(self.log_path)
        route_python_logging()
        return self

    def retarget(self, log_path: str | Path, *, carry_over: bool = True) -> None:
        """Point fd 2 at another file, first copying into it what the old one got since start.

        Use it to move from a session log to a run's ``tensorflow.log`` once the
        run directory exists, so the import-time lines land there too.
        """
        new_path = Path(log_path)
        with self._lock:
            if self._saved_fd is None:
                raise RuntimeError("NativeStderr.retarget() before start()")
            sys.stderr.flush()
            earlier = b""
            if carry_over and new_path != self.log_path:
                try:
                    with self.log_path.open("rb") as old:
                        old.seek(self._carry_from)
                        earlier = old.read()
                except OSError:
                    earlier = b""
            if earlier:
                new_path.parent.mkdir(parents=True, exist_ok=True)
                with new_path.open("ab") as new:
                    new.write(earlier)
            self.log_path = new_path
            self._point_fd2_at(new_path)

    def restore(self) -> None:
        """Put the terminal back on fd 2 and close ``terminal``. Idempotent."""
        with self._lock:
            if self._saved_fd is None:
                return
            sys.stderr.flush()
            os.dup2(self._saved_fd, 2)
            os.close(self._saved_fd)
            self._saved_fd = None
            if self.terminal is not None:
                self.terminal.close()
                self.terminal = None

    def _point_fd2_at(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.dup2(fd, 2)
        finally:
            os.close(fd)
        self._carry_from = os.fstat(2).st_size

    def __enter__(self) -> NativeStderr:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.restore()
