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

This module imports nothing heavy, so the CLI can build ``LaunchOptions``
before deciding to open the app.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnn_tui.core.augment import AugmentConfig
from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.config import SETTING, TUI_FIELDS

SESSION_LOG = "cnn-tui-session.log"


@dataclass
class LaunchOptions:
    """What ``cnn-tui`` was started with: the settings table's defaults unless given."""

    dataset: str = SETTING["dataset"].default
    model: str = SETTING["model"].default
    augment: AugmentConfig | None = None
    """None: off."""
    epochs: int = SETTING["epochs"].default
    limit: int | None = SETTING["limit"].default
    runs_dir: Path = Path(SETTING["runs_dir"].default)
    batch_size: int = SETTING["batch_size"].default
    optimizer: str = SETTING["optimizer"].default
    learning_rate: float = SETTING["learning_rate"].default
    val_split: float = SETTING["val_split"].default
    image_size: tuple[int, int] | None = SETTING["image_size"].default
    seed: int | None = SETTING["seed"].default
    on_hangup: str = SETTING["on_hangup"].default

    def train_values(self) -> dict[str, Any]:
        """The Train tab's starting values, by setting name."""
        return {setting.name: getattr(self, setting.name) for setting in TUI_FIELDS}


def runs_dir_problem(runs_dir: Path) -> str:
    """Why runs cannot be saved in ``runs_dir`` (the engine's check), or ``""`` when they can."""
    from cnn_tui.core.runs.paths import check_runs_dir

    try:
        check_runs_dir(runs_dir)
    except CnnTuiError as error:
        return f"{error} Training is off until then: quit (q) and start again."
    return ""


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
        sys.__stderr__ = sys.stderr = guard  # type: ignore[assignment]
        from cnn_tui.ui.app import CnnTuiApp

        app = CnnTuiApp(options, native_log=native, terminal=guard)
        with guard.handling_sighup():
            app.run()
        return app.return_code or 0
    finally:
        sys.__stderr__, sys.stderr = real_stderr, real_python_stderr
        native.restore()
        guard.silence_stderr()
        if log.name != SESSION_LOG:
            # A temporary log nobody was told of (no run could be saved): not left behind.
            log.unlink(missing_ok=True)
