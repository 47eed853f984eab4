"""The shift probe of several runs: accuracy against shift, overlaid, and the numbers.

The translation-invariance experiment of the tutorial: each run's accuracy
on its validation images moved by 0, 1, ..., k pixels (each shift the mean
of up, down, left and right). One line per run, in the run's colour (the
Runs table's mark), drawn like the overlay of training curves
(``run_overlay.py``), under a legend line naming each run; beside it a small
table of the same numbers, a row per shift and a column per run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from cnn_tui.ui.widgets.curves import MetricPlot, Series
from cnn_tui.ui.widgets.run_overlay import TRAIN_MARKER, run_color
from cnn_tui.ui.widgets.text_update import update_text

PROBE_HINT = ("no probe yet: p probes the selected runs (or the highlighted one) on shifted "
              "images, k chooses the shift · v curves")
EMPTY_TITLE = "accuracy on shifted images"
TITLE = "accuracy, mean of 4 directions"


@dataclass(frozen=True)
class ProbeCurve:
    """One run's probe: its legend label, colour index and accuracy per shift."""

    label: str
    color_index: int
    shifts: tuple[int, ...]
    accuracy: tuple[float, ...]
    n_images: int


def probe_series(curves: Sequence[ProbeCurve]) -> list[Series]:
    """A line of accuracy against shift for every run, in run order."""
    return [Series(curve.label, [float(s) for s in curve.shifts], list(curve.accuracy),
                   run_color(curve.color_index)[0], TRAIN_MARKER)
            for curve in curves if curve.shifts]


def probe_table(curves: Sequence[ProbeCurve]) -> Table:
    """A row per shift, a column per run (headed by its mark), ``-`` past a run's k."""
    table = Table(box=None, padding=(0, 1), show_edge=False, pad_edge=False)
    table.add_column("shift", justify="right")
    for curve in curves:
        mark = f"●{curve.color_index + 1}"
        table.add_column(Text(mark, style=run_color(curve.color_index)[1]), justify="right")
    longest = max((len(curve.shifts) for curve in curves), default=0)
    for shift in range(longest):
        table.add_row(f"{shift} px", *(f"{curve.accuracy[shift]:.4f}"
                                       if shift < len(curve.accuracy) else "-"
                                       for curve in curves))
    return table


class ProbePlot(MetricPlot):
    """Accuracy (0-1) against the shift in pixels, one line per run.

    Its legend is a line above it (``probe_legend``), not plotext's: that one sits
    in the top-left corner, where every curve starts (shift 0, the best accuracy).
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(EMPTY_TITLE, id=id)
        self.curves: list[ProbeCurve] = []

    def show_curves(self, curves: Sequence[ProbeCurve]) -> None:
        """Draw these runs' probes (an empty list shows the hint)."""
        self.curves = list(curves)
        self.draw(probe_series(self.curves), title=TITLE if self.curves else EMPTY_TITLE)

    def draw(self, series: Sequence[Series], *, marker_x: float | None = None,
             title: str | None = None) -> None:
        """``MetricPlot.draw`` on the probe's axes, without plotext's legend."""
        self.series = [line for line in series if line.xs]
        plt = self.plt
        plt.clear_data()
        plt.title(title or self.plot_title)
        plt.xlabel("shift (pixels)")
        for line in self.series:
            plt.plot(line.xs, line.ys, color=line.color, marker=line.marker)
        plt.ylim(0, 1)
        longest = max((int(max(line.xs)) for line in self.series), default=0)
        plt.xticks(list(range(longest + 1)) if longest else [0, 1])
        self.refresh()


def probe_legend(curves: Sequence[ProbeCurve]) -> Text:
    """``●1 seed-mlp-mnist (aug none)  ●2 …``, each in its run's colour."""
    legend = Text()
    for number, curve in enumerate(curves):
        if number:
            legend.append("   ")
        legend.append(f"●{curve.label}", style=run_color(curve.color_index)[1])
    return legend


class ProbeView(Vertical):
    """The probe's state line over its plot and its table of numbers."""

    DEFAULT_CSS = """
    ProbeView {
        height: 1fr;
        #probe-state {
            height: 1; color: $text-muted; padding: 0 1;
            text-wrap: nowrap; text-overflow: ellipsis;
        }
        #probe-state.-error { color: $error; }
        #probe-legend { height: auto; padding: 0 1; }
        #probe-body { height: 1fr; }
        #probe-plot { width: 1fr; height: 1fr; min-height: 6; }
        #probe-table { width: auto; height: auto; max-height: 100%; padding: 0 1; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(PROBE_HINT, id="probe-state")
        yield Static(id="probe-legend")
        with Horizontal(id="probe-body"):
            yield ProbePlot(id="probe-plot")
            yield Static(id="probe-table")

    @property
    def plot(self) -> ProbePlot:
        return self.query_one(ProbePlot)

    def show_curves(self, curves: Sequence[ProbeCurve]) -> None:
        self.plot.show_curves(curves)
        legend = self.query_one("#probe-legend", Static)
        legend.display = bool(curves)
        legend.update(probe_legend(curves))
        table = self.query_one("#probe-table", Static)
        table.display = bool(curves)
        table.update(probe_table(curves) if curves else "")

    def show_state(self, text: str, *, error: bool = False) -> None:
        """The line above the plot: progress, what is shown, or why the probe failed."""
        state = self.query_one("#probe-state", Static)
        state.set_class(error, "-error")
        update_text(state, Text(text))  # it holds run names: never markup
