"""The runs directory as a whole: past runs listed, and their histories exported.

``rundir.py`` writes one run's files; this module only reads them, for
``cnn-tui runs``/``export`` and the TUI's Runs tab. A folder without
``config.json`` is not a run and is skipped; a run whose files cannot be
read (see ``run_checks``) is listed as "unreadable" with the reason.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs import checks as run_checks
from cnn_tui.core.runs.control import effective_state
from cnn_tui.core.runs.history import HISTORY_FILE, order_columns, read_history
from cnn_tui.core.runs.paths import check_export_path
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
    """running, finished, stopped, failed, interrupted (its process is gone) or
    unreadable (its files are broken: see ``reason``)."""
    created: str
    reason: str = ""
    """Why an unreadable run cannot be read ("config.json is not valid JSON (...)")."""
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
    """The record of ``run_dir``, or ``None`` when it has no config.json (not a run)."""
    if not os.path.lexists(run_dir / CONFIG_FILE):
        return None
    try:
        return _read_run(run_dir)
    except (ValueError, TypeError, AttributeError, RecursionError, OverflowError, OSError) as error:
        return RunRecord(run_dir.name, run_dir, "?", "?", "?", None, 0, None, "unreadable", "",
                         run_checks.reason(error))


def _read_run(run_dir: Path) -> RunRecord:
    from cnn_tui.core.augment_config import AugmentConfig

    config = run_checks.load_object(run_dir / CONFIG_FILE)
    run_checks.check_config(config)
    status_path = run_dir / STATUS_FILE
    status = run_checks.load_object(status_path) if os.path.lexists(status_path) else {}
    run_checks.check_status(status)
    history = read_history(run_dir)  # never raises: it drops the rows it cannot read
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
    try:
        children = sorted(runs_dir.iterdir())
    except OSError as error:
        raise CnnTuiError(f"cannot list the runs folder {runs_dir} ({error.strerror or error}); "
                          "check its permissions or pass another --runs-dir.") from error
    for child in children:
        if child.is_dir() and (record := read_run(child)) is not None:
            records.append(record)
    return records


def export_histories(run_dirs: Sequence[str | Path], out_path: str | Path) -> Path:
    """Write the histories of ``run_dirs`` into one CSV: ``run``, ``epoch``, then every column.

    Raises CnnTuiError for a path inside a run directory (see ``paths.check_export_path``).
    """
    out_path = check_export_path(out_path)
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
    try:
        with out_path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(["run", "epoch", *columns])
            for run_name, history in histories:
                for row, epoch in enumerate(history.get("epoch", [])):
                    cells = [history[name][row] if name in history else "" for name in columns]
                    writer.writerow([run_name, epoch, *cells])
    except OSError as error:
        raise CnnTuiError(f"cannot write {out_path} ({error.strerror or error}); "
                          "pick a writable path for the CSV.") from error
    return out_path
