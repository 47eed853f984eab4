"""Open the TUI with TensorFlow's native logging kept off the terminal.

TensorFlow's C++ runtime writes to file descriptor 2 from any thread, and
Textual draws on stderr. So for the whole session fd 2 points at a log file
(``NativeStderr``) and Textual draws on a duplicate of the terminal: its
Linux driver writes to ``sys.__stderr__``, which we point at that duplicate,
through a ``TerminalGuard`` (hangup.py), while the app runs.

When the terminal goes away the app exits, and a run that trains goes on
without a screen: Textual's thread workers run in asyncio's default
executor, which ``asyncio.run`` joins before returning, so ``app.run()``
returns only once the training thread has saved the run.

The options themselves (``LaunchOptions``) and the runs-folder check live in
``options.py``, which the app imports; this module imports the app.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from cnn_tui.ui.options import LaunchOptions, runs_dir_problem

SESSION_LOG = "cnn-tui-session.log"


def _session_log(runs_dir: Path) -> Path:
    """Where fd 2 goes for the session: the runs folder, else a private temporary file."""
    if not runs_dir_problem(runs_dir):
        log = runs_dir / SESSION_LOG
        try:
            runs_dir.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8"):
                return log
        except OSError:
            pass
    fd, name = tempfile.mkstemp(prefix="cnn-tui-session-", suffix=".log")
    os.close(fd)
    return Path(name)


def run_app(options: LaunchOptions | None = None) -> int:
    """Run the app until the user quits or the terminal goes away; returns the exit code."""
    from cnn_tui.core.native_log import NativeStderr
    from cnn_tui.ui.hangup import TerminalGuard

    options = options or LaunchOptions()
    log = _session_log(Path(options.runs_dir))
    native = NativeStderr(log).start()
    assert native.terminal is not None
    guard = TerminalGuard(native.terminal)
    real_stderr, real_python_stderr = sys.__stderr__, sys.stderr
    try:
        # Textual's LinuxDriver writes every frame to sys.__stderr__, which is fd 2,
        # now the log file: give it the terminal duplicate instead.
        sys.__stderr__ = sys.stderr = guard  # type: ignore[assignment, misc]
        from cnn_tui.ui.app import CnnTuiApp

        app = CnnTuiApp(options, native_log=native, terminal=guard)
        with guard.handling_sighup():
            app.run()
        return app.return_code or 0
    finally:
        sys.__stderr__, sys.stderr = real_stderr, real_python_stderr  # type: ignore[misc]
        native.restore()
        guard.silence_stderr()
        if log.name != SESSION_LOG:
            # A temporary log nobody was told of (no run could be saved): not left behind.
            log.unlink(missing_ok=True)
