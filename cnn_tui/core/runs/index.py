"""The runs directory as a whole: past runs listed, and their histories exported.

``rundir.py`` writes one run's files; this module only reads them, for
``cnn-tui runs``/``export`` and the TUI's Runs tab. A folder that is not a
run (no readable ``config.json``) is skipped, never an error.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.control import effective_state
from cnn_tui.core.runs.files import read_json
from cnn_tui.core.runs.history import HISTORY_FILE, order_columns, read_history
from cnn_tui.core.runs.rundir import CHECKPOINT_FILE, CONFIG_FILE, STATUS_FILE


@dataclass(frozen=True)
class RunRecord:
    """One past run, as ``cnn-tui runs`` and the TUI's run list show it."""

    name: str
    path: Path
    dataset: str
    model: str
    augmentation: str
    epochs_planned: int | None
    epochs_done: int
    best_val_accuracy: float | None
    state: str
    """running, finished, stopped, failed, or interrupted (its process is gone)."""
    created: str
    pid: int | None = None
    """The process that trains (or trained) it, and its host."""
    host: str = ""
    resumable: bool = False
    """It has a checkpoint to go on from (``cnn-tui train --resume``)."""

    @property
    def state_text(self) -> str:
        """The state as listed: ``running (pid 12, host)``, ``interrupted (resumable)``."""
        if self.state == "running" and self.pid is not None:
            return f"running (pid {self.pid}, {self.host})"
        if self.state in ("interrupted", "stopped", "failed") and self.resumable:
            return f"{self.state} (resumable)"
        return self.state


def read_run(run_dir: Path) -> RunRecord | None:
    """The record of ``run_dir``, or ``None`` when it is not a run directory."""
    from cnn_tui.core.augment import AugmentConfig

    config = read_json(run_dir / CONFIG_FILE)
    if config is None:
        return None
    status = read_json(run_dir / STATUS_FILE) or {}
    history = read_history(run_dir)
    val_accuracy = [v for v in history.get("val_accuracy", []) if not math.isnan(v)]
    dataset = config.get("dataset") or {}
    model = config.get("model") or {}
    try:
        augmentation = AugmentConfig.from_dict(config.get("augmentation") or {}).summary()
    except (CnnTuiError, TypeError, AttributeError):
        augmentation = "?"
    state = effective_state(status)
    pid = status.get("pid")
    return RunRecord(
        name=run_dir.name,
        path=run_dir,
        dataset=str(dataset.get("name", "?")) if isinstance(dataset, dict) else str(dataset),
        model=str(model.get("name", "?")) if isinstance(model, dict) else str(model),
        augmentation=augmentation,
        epochs_planned=config.get("epochs"),
        epochs_done=len(history.get("epoch", [])),
        best_val_accuracy=max(val_accuracy) if val_accuracy else None,
        state=state,
        created=str(config.get("created") or status.get("started_at") or ""),
        pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
        host=str(status.get("host") or ""),
        resumable=(run_dir / CHECKPOINT_FILE).is_file(),
    )


def list_runs(runs_dir: str | Path) -> list[RunRecord]:
    """Every run under ``runs_dir``, oldest first; other folders and files are skipped."""
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        return []
    records = []
    for child in sorted(runs_dir.iterdir()):
        if child.is_dir() and (record := read_run(child)) is not None:
            records.append(record)
    return records


def export_histories(run_dirs: list[str | Path], out_path: str | Path) -> Path:
    """Write the histories of ``run_dirs`` into one CSV: ``run``, ``epoch``, then every column."""
    histories = []
    for run_dir in map(Path, run_dirs):
        # A run stopped during its first epoch has a config but no rows yet.
        if not (run_dir / HISTORY_FILE).is_file() and not (run_dir / CONFIG_FILE).is_file():
            raise CnnTuiError(
                f"{run_dir} is not a run directory (no {HISTORY_FILE}); "
                "pass folders made by cnn-tui train, e.g. runs/<date>-<name>."
            )
        histories.append((run_dir.name, read_history(run_dir)))
    columns = order_columns({name for _, history in histories for name in history})
    out_path = Path(out_path)
    with out_path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["run", "epoch", *columns])
        for run_name, history in histories:
            for row, epoch in enumerate(history.get("epoch", [])):
                cells = [history[name][row] if name in history else "" for name in columns]
                writer.writerow([run_name, epoch, *cells])
    return out_path
