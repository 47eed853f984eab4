"""``history.csv``: one complete row per finished epoch, written with the ``csv`` module.

Each row is flushed and fsynced before the next epoch begins, so a kill at any
moment leaves a file whose every line is complete except maybe the last,
which ``read_history`` drops. A resumed run rewrites the file from its
checkpoint's rows (``HistoryWriter.restart``): the history never runs ahead of
the checkpoint, and never has a duplicate, a gap or half an epoch.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from cnn_tui.core.runs.files import replace_atomically

HISTORY_FILE = "history.csv"

LEARNING_RATE = "learning_rate"
"""The rate of the epoch's first step (Keras's ReduceLROnPlateau logs the same name)."""
EPOCH_TIME = "epoch_time_s"
"""Seconds from the epoch's start to the end of its validation."""
RUN_COLUMNS = (LEARNING_RATE, EPOCH_TIME)
"""What a run adds to Keras's metrics in each row. Runs made before these columns
existed lack them: every reader takes a row's columns as they come."""

Row = dict[str, float]
"""``{"epoch": 3, "loss": ..., "val_accuracy": ..., "learning_rate": ..., "epoch_time_s": ...}``."""


def order_columns(names: list[str] | set[str]) -> list[str]:
    """Keras log names in reading order: training metrics, then ``val_*``, then the rest.

    ``loss`` and ``accuracy`` lead their group; any other name without a ``val_``
    twin comes next, and ``RUN_COLUMNS`` last.
    """
    names = set(names) - {"epoch", "run"}
    train = sorted(n for n in names if not n.startswith("val_") and f"val_{n}" in names)
    val = sorted(n for n in names if n.startswith("val_"))
    ours = [n for n in RUN_COLUMNS if n in names]
    rest = sorted(names - set(train) - set(val) - set(ours)) + ours
    first = {"loss": 0, "accuracy": 1}

    def key(name: str) -> tuple[int, str]:
        return first.get(name.removeprefix("val_"), 2), name

    return sorted(train, key=key) + sorted(val, key=key) + rest


class HistoryWriter:
    """Appends one complete row to ``history.csv`` per finished epoch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.columns: list[str] | None = None
        self.rows: list[Row] = []

    def restart(self, rows: Sequence[Row]) -> None:
        """Replace the file with ``rows`` (a resumed run's history up to its checkpoint)."""
        self.rows = [dict(row) for row in rows]
        if not self.rows:
            self.columns = None
            self.path.unlink(missing_ok=True)
            return
        self.columns = order_columns({name for row in self.rows for name in row})
        self._rewrite()

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        row: Row = {"epoch": epoch, **{name: float(value) for name, value in logs.items()}}
        self.rows.append(row)
        if self.columns is None or not set(row) - {"epoch"} <= set(self.columns):
            # A metric appeared that the header lacks: rewrite the file with a
            # wider header (rare: Keras logs the same names every epoch).
            self.columns = order_columns({name for r in self.rows for name in r})
            self._rewrite()
            return
        with self.path.open("a", encoding="utf-8", newline="") as file:
            self._writer(file).writerow(self._cells(row))
            file.flush()
            os.fsync(file.fileno())

    def _writer(self, file: io.TextIOBase) -> csv.DictWriter[str]:
        return csv.DictWriter(file, ["epoch", *(self.columns or [])], lineterminator="\n")

    @staticmethod
    def _cells(row: Row) -> dict[str, str]:
        return {
            name: str(int(value)) if name == "epoch" else repr(float(value))
            for name, value in row.items()
        }

    def _rewrite(self) -> None:
        buffer = io.StringIO()
        writer = self._writer(buffer)
        writer.writeheader()
        writer.writerows(self._cells(row) for row in self.rows)
        replace_atomically(self.path, buffer.getvalue().encode("utf-8"))


def read_history(run_dir: str | Path) -> dict[str, list[float]]:
    """The columns of ``history.csv`` (``epoch`` included); ``{}`` when there is none.

    Only complete rows are read: a last line cut short by a kill is dropped,
    and so is any row that does not parse. Empty cells read as NaN.
    """
    path = Path(run_dir) / HISTORY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    complete = text[: text.rfind("\n") + 1]  # text after the last newline is unfinished
    reader = _rows(csv.reader(io.StringIO(complete)))
    header = next(reader, None)
    if not header or header[0] != "epoch":
        return {}
    columns: dict[str, list[float]] = {name: [] for name in header}
    for cells in reader:
        if len(cells) != len(header):
            continue
        try:
            values = [float(cell) if cell else math.nan for cell in cells]
        except ValueError:
            continue
        if not math.isfinite(values[0]):
            continue
        for name, value in zip(header, values, strict=True):
            columns[name].append(int(value) if name == "epoch" else value)
    return columns


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    """The reader's rows, without those it refuses (a cell over its 128 KiB limit)."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error:
            continue


def history_rows(history: dict[str, list[float]]) -> list[Row]:
    """``read_history``'s columns as rows."""
    names = list(history)
    count = len(history.get("epoch", []))
    return [{name: history[name][i] for name in names} for i in range(count)]
