"""Run folders written with the engine's own writers, and waiting for the Runs tab to read them.

The per-epoch numbers given to ``write_run`` are KNOWN TEST VALUES chosen to
check the UI's mechanics, not results of training.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from cnn_tui.core.augment_config import AugmentConfig
from cnn_tui.core.runs import history, rundir
from cnn_tui.core.runs.config import TrainConfig, config_to_dict
from cnn_tui.core.spec import load_spec


def write_run(runs_dir: Path, minute: int, augment: AugmentConfig, logs: list[dict],
              epochs: int, state: str, dataset: str = "../shared/data/mnist",
              options: TrainConfig | None = None) -> Path:
    """A run folder as a run leaves it; ``options``: its config.json settings (as the
    engine writes them), else only the top-level ones older runs had."""
    run_dir = rundir.create_run_dir(runs_dir, "seed-mlp-mnist",
                                    now=datetime(2026, 1, 1, 12, minute, 0))
    config = {
        "name": run_dir.name,
        "created": f"2026-01-01T12:{minute:02d}:00",
        "dataset": {"source": dataset, "name": dataset},
        "model": {"name": "seed-mlp", "spec": load_spec("seed-mlp")},
        "augmentation": augment.to_dict(),
        "optimizer": "rmsprop", "learning_rate": 0.001, "batch_size": 256,
        "epochs": epochs, "seed": 1,
    }
    if options is not None:
        config["options"] = config_to_dict(options)
    rundir.write_config(run_dir, config)
    rundir.update_status(run_dir, state="running", epochs_planned=epochs, epochs_done=0)
    writer = history.HistoryWriter(run_dir / history.HISTORY_FILE)
    for epoch, epoch_logs in enumerate(logs, start=1):
        writer.append(epoch, epoch_logs)
    rundir.update_status(run_dir, state=state, epochs_done=len(logs))
    return run_dir


async def scanned(pilot) -> None:
    """Wait until the runs folder scans in flight have been shown in the table."""
    scans = [worker for worker in pilot.app.workers if worker.group == "runs-scan"]
    if scans:
        await pilot.app.workers.wait_for_complete(scans)
    await pilot.pause()


async def wait_until(pilot, condition: Callable[[], object], timeout: float = 60.0,
                     what: str = "the app") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.1)
