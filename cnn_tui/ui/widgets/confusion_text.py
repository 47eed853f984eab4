"""An evaluation as Rich text: the confusion matrix as a heatmap, per-class figures, pairs.

Pure functions of an ``Evaluation`` (core/inspect/metrics.py), so the tests
compare what is drawn with the evaluation's own numbers. A cell's colour is
its share of the true class's images (the row), in counts and percentages
alike: a class with many images does not outshine one with few. Class names
are cut to the room there is, ending in "…" when cut.
"""

from __future__ import annotations

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text

from cnn_tui.core.inspect import Evaluation
from cnn_tui.core.shape_format import format_count

HEAT_STOPS: tuple[tuple[int, int, int], ...] = (
    (68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37))
"""Viridis, from an empty share to a whole row: even steps of lightness, readable
by the colour-blind, and still ordered when a terminal maps it to 256 colours."""
MAX_LABEL = 10
"""The widest a row's class name gets."""
MISSING = "—"
"""A figure that divides by zero (precision of a class never predicted...)."""


def abbreviate(name: str, width: int) -> str:
    """``name`` cut to ``width`` characters, its last one "…" when cut."""
    if len(name) <= width:
        return name
    return name[: max(0, width - 1)] + "…" if width > 0 else ""


def heat_style(share: float, *, bold: bool = False) -> Style:
    """A cell's background for a share in [0, 1] of its row, with a legible foreground."""
    position = min(max(share, 0.0), 1.0) * (len(HEAT_STOPS) - 1)
    low = min(int(position), len(HEAT_STOPS) - 2)
    mix = position - low
    rgb = [round(a + (b - a) * mix) for a, b in zip(HEAT_STOPS[low], HEAT_STOPS[low + 1],
                                                      strict=True)]
    light = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 140
    return Style(bgcolor=Color.from_rgb(*rgb), color="black" if light else "white", bold=bold)


def row_shares(confusion: np.ndarray) -> np.ndarray:
    """Each cell over its row's total (a row without images is all 0)."""
    totals = confusion.sum(axis=1, keepdims=True)
    return np.divide(confusion, totals, out=np.zeros(confusion.shape, dtype=np.float64),
                     where=totals > 0)


def cell_texts(confusion: np.ndarray, normalised: bool) -> list[list[str]]:
    """What each cell says: the count, or the row's percentage; "·" for none."""
    shares = row_shares(confusion)
    cells = []
    for row, share_row in zip(confusion, shares, strict=True):
        texts = []
        for count, share in zip(row, share_row, strict=True):
            if count == 0:
                texts.append("·")
            elif not normalised:
                texts.append(format_count(int(count)))
            elif share >= 1.0:
                texts.append("100")
            else:
                texts.append(f"{100 * share:.1f}" if share >= 0.0005 else "<0.1")
        cells.append(texts)
    return cells


def label_width(names: tuple[str, ...]) -> int:
    """The row labels' column: the longest name, between 6 ("true ↓") and ``MAX_LABEL``."""
    return max(6, min(MAX_LABEL, max((len(name) for name in names), default=0)))


def natural_cell_width(evaluation: Evaluation, normalised: bool) -> int:
    """The narrowest cell that holds every count (or percentage) and a space before it."""
    texts = cell_texts(evaluation.confusion, normalised)
    return max(4, *(len(text) for row in texts for text in row)) + 1


def matrix_text(evaluation: Evaluation, *, normalised: bool, cell_width: int,
                cell_height: int = 1) -> Text:
    """The matrix: rows the true class, columns the predicted one, a heat colour per cell.

    The row labels take ``label_width`` and a space; ``cell_width`` includes a
    space after the number; ``cell_height`` 2 or 3
    gives each row more coloured lines, the number on the middle one (squarer
    cells when there is room). Cells touch, as in any heatmap.
    """
    names = evaluation.classes
    confusion = evaluation.confusion
    shares = row_shares(confusion)
    texts = cell_texts(confusion, normalised)
    labels = label_width(names)
    text = Text(no_wrap=True, overflow="ignore")
    what = "% of the true class" if normalised else "images"
    text.append(f"{'':{labels}}  predicted → ({what})\n", style="dim")
    text.append(f"{'true ↓':<{labels}} ", style="dim")
    for name in names:
        text.append(f"{abbreviate(name, cell_width - 1):>{cell_width - 1}} ", style="bold")
    middle = (cell_height - 1) // 2
    for index, name in enumerate(names):
        for line in range(cell_height):
            text.append("\n")
            text.append(f"{abbreviate(name, labels) if line == middle else '':<{labels}} ",
                        style="bold")
            for column in range(len(names)):
                count = int(confusion[index, column])
                content = texts[index][column] if line == middle else ""
                style = (heat_style(float(shares[index, column]), bold=index == column)
                         if count else Style(dim=True))
                text.append(f"{content:>{cell_width - 1}} ", style=style)
    return text


def _figure(value: float | None) -> str:
    return MISSING if value is None else f"{value:.3f}"


def class_figures_text(evaluation: Evaluation) -> Text:
    """Precision, recall, F1 and support of every class, a row each."""
    labels = label_width(evaluation.classes)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{'class':<{labels}} {'precision':>9} {'recall':>6} {'F1':>5} {'support':>7}",
                style="bold")
    for figures in evaluation.per_class:
        text.append(f"\n{abbreviate(figures.name, labels):<{labels}} "
                    f"{_figure(figures.precision):>9} {_figure(figures.recall):>6} "
                    f"{_figure(figures.f1):>5} {format_count(figures.support):>7}")
    return text


def pairs_text(evaluation: Evaluation) -> Text:
    """The most confused pairs, most first: true → predicted, images, share of the true class."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("most confused: true → predicted", style="bold")
    if not evaluation.confused_pairs:
        text.append("\nnone: every image is classified right")
    for pair in evaluation.confused_pairs:
        text.append(f"\n{abbreviate(pair.true, MAX_LABEL)} → "
                    f"{abbreviate(pair.predicted, MAX_LABEL)}  ")
        text.append(format_count(pair.count), style="bold")
        text.append(f" ({100 * pair.share:.1f}%)", style="dim")
    return text


def accuracy_text(evaluation: Evaluation) -> str:
    """``accuracy 0.5955 (5,955 of 10,000 images, test split)``."""
    total = len(evaluation.labels)
    right = int(np.trace(evaluation.confusion))
    return (f"accuracy {evaluation.accuracy:.4f} ({format_count(right)} of "
            f"{format_count(total)} images, {evaluation.split})")
