"""Writers of run folders for tests: a good run, and hostile ones that once crashed the listing."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from cnn_tui.core.runs import history, rundir


def write_good_run(runs_dir: Path, name: str = "20260101-120000-good") -> Path:
    run = runs_dir / name
    run.mkdir(parents=True)
    rundir.write_config(run, {"name": name, "created": "2026-01-01T12:00:00",
                              "dataset": {"name": "mnist", "source": "mnist"},
                              "model": {"name": "seed-mlp"}, "epochs": 2})
    writer = history.HistoryWriter(run / history.HISTORY_FILE)
    writer.append(1, {"loss": 0.5, "accuracy": 0.8, "val_loss": 0.6, "val_accuracy": 0.75})
    rundir.update_status(run, state="finished", epochs_done=1)
    return run


GOOD_CONFIG = {"dataset": {"name": "mnist"}, "model": {"name": "m"}, "epochs": 2}

# Folder name -> (file -> text), and a fragment of the reason each must be listed with.
HOSTILE_RUNS: dict[str, tuple[dict[str, str], str]] = {
    "bad-json": ({"config.json": '{"dataset": '}, "config.json is not valid JSON"),
    "deep-json": ({"config.json": '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"},
                  "config.json is nested too deeply"),
    "huge-pid": ({"config.json": json.dumps(GOOD_CONFIG),
                  "status.json": json.dumps({"state": "running", "pid": 2**70,
                                             "host": socket.gethostname()})},
                 "status.json: pid is a 71-bit number, not a process id"),
    "epochs-x": ({"config.json": json.dumps({**GOOD_CONFIG, "epochs": "x"})},
                 'config.json: epochs is the string "x", not a whole number'),
    "dataset-list": ({"config.json": json.dumps({**GOOD_CONFIG, "dataset": ["a"]})},
                     "config.json: dataset is a list"),
    "status-list": ({"config.json": json.dumps(GOOD_CONFIG), "status.json": '["running"]'},
                    "status.json is a list, not a JSON object"),
    "digits": ({"config.json": '{"epochs": ' + "9" * 5000 + "}"},
               "config.json holds a 5000-digit number"),
}


def write_hostile_runs(runs_dir: Path) -> dict[str, str]:
    """Write every HOSTILE_RUNS folder under ``runs_dir``; {name: expected reason fragment}."""
    for name, (files, _) in HOSTILE_RUNS.items():
        (runs_dir / name).mkdir(parents=True)
        for file, text in files.items():
            (runs_dir / name / file).write_text(text)
    return {name: reason for name, (_, reason) in HOSTILE_RUNS.items()}
