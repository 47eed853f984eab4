"""Training progress for the terminal: a live bar on a TTY, plain lines when piped.

The runner emits plain events; this turns them into text. Epoch lines and
status lines are always printed whole, so a log captured from a pipe reads
like Keras's ``verbose=2``.
"""

from __future__ import annotations

import shutil
from typing import TextIO

from cnn_tui.core.runs import events as ev
from cnn_tui.core.time_format import format_duration

_ORDER = ("loss", "accuracy", "val_loss", "val_accuracy")


def format_logs(logs: dict[str, float]) -> str:
    names = [n for n in _ORDER if n in logs] + sorted(n for n in logs if n not in _ORDER)
    return "  ".join(f"{name} {logs[name]:.4f}" for name in names)


class ProgressPrinter:
    """Callable that the runner's ``emit`` points at."""

    def __init__(self, out: TextIO, *, live: bool) -> None:
        self.out = out
        self.live = live
        self._bar_shown = False
        self._gone = False
        """The terminal went away (SIGHUP, closed pipe): the run goes on silently."""

    def __call__(self, event: ev.RunEvent) -> None:
        if self._gone:
            return
        try:
            self._show(event)
        except (OSError, ValueError):
            self._gone = True

    def _show(self, event: ev.RunEvent) -> None:
        if isinstance(event, ev.BatchProgress):
            if self.live:
                self._draw_bar(event)
            return
        self._clear_bar()
        line = self._describe(event)
        if line:
            print(line, file=self.out, flush=True)

    def _describe(self, event: ev.RunEvent) -> str | None:
        if isinstance(event, ev.StatusChanged):
            return event.text
        if isinstance(event, ev.RunStarted):
            return self._started(event)
        if isinstance(event, ev.EpochEnded):
            rate = "" if event.learning_rate is None else f"  lr {event.learning_rate:.3g}"
            return (
                f"epoch {event.epoch}/{event.epochs}  {format_logs(event.logs)}{rate}  "
                f"({event.duration_s:.1f}s)"
            )
        if isinstance(event, ev.RunFinished):
            why = f" ({event.reason})" if event.reason else ""
            return f"finished{why}: test {format_logs(event.test_metrics)}"
        if isinstance(event, ev.RunStopped):
            return (f"stopped ({event.reason}) after {event.epochs_done} complete epoch(s); "
                    "model saved; go on with cnn-tui train --resume " + str(event.run_dir))
        if isinstance(event, ev.RunFailed):
            return None  # the CLI prints failures on stderr itself
        return None

    @staticmethod
    def _started(event: ev.RunStarted) -> str:
        if event.initial_epoch:
            line = (f"resuming {event.run_dir} after epoch {event.initial_epoch}: "
                    f"{event.n_train} training images, {event.n_val} validation images")
        else:
            line = (f"run {event.run_dir}: {event.n_train} training images, {event.n_val} "
                    f"validation images, {event.steps_per_epoch} steps per epoch")
        # The Train tab's compute line (the replicas, what precision and XLA auto chose
        # here), in ASCII: a pipe under LANG=C cannot encode the tab's middle dot.
        compute = "; ".join(f"{label} {value}" for label, value in event.compute.items())
        return f"{line}\n{compute}" if compute else line

    def _draw_bar(self, event: ev.BatchProgress) -> None:
        width = shutil.get_terminal_size((80, 24)).columns
        stats = (
            f" {event.step}/{event.steps} {format_logs(event.logs)} "
            f"{event.images_per_s:,.0f} img/s ETA {format_duration(event.eta_epoch_s, 'clock')}"
        )
        head = f"epoch {event.epoch}/{event.epochs} "
        bar_width = max(10, width - len(head) - len(stats) - 3)
        filled = int(bar_width * event.step / max(event.steps, 1))
        line = f"{head}[{'=' * filled}{'.' * (bar_width - filled)}]{stats}"
        self.out.write("\r" + line[: width - 1])
        self.out.flush()
        self._bar_shown = True

    def _clear_bar(self) -> None:
        if self._bar_shown:
            width = shutil.get_terminal_size((80, 24)).columns
            self.out.write("\r" + " " * (width - 1) + "\r")
            self._bar_shown = False
