"""Several runs' curves on one plot: the tutorial's with/without-augmentation comparison.

Each run gets one colour (the Runs table marks the run with the same colour);
training is drawn as a solid braille line and validation with dots, so a run's
train/val gap reads at a glance. Built on UI-A's ``MetricPlot``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from cnn_tui.ui.widgets.curves import MetricPlot, Series

# (plotext colour, Rich colour) pairs: the same hue on the plot and in the table.
RUN_COLORS: tuple[tuple[str, str], ...] = (
    ("cyan", "cyan"),
    ("orange", "dark_orange"),
    ("green", "green"),
    ("magenta", "magenta"),
    ("red", "red"),
    ("blue", "dodger_blue1"),
    ("yellow", "yellow"),
    ("white", "white"),
)
TRAIN_MARKER = "braille"
VAL_MARKER = "dot"
METRICS = ("accuracy", "loss")


@dataclass(frozen=True)
class OverlayRun:
    """One run to draw: a short label, its colour index and its history columns."""

    label: str
    color_index: int
    history: dict[str, list[float]]


def run_color(index: int) -> tuple[str, str]:
    """(plotext colour, Rich colour) of the ``index``-th selected run."""
    return RUN_COLORS[index % len(RUN_COLORS)]


def overlay_series(runs: Sequence[OverlayRun], metric: str) -> list[Series]:
    """Training and validation lines of ``metric`` for every run, in run order."""
    series: list[Series] = []
    for run in runs:
        color = run_color(run.color_index)[0]
        epochs = [float(e) for e in run.history.get("epoch", [])]
        for key, suffix, marker in ((metric, "train", TRAIN_MARKER),
                                    (f"val_{metric}", "val", VAL_MARKER)):
            values = run.history.get(key, [])
            points = [(x, y) for x, y in zip(epochs, values, strict=False) if math.isfinite(y)]
            if points:
                xs, ys = zip(*points, strict=True)
                series.append(Series(f"{run.label} {suffix}", list(xs), list(ys), color, marker))
    return series


class RunOverlay(MetricPlot):
    """Accuracy (or loss) of the chosen runs over epochs, one colour per run."""

    DEFAULT_CSS = """
    RunOverlay {
        height: 1fr;
        min-height: 6;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("select runs with space to compare them", id=id)
        self.metric = "accuracy"
        """The metric drawn: accuracy or loss."""
        self.runs: list[OverlayRun] = []

    def show_runs(self, runs: Sequence[OverlayRun], metric: str | None = None) -> None:
        """Draw these runs (an empty list shows the hint)."""
        if metric is not None:
            if metric not in METRICS:
                raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
            self.metric = metric
        self.runs = list(runs)
        if not self.runs:
            self.draw([], title="select runs with space to compare them")
            return
        series = overlay_series(self.runs, self.metric)
        title = f"{self.metric}: train ─ solid, val • dots"
        if not series:
            title = f"no {self.metric} recorded yet in the chosen runs"
        self.draw(series, title=title)
        last_epoch = max((int(max(line.xs)) for line in series), default=0)
        if last_epoch:
            # Whole epochs on the x axis, at most ~10 ticks.
            step = max(1, round(last_epoch / 10))
            self.plt.xticks(list(range(1, last_epoch + 1, step)))
            self.refresh()
