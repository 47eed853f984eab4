"""The Train tab: training settings, start/stop, progress and live curves.

The panel never starts training itself: its buttons post ``StartRequested``
and ``StopRequested`` and the app (which owns the worker) decides. The app
calls ``run_started``/``batch``/``epoch``/``run_ended`` as the engine's
events arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import monotonic

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.validation import Integer, Number
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static

from cnn_tui.core.errors import ConfigError
from cnn_tui.core.runs.events import BatchProgress, EpochEnded, RunStarted
from cnn_tui.core.runs.settings import OPTIMIZERS
from cnn_tui.ui.widgets.curves import TrainingCurves
from cnn_tui.ui.widgets.text_update import update_text

BATCH_TEXT_INTERVAL_S = 0.25
"""Batch progress (bars, loss, speed, ETA) is redrawn at most this often."""


@dataclass(frozen=True)
class TrainSettings:
    """What the Train tab's inputs say, already validated."""

    optimizer: str
    learning_rate: float
    batch_size: int
    epochs: int
    limit: int | None
    seed: int


def format_duration(seconds: float) -> str:
    """12s, 3m05s, 1h02m."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class TrainPanel(Horizontal):
    """Settings and controls on the left, loss/accuracy curves on the right."""

    @dataclass
    class StartRequested(Message):
        """The Start button was pressed."""

    @dataclass
    class StopRequested(Message):
        """The Stop button was pressed."""

    def __init__(self, settings: TrainSettings, *, id: str | None = "train-panel") -> None:
        super().__init__(id=id)
        self.initial = settings
        self.model_ok = True
        self.training = False
        self._unshown_batch: BatchProgress | None = None
        """The newest batch not drawn yet (the tab is hidden, or it came too soon)."""
        self._batch_shown_at = 0.0
        self._batch_timer: Timer | None = None
        """Draws ``_unshown_batch`` once the redraw interval has passed."""

    def compose(self) -> ComposeResult:
        s = self.initial
        with Vertical(id="train-side"):
            with Horizontal(classes="setting"):
                yield Label("optimizer")
                yield Select([(o, o) for o in OPTIMIZERS], value=s.optimizer,
                             allow_blank=False, id="optimizer", compact=True)
            yield from self._setting("learning rate", "lr", f"{s.learning_rate:g}",
                                     Number(minimum=1e-9, maximum=10.0))
            yield from self._setting("batch size", "batch-size", str(s.batch_size),
                                     Integer(minimum=1, maximum=65536))
            yield from self._setting("epochs", "epochs", str(s.epochs),
                                     Integer(minimum=1, maximum=100000))
            yield from self._setting("limit", "limit", "" if s.limit is None else str(s.limit),
                                     None, placeholder="all images")
            yield from self._setting("seed", "seed", str(s.seed), Integer(minimum=0))
            yield Static("", id="settings-error")
            with Horizontal(id="train-buttons"):
                yield Button("Start (t)", variant="success", id="start", compact=True)
                yield Button("Stop (s)", variant="error", id="stop", compact=True,
                             disabled=True)
            yield Static("ready", id="train-state")
            with Horizontal(classes="progress"):
                yield Label("epoch")
                yield ProgressBar(total=1, id="epoch-progress", show_eta=False)
            with Horizontal(classes="progress"):
                yield Label("run")
                yield ProgressBar(total=1, id="run-progress", show_eta=False)
            yield Static("", id="train-stats")
        yield TrainingCurves(id="curves")

    @staticmethod
    def _setting(label: str, widget_id: str, value: str, validator: Number | Integer | None,
                 placeholder: str = "") -> ComposeResult:
        with Horizontal(classes="setting"):
            yield Label(label)
            yield Input(value, id=widget_id, compact=True, placeholder=placeholder,
                        validators=[validator] if validator else [],
                        valid_empty=widget_id == "limit")

    # -- settings ---------------------------------------------------------------

    def settings(self) -> TrainSettings:
        """The validated settings; raises ConfigError naming the first bad field."""
        def number(widget_id: str, label: str, kind: type, minimum: float) -> float:
            text = self.query_one(f"#{widget_id}", Input).value.strip()
            try:
                value = kind(text)
            except ValueError:
                raise ConfigError(f"{label} {text!r} is not a number; type e.g. "
                                  f"{'0.001' if kind is float else '10'}.") from None
            if not value >= minimum:
                raise ConfigError(f"{label} must be at least {minimum:g}; change it.")
            return value

        limit_text = self.query_one("#limit", Input).value.strip()
        optimizer = self.query_one("#optimizer", Select).value
        return TrainSettings(
            optimizer=str(optimizer),
            learning_rate=number("lr", "learning rate", float, 1e-9),
            batch_size=int(number("batch-size", "batch size", int, 1)),
            epochs=int(number("epochs", "epochs", int, 1)),
            limit=int(number("limit", "limit", int, 1)) if limit_text else None,
            seed=int(number("seed", "seed", int, 0)),
        )

    def set_settings(self, settings: TrainSettings) -> None:
        """Fill the inputs, e.g. from a run's config."""
        self.query_one("#optimizer", Select).value = settings.optimizer
        self.query_one("#lr", Input).value = f"{settings.learning_rate:g}"
        self.query_one("#batch-size", Input).value = str(settings.batch_size)
        self.query_one("#epochs", Input).value = str(settings.epochs)
        self.query_one("#limit", Input).value = "" if settings.limit is None else str(
            settings.limit)
        self.query_one("#seed", Input).value = str(settings.seed)

    @on(Input.Changed)
    def _check_settings(self) -> None:
        error = self.query_one("#settings-error", Static)
        try:
            self.settings()
        except ConfigError as exc:
            error.update(Text(str(exc), style="bold red"))
            return
        error.update("")

    # -- controls ---------------------------------------------------------------

    def set_model_ok(self, ok: bool) -> None:
        """Enable Start only for a valid model (and not while training)."""
        self.model_ok = ok
        self._sync_buttons()
        if not self.training:
            self.show_state("ready" if ok else "the model has errors: fix them in the Model tab",
                            error=not ok)

    def _sync_buttons(self) -> None:
        self.query_one("#start", Button).disabled = self.training or not self.model_ok
        self.query_one("#stop", Button).disabled = not self.training

    def show_state(self, text: str, *, error: bool = False) -> None:
        update_text(self.query_one("#train-state", Static),
                    Text(text, style="bold red" if error else ""))

    @on(Button.Pressed, "#start")
    def _start_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.StartRequested())

    @on(Button.Pressed, "#stop")
    def _stop_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.StopRequested())

    # -- a run ------------------------------------------------------------------

    def run_requested(self, text: str) -> None:
        """A run was asked for (it may wait for TensorFlow)."""
        self.training = True
        self._sync_buttons()
        self.query_one(TrainingCurves).reset()
        self.query_one("#epoch-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#run-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#train-stats", Static).update("")
        self.show_state(text)

    def run_started(self, event: RunStarted) -> None:
        self.show_state(f"training on {event.n_train:,} images, "
                        f"validating on {event.n_val:,}")
        epochs = getattr(event.config, "epochs", 1)
        self.query_one("#epoch-progress", ProgressBar).update(
            total=event.steps_per_epoch, progress=0)
        self.query_one("#run-progress", ProgressBar).update(
            total=event.steps_per_epoch * epochs, progress=0)

    def batch(self, event: BatchProgress) -> None:
        """Show a batch's progress; out of sight, only the latest is kept, for on_show
        (the curves keep every batch's point and draw when they are shown)."""
        self.query_one(TrainingCurves).set_running(event.epoch, event.step, event.steps,
                                                    event.logs)
        self._unshown_batch = event
        if not self.is_on_screen:
            return
        # Each redraw of the bars and text costs the training thread CPU on a
        # small machine: a few per second is all the eye can follow.
        wait = BATCH_TEXT_INTERVAL_S - (monotonic() - self._batch_shown_at)
        if wait <= 0:
            self._show_latest_batch()
        elif self._batch_timer is None:
            self._batch_timer = self.set_timer(wait, self._show_latest_batch)

    def on_show(self) -> None:
        self._show_latest_batch()

    def _show_latest_batch(self) -> None:
        self._batch_timer = None
        if self._unshown_batch is not None and self.is_on_screen:
            event, self._unshown_batch = self._unshown_batch, None
            self._batch_shown_at = monotonic()
            self._show_batch(event)

    def _show_batch(self, event: BatchProgress) -> None:
        self.query_one("#epoch-progress", ProgressBar).update(
            total=event.steps, progress=event.step)
        self.query_one("#run-progress", ProgressBar).update(
            total=event.steps * event.epochs, progress=(event.epoch - 1) * event.steps + event.step)
        self.show_state(f"epoch {event.epoch}/{event.epochs} · "
                        f"loss {event.logs.get('loss', float('nan')):.3f} · "
                        f"acc {event.logs.get('accuracy', float('nan')):.3f}")
        self._show_stats(f"{event.images_per_s:,.0f} img/s · ETA "
                         f"{format_duration(event.eta_run_s)} "
                         f"(epoch {format_duration(event.eta_epoch_s)})")

    def epoch(self, event: EpochEnded) -> None:
        self._unshown_batch = None  # the epoch's end supersedes it
        curves = self.query_one(TrainingCurves)
        curves.add_epoch(event.epoch, event.logs)
        epoch_bar = self.query_one("#epoch-progress", ProgressBar)
        epoch_bar.progress = epoch_bar.total or 0
        run_bar = self.query_one("#run-progress", ProgressBar)
        if run_bar.total:
            run_bar.progress = run_bar.total * event.epoch / max(event.epochs, 1)
        logs = event.logs
        self.show_state(f"epoch {event.epoch}/{event.epochs} done in "
                        f"{format_duration(event.duration_s)}: val acc "
                        f"{logs.get('val_accuracy', float('nan')):.4f}")
        self._show_stats("")

    def _show_stats(self, speed: str) -> None:
        curves = self.query_one(TrainingCurves).curves
        lines = [speed] if speed else []
        best = curves.best_epoch()
        if best is not None:
            val = curves.history.get("val_accuracy", [])
            best_acc = val[curves.epochs.index(best)] if val else None
            lines.append(f"best epoch {best}" + (f": val acc {best_acc:.4f}" if best_acc else ""))
        gap = curves.gap()
        if gap is not None:
            style = "bold yellow" if gap > 0.05 else ""
            lines.append(Text(f"train-val gap {gap:+.4f}", style=style).markup)
        update_text(self.query_one("#train-stats", Static), "\n".join(lines))

    def run_ended(self, text: str, *, error: bool = False, finished: bool = False) -> None:
        self.training = False
        self._unshown_batch = None
        self._show_stats("")
        if finished:
            for bar in self.query(ProgressBar):
                bar.progress = bar.total or 0
        self._sync_buttons()
        self.show_state(text, error=error)
