"""The plain-text tables of ``cnn-tui inspect``, ``predict`` and ``probe``, and their CSVs.

Figures print with 4 decimals; a figure that is undefined (precision of a
class never predicted, recall of a class absent from the split) prints as
``-`` and is an empty cell in a CSV.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.paths import check_export_path

if TYPE_CHECKING:
    from cnn_tui.core.inspect import ClassProbability, Evaluation, ProbeResult

MATRIX_MAX_CLASSES = 20
"""Wider confusion matrices do not fit a terminal: ``--json`` has them."""
PER_CLASS_COLUMNS = ("class", "precision", "recall", "f1", "support")
TOP_HEADINGS = ("1st", "2nd", "3rd")


def figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def align(rows: Sequence[Sequence[str]], right_from: int = 1) -> list[str]:
    """Rows of cells as lines: column ``right_from`` onwards right-aligned (numbers)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.rjust(w) if i >= right_from else cell.ljust(w)
                      for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
            for row in rows]


def evaluation_text(evaluation: Evaluation, heading: str) -> str:
    """The confusion matrix, the per-class figures and the most confused pairs."""
    correct = int(evaluation.confusion.trace())
    total = len(evaluation.labels)
    lines = [heading, f"accuracy {evaluation.accuracy:.4f} ({correct:,} of {total:,} images)", ""]
    lines += _matrix_lines(evaluation)
    lines += ["", *align([PER_CLASS_COLUMNS] + [
        (f.name, figure(f.precision), figure(f.recall), figure(f.f1), f"{f.support:,}")
        for f in evaluation.per_class])]
    lines += ["", "most confused pairs (true -> predicted):"]
    if not evaluation.confused_pairs:
        lines.append("  none: every image is classified correctly")
    else:
        lines += ["  " + line for line in align([
            (f"{p.true} -> {p.predicted}", f"{p.count:,}", f"{p.share:.1%} of {p.true}")
            for p in evaluation.confused_pairs])]
    return "\n".join(lines)


def _matrix_lines(evaluation: Evaluation) -> list[str]:
    names = evaluation.classes
    if len(names) > MATRIX_MAX_CLASSES:
        return [f"confusion matrix: {len(names)} classes, too wide to print; "
                "--json holds it (rows: true class, columns: predicted)."]
    header = ["true \\ predicted", *(name[:6] for name in names)]
    rows = [[name, *(f"{count:,}" for count in evaluation.confusion[i])]
            for i, name in enumerate(names)]
    return ["confusion matrix (rows: true class, columns: predicted class):",
            *align([header, *rows])]


def predictions_text(predictions: Sequence[tuple[str, Sequence[ClassProbability]]]) -> str:
    """One line per image: its name, then its top classes with their probabilities."""
    count = max(len(top) for _, top in predictions)
    header = ("image", *TOP_HEADINGS[:count])
    rows = [(image, *(f"{c.name} {c.probability:.4f}" for c in top)) for image, top in predictions]
    return "\n".join(align([header, *rows], right_from=len(header)))


def probe_text(results: Sequence[tuple[str, ProbeResult]]) -> str:
    """A row per shift, a column of accuracies per run (``-`` past a run's maximum)."""
    longest = max(len(result.shifts) for _, result in results)
    rows = [("shift (px)", *(label for label, _ in results))]
    for shift in range(longest):
        rows.append((str(shift), *(figure(result.accuracy[shift])
                                   if shift < len(result.accuracy) else "-"
                                   for _, result in results)))
    return "\n".join(align(rows))


def write_csv(path: str | Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """``rows`` under ``header``; refused inside a run folder (``check_export_path``)."""
    target = check_export_path(path)
    try:
        with target.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerows(rows)
    except OSError as error:
        raise CnnTuiError(f"cannot write {target} ({error.strerror or error}); "
                          "pick a writable path for the CSV.") from None
    return target


def per_class_rows(evaluation: Evaluation) -> list[list[object]]:
    return [[f.name, _cell(f.precision), _cell(f.recall), _cell(f.f1), f.support]
            for f in evaluation.per_class]


def probe_rows(results: Sequence[tuple[str, ProbeResult]]) -> list[list[object]]:
    return [[label, shift, f"{accuracy:.6f}"]
            for label, result in results
            for shift, accuracy in zip(result.shifts, result.accuracy, strict=True)]


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"
