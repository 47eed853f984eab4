"""The rows of the Runs tab: reading the runs folder, each row's cells, the status line.

``scan_runs`` reads every run's files, which on a slow disk takes a while:
the panel calls it from a thread worker. Folders that look like runs but
whose ``config.json`` is missing or unreadable are listed too, marked as
broken, so a half-written run never hides silently. Every cell holding a
name or path is ``Text``: a run name like ``[b]x`` is shown as typed,
never read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text

from cnn_tui.core.runs import history, rundir
from cnn_tui.core.runs import index as runs_index
from cnn_tui.ui.widgets.run_overlay import run_color

# Most telling first, so an 80-column terminal shows which run, how good, how it ended.
COLUMNS = (
    ("mark", " "), ("name", "run"), ("state", "state"), ("best", "best val"),
    ("epochs", "epochs"), ("dataset", "dataset"), ("model", "model"),
    ("augmentation", "augmentation"),
)  # fmt: skip
_RUN_FILES = (rundir.CONFIG_FILE, history.HISTORY_FILE, rundir.STATUS_FILE)
_STATE_STYLES = {"failed": "red", "interrupted": "yellow", "running": "cyan"}


@dataclass(frozen=True)
class RunRow:
    """A row of the table: a readable run, or a broken folder (``record`` None)."""

    name: str
    path: Path
    record: runs_index.RunRecord | None
    problem: str = ""

    @property
    def running(self) -> bool:
        return self.record is not None and self.record.state == "running"


def scan_runs(runs_dir: Path) -> list[RunRow]:
    """Every run under ``runs_dir`` (oldest first), broken ones included; raises OSError."""
    rows = [RunRow(r.name, r.path, r) for r in runs_index.list_runs(runs_dir)]
    listed = {row.name for row in rows}
    if runs_dir.is_dir():
        for child in sorted(runs_dir.iterdir()):
            if child.name in listed or not child.is_dir():
                continue
            present = [name for name in _RUN_FILES if (child / name).exists()]
            if present:
                problem = ("config.json unreadable" if rundir.CONFIG_FILE in present
                           else "no config.json")
                rows.append(RunRow(child.name, child, None, problem))
    return rows


def mark_cell(index: int | None) -> Text:
    """``●2`` in the run's overlay colour when it is the second selected, else blank."""
    if index is None:
        return Text(" ")
    return Text(f"●{index + 1}", style=run_color(index)[1])


def row_cells(row: RunRow, mark: Text) -> list[Any]:
    record = row.record
    name = Text(row.name)
    if record is None or record.reason:
        # The status line says why; an unreadable run's other fields are not to be trusted.
        broken = Text("broken" if record is None else record.state, style="red")
        return [mark, name, broken, "", "", "?", "?", "?"]
    planned = "?" if record.epochs_planned is None else str(record.epochs_planned)
    best = "" if record.best_val_accuracy is None else f"{record.best_val_accuracy:.4f}"
    return [
        mark, name,
        Text(record.state_text, style=_STATE_STYLES.get(record.state, "")),
        Text(best, justify="right"), f"{record.epochs_done}/{planned}",
        Text(Path(record.dataset).name or record.dataset), Text(record.model),
        Text(record.augmentation),
    ]


def short_label(name: str) -> str:
    """A run name without its YYYYmmdd-HHMMSS- prefix, for the legend."""
    parts = name.split("-", 2)
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
        return parts[2][:24]
    return name[:24]


def legend_label(row: RunRow) -> str:
    """The short name plus its augmentation: the tutorial compares the same
    network with and without it, and those two runs share a name."""
    label = short_label(row.name)
    if row.record is not None:
        label += f" (aug {row.record.augmentation})"
    return label


def status_line(rows: list[RunRow], selected: int, highlighted: RunRow | None,
                runs_dir: Path) -> str:
    """The line under the table: how many runs, how many selected, and the highlighted
    run's augmentation (the tutorial's comparison) or why it cannot be read."""
    if not rows:
        return f"No runs in {runs_dir} yet: train one (t)."
    chosen = f"{selected} selected" if selected else "space selects"
    text = f"{len(rows)} run{'' if len(rows) == 1 else 's'} · {chosen}"
    row = highlighted
    if row is not None and row.record is not None and row.record.reason:
        text += f" · {row.path}: {row.record.state}, {row.record.reason}"
    elif row is not None and row.record is not None:
        augmentation = row.record.augmentation
        text += f" · {row.name}: " + (
            "no augmentation" if augmentation == "none" else f"augmentation {augmentation}")
    elif row is not None:
        text += f" · {row.path}: {row.problem}"
    return text
