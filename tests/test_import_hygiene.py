"""Importing the core (and the CLI) must load neither Textual nor TensorFlow.

Each module is imported in a fresh interpreter, so one module's imports
cannot hide another's: `cnn-tui --help`, `cnn-tui summary` and the TUI's
first paint must not wait for TensorFlow, and the core must run without a UI.
"""

from __future__ import annotations

import importlib.util
import pkgutil
import subprocess
import sys

import pytest

import cnn_tui.core

FORBIDDEN = ("textual", "tensorflow", "keras")


def _core_modules() -> list[str]:
    names = ["cnn_tui.core"]
    for info in pkgutil.walk_packages(cnn_tui.core.__path__, prefix="cnn_tui.core."):
        names.append(info.name)
    if importlib.util.find_spec("cnn_tui.cli") is not None:
        names.append("cnn_tui.cli")
    return sorted(names)


MODULES = _core_modules()


def test_the_core_modules_were_found() -> None:
    for name in ("cnn_tui.core.runs.runner", "cnn_tui.core.pipeline", "cnn_tui.core.augment"):
        assert name in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_import_loads_no_ui_and_no_tensorflow(module: str) -> None:
    script = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(','.join(sorted(m for m in {FORBIDDEN!r} if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} imported {result.stdout.strip()}"
