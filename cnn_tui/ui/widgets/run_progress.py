"""Where a run stands, under the Train tab's buttons: a state line, two bars, statistics.

The bars count batches: one over the current epoch, one over the whole run.
The statistics are the speed and ETA (while training here) and, from the
curves, the best epoch and the gap between training and validation accuracy.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, ProgressBar, Static

from cnn_tui.ui.widgets.curves import RunCurves
from cnn_tui.ui.widgets.text_update import update_text


class RunProgress(Vertical):
    """The state line (``#train-state``), the epoch and run bars, and ``#train-stats``."""

    DEFAULT_CSS = """
    RunProgress {
        height: auto;
        #train-state { height: auto; max-height: 3; margin-top: 1; }
        #train-compute { height: auto; color: $text-muted; }
        .progress { height: 1; }
        .progress Label { width: 6; }
        .progress ProgressBar { width: 1fr; }
        .progress ProgressBar Bar { width: 1fr; }
        #train-stats { height: auto; color: $text-muted; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("ready", id="train-state")
        compute = Static("", id="train-compute")
        compute.display = False  # until a run says how it computes
        yield compute
        with Horizontal(classes="progress"):
            yield Label("epoch")
            yield ProgressBar(total=1, id="epoch-progress", show_eta=False)
        with Horizontal(classes="progress"):
            yield Label("run")
            yield ProgressBar(total=1, id="run-progress", show_eta=False)
        yield Static("", id="train-stats")

    def show_state(self, text: str, *, error: bool = False) -> None:
        """One line of state; ``text`` may hold run names and paths, so it is never markup."""
        update_text(self.query_one("#train-state", Static),
                    Text(text, style="bold red" if error else ""))

    def show_compute(self, compute: Mapping[str, str]) -> None:
        """How the run computes (``RunStarted.compute``): ``replicas 2 x 128 · precision
        float32``; empty hides the line."""
        text = " · ".join(f"{label} {value}" for label, value in compute.items())
        line = self.query_one("#train-compute", Static)
        line.display = bool(text)
        line.update(Text(text))

    def reset(self) -> None:
        """Bars that pulse (the run's size is not known yet) and no statistics."""
        for bar in self.query(ProgressBar):
            bar.update(total=None, progress=0)
        self.query_one("#train-stats", Static).update("")
        self.show_compute({})

    def set_position(self, epoch: int, step: int, steps: int, epochs: int) -> None:
        """``step`` of ``steps`` batches done in ``epoch`` (1-based) of ``epochs``."""
        steps = max(steps, 1)
        self.query_one("#epoch-progress", ProgressBar).update(total=steps, progress=step)
        self.query_one("#run-progress", ProgressBar).update(
            total=steps * max(epochs, 1), progress=(epoch - 1) * steps + step)

    def epoch_done(self, epoch: int, epochs: int) -> None:
        epoch_bar = self.query_one("#epoch-progress", ProgressBar)
        epoch_bar.progress = epoch_bar.total or 0
        run_bar = self.query_one("#run-progress", ProgressBar)
        if run_bar.total:
            run_bar.progress = run_bar.total * epoch / max(epochs, 1)

    def complete(self) -> None:
        for bar in self.query(ProgressBar):
            bar.progress = bar.total or 0

    def show_stats(self, speed: str, curves: RunCurves) -> None:
        """``speed`` (may be empty), then the best epoch and the train-val gap so far."""
        lines = [Text(speed)] if speed else []
        best = curves.best_epoch()
        if best is not None:
            val = curves.history.get("val_accuracy", [])
            best_acc = val[curves.epochs.index(best)] if val else None
            lines.append(Text(f"best epoch {best}"
                              + (f": val acc {best_acc:.4f}" if best_acc else "")))
        gap = curves.gap()
        if gap is not None:
            lines.append(Text(f"train-val gap {gap:+.4f}",
                              style="bold yellow" if gap > 0.05 else ""))
        update_text(self.query_one("#train-stats", Static), Text("\n").join(lines))
