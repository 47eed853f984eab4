"""Trains from the TUI in this process with whatever backend KERAS_BACKEND names.

Run by ``test_tui_backends.py`` in a subprocess (Keras picks its backend once
per process): ``python tests/jax_tui_run.py MNIST_DIR RUNS_DIR``. It presses
``t`` as a person does, waits for the run to finish and prints one JSON line:
the header, the run's state and rows, and whether TensorFlow's runtime started.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from cnn_tui.core.runs.history import read_history
from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.options import LaunchOptions


async def main(mnist: Path, runs_dir: Path) -> dict[str, object]:
    options = LaunchOptions(dataset=str(mnist), model="seed-mlp", epochs=2, limit=1000,
                            runs_dir=runs_dir)
    app = CnnTuiApp(options)
    async with app.run_test(size=(120, 40)) as pilot:
        deadline = time.monotonic() + 240
        while not app.keras_ready:
            assert time.monotonic() < deadline, "Keras never became ready"
            await pilot.pause(0.1)
        header = app.sub_title
        await pilot.press("t")
        while app.last_run_dir is None or app.training:
            assert time.monotonic() < deadline, "the run did not end"
            await pilot.pause(0.2)
        run_dir = app.last_run_dir
        status = json.loads((run_dir / "status.json").read_text())
        config = json.loads((run_dir / "config.json").read_text())
        history = read_history(run_dir)
        compute_line = str(app.query_one("#train-compute").render())
        await pilot.press("q")
    return {"header": header, "state": status["state"],
            "val_accuracy": history.get("val_accuracy", []),
            "backend": config["versions"]["backend"], "compute_line": compute_line,
            "tensorflow_started": _tensorflow_started()}


def _tensorflow_started() -> bool:
    """Whether TensorFlow's runtime started (Keras's saving imports TensorFlow, when it
    is installed, to recognise its shapes; importing it starts no device)."""
    if "tensorflow" not in sys.modules:
        return False
    from tensorflow.python.eager import context

    return bool(context.context()._initialized)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))))
