"""Live training curves drawn with plotext (through textual-plotext).

``MetricPlot`` draws any number of named series on one axis, with an optional
vertical marker (the best epoch); the Runs overlay can reuse it.
``TrainingCurves`` keeps one run's history — a point per finished epoch plus
the running value inside the current epoch — and draws loss and accuracy,
training against validation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from time import monotonic

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual_plotext import PlotextPlot

from cnn_tui.ui.rates import CURVES_REDRAW_INTERVAL_S

TRAIN_COLOR = "cyan"
VAL_COLOR = "orange"
BEST_COLOR = "green"


@dataclass
class Series:
    """One line of a plot."""

    label: str
    xs: list[float]
    ys: list[float]
    color: str = TRAIN_COLOR
    marker: str = "braille"


class MetricPlot(PlotextPlot):
    """A plot of one metric (loss or accuracy) over epochs."""

    DEFAULT_CSS = """
    MetricPlot {
        min-height: 6;
    }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plot_title = title
        self.series: list[Series] = []

    def on_mount(self) -> None:
        super().on_mount()
        self.draw([])

    def draw(self, series: Sequence[Series], *, marker_x: float | None = None,
             title: str | None = None) -> None:
        """Replace the plotted series (empty ones are skipped) and repaint."""
        self.series = [s for s in series if s.xs]
        plt = self.plt
        plt.clear_data()
        plt.title(title or self.plot_title)
        plt.xlabel("epoch")
        for line in self.series:
            ys = [y if math.isfinite(y) else float("nan") for y in line.ys]
            plt.plot(line.xs, ys, label=line.label, color=line.color, marker=line.marker)
        if marker_x is not None:
            plt.vertical_line(marker_x, color=BEST_COLOR)
        self.refresh()


@dataclass
class RunCurves:
    """The metrics of one run so far."""

    epochs: list[int] = field(default_factory=list)
    history: dict[str, list[float]] = field(default_factory=dict)
    trail: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    """Running means inside the current epoch, at x = epoch - 1 + step/steps."""

    @property
    def running_x(self) -> float | None:
        """Where the current epoch is, while one runs."""
        return self.trail[-1][0] if self.trail else None

    @classmethod
    def from_history(cls, history: Mapping[str, Sequence[float]]) -> RunCurves:
        """The curves of ``read_history``'s columns (a resumed or watched run's epochs)."""
        curves = cls()
        for row, epoch in enumerate(history.get("epoch", [])):
            curves.add_epoch(int(epoch), {name: values[row] for name, values in history.items()
                                          if name != "epoch" and row < len(values)})
        return curves

    def add_epoch(self, epoch: int, logs: Mapping[str, float]) -> None:
        self.epochs.append(epoch)
        for name, value in logs.items():
            self.history.setdefault(name, []).append(float(value))
        self.trail = []

    def set_running(self, epoch: int, step: int, steps: int, logs: Mapping[str, float]) -> None:
        values = {name: float(value) for name, value in logs.items()}
        self.trail.append((epoch - 1 + step / max(steps, 1), values))

    def best_epoch(self) -> int | None:
        """The epoch with the best validation accuracy (or lowest validation loss)."""
        if self.history.get("val_accuracy"):
            values = self.history["val_accuracy"]
            return self.epochs[max(range(len(values)), key=values.__getitem__)]
        if self.history.get("val_loss"):
            values = self.history["val_loss"]
            return self.epochs[min(range(len(values)), key=values.__getitem__)]
        return None

    def gap(self) -> float | None:
        """Training minus validation accuracy at the last epoch (the overfitting signal)."""
        train, val = self.history.get("accuracy"), self.history.get("val_accuracy")
        if not train or not val:
            return None
        return train[-1] - val[-1]

    def series(self, metric: str) -> list[Series]:
        """Training (one point per epoch, then the current epoch's running means) and
        validation lines of ``metric``."""
        train = list(self.history.get(metric, []))
        xs: list[float] = [float(e) for e in self.epochs[: len(train)]]
        for x, values in self.trail:
            if metric in values:
                xs.append(x)
                train.append(values[metric])
        val = self.history.get(f"val_{metric}", [])
        return [
            Series("train", xs, train, TRAIN_COLOR),
            Series("val", [float(e) for e in self.epochs[: len(val)]], list(val), VAL_COLOR),
        ]


class TrainingCurves(Horizontal):
    """Loss and accuracy of the current run, side by side.

    Redraws are skipped while the curves are out of sight (another tab is
    shown) and caught up when they are shown again; the running trail inside
    an epoch is redrawn at most every ``CURVES_REDRAW_INTERVAL_S``.
    """

    DEFAULT_CSS = """
    TrainingCurves {
        height: 1fr;
    }
    TrainingCurves MetricPlot {
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.curves = RunCurves()
        self._stale = False
        """The data changed since the plots were last drawn."""
        self._last_drawn = 0.0
        self._catch_up: Timer | None = None

    def compose(self) -> ComposeResult:
        yield MetricPlot("loss", id="loss-plot")
        yield MetricPlot("accuracy", id="accuracy-plot")

    def reset(self) -> None:
        self.curves = RunCurves()
        self._request_redraw()

    def load_history(self, history: Mapping[str, Sequence[float]]) -> None:
        """Start over from earlier epochs (``read_history``'s columns)."""
        self.curves = RunCurves.from_history(history)
        self._request_redraw()

    def add_epoch(self, epoch: int, logs: Mapping[str, float]) -> None:
        self.curves.add_epoch(epoch, logs)
        self._request_redraw()

    def set_running(self, epoch: int, step: int, steps: int, logs: Mapping[str, float]) -> None:
        self.curves.set_running(epoch, step, steps, logs)
        self._request_redraw(throttled=True)

    def _request_redraw(self, *, throttled: bool = False) -> None:
        self._stale = True
        if not self.is_on_screen:
            return  # on_show draws it
        wait = self._last_drawn + CURVES_REDRAW_INTERVAL_S - monotonic()
        if throttled and wait > 0:
            if self._catch_up is None:
                self._catch_up = self.set_timer(wait, self._redraw_if_stale)
            return
        self.redraw()

    def _redraw_if_stale(self) -> None:
        self._catch_up = None
        if self._stale and self.is_on_screen:
            self.redraw()

    def on_show(self) -> None:
        self._redraw_if_stale()

    def redraw(self) -> None:
        self._stale = False
        self._last_drawn = monotonic()
        if self._catch_up is not None:
            self._catch_up.stop()
            self._catch_up = None
        best = self.curves.best_epoch()
        suffix = f" (best epoch {best})" if best is not None else ""
        for metric in ("loss", "accuracy"):
            plot = self.query_one(f"#{metric}-plot", MetricPlot)
            plot.draw(self.curves.series(metric), marker_x=best, title=metric + suffix)
