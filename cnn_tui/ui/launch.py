"""Open the TUI with TensorFlow's native logging kept off the terminal.

TensorFlow's C++ runtime writes to file descriptor 2 from any thread, and
Textual draws on stderr. So for the whole session fd 2 points at a log file
(``NativeStderr``) and Textual draws on a duplicate of the terminal: its
Linux driver writes to ``sys.__stderr__``, which we point at that duplicate
while the app runs.

This module imports nothing heavy, so the CLI can build ``LaunchOptions``
before deciding to open the app.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

SESSION_LOG = "cnn-tui-session.log"


@dataclass
class LaunchOptions:
    """What ``cnn-tui`` was started with; the defaults are the tutorial's."""

    dataset: str = "mnist"
    model: str = "seed-cnn"
    augment: str | None = None
    """An augmentation spec for ``parse_augment`` ("seed", "rotation=10,..."); None = off."""
    epochs: int = 10
    limit: int | None = None
    runs_dir: Path = Path("runs")
    batch_size: int = 256
    optimizer: str = "rmsprop"
    learning_rate: float = 0.001
    seed: int = 0


def run_app(options: LaunchOptions | None = None) -> int:
    """Run the app until the user quits; returns the exit code."""
    from cnn_tui.core.native_log import NativeStderr

    options = options or LaunchOptions()
    runs_dir = Path(options.runs_dir)
    runs_dir.mkdir(parents=True, exist_ok=True)
    native = NativeStderr(runs_dir / SESSION_LOG).start()
    real_stderr, real_python_stderr = sys.__stderr__, sys.stderr
    try:
        # Textual's LinuxDriver writes every frame to sys.__stderr__, which is fd 2,
        # now the log file: give it the terminal duplicate instead.
        sys.__stderr__ = sys.stderr = native.terminal
        from cnn_tui.ui.app import CnnTuiApp

        app = CnnTuiApp(options, native_log=native)
        app.run()
        return app.return_code or 0
    finally:
        sys.__stderr__, sys.stderr = real_stderr, real_python_stderr
        native.restore()
