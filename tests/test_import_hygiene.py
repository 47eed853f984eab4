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


def test_the_first_frame_needs_neither_numpy_nor_plotext() -> None:
    """What the TUI imports before its first frame: Textual and the pure-Python core.

    numpy, plotext, PIL and the hidden tabs' panels load just after it
    (ui/tab_panels.py); one module-level import of them would cost first paint
    30-60 ms each on this machine.
    """
    script = (
        "import sys\n"
        "import cnn_tui.cli, cnn_tui.ui.launch, cnn_tui.ui.app\n"
        "late = ('numpy', 'plotext', 'PIL', 'cnn_tui.ui.panels.train_panel',\n"
        "        'cnn_tui.ui.panels.runs_panel', 'cnn_tui.ui.panels.dataset_panel',\n"
        "        'cnn_tui.ui.panels.augment_panel', 'cnn_tui.ui.panels.inspect_panel',\n"
        "        'cnn_tui.core.inspect')\n"
        "print(','.join(m for m in late if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"imported before the first frame: {result.stdout}"
