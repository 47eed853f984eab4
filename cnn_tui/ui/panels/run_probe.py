"""The Runs tab's shift probe: ``p`` probes the selected runs, ``k`` sets the shift, ``v``
switches the lower area between the training curves and the probe, ``escape`` cancels.

The probe is the tutorial's translation-invariance experiment (``core/inspect/probe.py``):
each run's accuracy on its validation images shifted by 0 to k pixels. The
runs are opened on the UI thread (cheap: a run without a saved model, or a
shift out of range, is refused at once with a sentence); the probing itself
runs in a thread worker (``probe_runs.probe_targets``), one run after another,
and posts its progress (replaceable), each run's curve as soon as it has it,
and its end. Each probe has a number: a cancelled one's last messages, already
on their way, are dropped. Runs of different image sizes or datasets are
probed together, each up to its own default k (a quarter of its width); a k
chosen with ``k`` must suit every run probed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.message import Message
from textual.widgets import ContentSwitcher
from textual.worker import get_current_worker

from cnn_tui.core.errors import CnnTuiError, first_line
from cnn_tui.core.inspect import (
    InspectError,
    ProbeResult,
    checked_max_shift,
    max_shift_for,
    open_run,
)
from cnn_tui.ui.panels.probe_runs import ProbeAbandoned, ProbeTarget, probe_targets
from cnn_tui.ui.panels.runs_rows import RunRow, legend_label, short_label
from cnn_tui.ui.screens.text_prompt import TextPromptScreen
from cnn_tui.ui.thread_priority import lower_this_thread
from cnn_tui.ui.widgets.probe_plot import ProbeCurve, ProbeView

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:
    _Base = object

CURVES_VIEW = "runs-overlay"
PROBE_VIEW = "runs-probe"
AUTO = "auto"
"""What ``k`` takes for "each run's own default"."""


@dataclass
class ProbeProgress(Message, namespace="runs_panel"):
    """How far probe number ``probe`` is; a newer one replaces an unhandled one."""

    bubble: ClassVar[bool] = False
    probe: int
    text: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ProbeProgress) and message.probe == self.probe


@dataclass
class ProbeDelivered(Message, namespace="runs_panel"):
    """One run of probe number ``probe`` is done: its curve."""

    bubble: ClassVar[bool] = False
    probe: int
    curve: ProbeCurve


@dataclass
class ProbeEnded(Message, namespace="runs_panel"):
    """Probe number ``probe`` is over: every run done, or ``error`` (a sentence)."""

    bubble: ClassVar[bool] = False
    probe: int
    error: str = ""


@dataclass
class _Probe:
    """The probe in progress."""

    number: int
    stop: threading.Event = field(default_factory=threading.Event)


_numbers = count(1)


class RunProbe(_Base):
    """``p``, ``k``, ``v`` and ``escape`` (a mixin of ``RunsPanel``, which binds the keys)."""

    _target_rows: Callable[[], list[RunRow]]
    """RunsPanel's: the selected rows, or the highlighted one."""
    selected: list[str]

    probe_shift: int | None = None
    """The largest shift chosen with ``k``; None: each run's default."""
    _probe: _Probe | None = None
    _probe_curves: tuple[ProbeCurve, ...] = ()
    """The last probe's curves so far, in the order of its runs."""

    @property
    def probe_view(self) -> ProbeView:
        return self.query_one(ProbeView)

    @property
    def probing(self) -> bool:
        return self._probe is not None

    def action_probe(self) -> None:
        """Probe the selected runs (or the highlighted one) at the chosen shift."""
        targets = self._open_targets()
        if targets is not None and self._check_shift(targets, self.probe_shift):
            self._start_probe(targets, self.probe_shift)

    def action_choose_shift(self) -> None:
        """Ask for the largest shift, then probe with it."""
        targets = self._open_targets()
        if targets is None:
            return
        limits = sorted({max_shift_for(target.run.input_shape) for target in targets})
        limit = f"0 to {limits[0]}" if len(limits) == 1 else f"0 to {limits[0]} for these runs"
        current = AUTO if self.probe_shift is None else str(self.probe_shift)

        def answer(text: str | None) -> None:
            if text is None:
                return
            shift: int | None
            if text.lower() == AUTO:
                shift = None
            else:
                try:
                    shift = int(text)
                except ValueError:
                    self.notify(f"The shift must be a whole number of pixels ({limit}) or "
                                f"{AUTO}, not {text!r}.", title="Not probed", severity="error",
                                markup=False)
                    return
            if self._check_shift(targets, shift):
                self.probe_shift = shift
                self._start_probe(targets, shift)

        self.app.push_screen(
            TextPromptScreen(f"Largest shift to probe, in pixels ({limit}: up to a quarter of "
                             f"the image width), or {AUTO} for a quarter of each run's width:",
                             current, placeholder=f"pixels or {AUTO}"),
            answer)

    def action_toggle_view(self) -> None:
        """Show the training curves or the shift probe under the table."""
        switcher = self.query_one(ContentSwitcher)
        switcher.current = PROBE_VIEW if switcher.current == CURVES_VIEW else CURVES_VIEW

    def action_cancel_probe(self) -> None:
        if self._probe is None:
            return
        self._end_probe()
        done = len(self._probe_curves)
        self.probe_view.show_state("probe cancelled" + (
            f": the {done} run{'' if done == 1 else 's'} probed before it shown" if done else ""))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_probe":
            return self._probe is not None  # otherwise escape goes on to whoever wants it
        return True

    def _open_targets(self) -> list[ProbeTarget] | None:
        """The runs to probe, opened (cheap); None, with a notification, when one cannot be."""
        rows = self._target_rows()
        if not rows:
            self.notify("No runs to probe: select some with space.", severity="warning")
            return None
        targets = []
        for row in rows:
            try:
                run = open_run(row.path)
            except InspectError as error:
                self._refuse(str(error))
                return None
            color_index = self.selected.index(row.name) if row.name in self.selected else 0
            targets.append(ProbeTarget(run, f"{color_index + 1} {legend_label(row)}",
                                       short_label(row.name), color_index))
        return targets

    def _check_shift(self, targets: list[ProbeTarget], shift: int | None) -> bool:
        try:
            for target in targets:
                checked_max_shift(target.run, shift)
        except InspectError as error:
            self._refuse(f"{error} Press k to choose another (or {AUTO}).")
            return False
        return True

    def _refuse(self, text: str) -> None:
        self.notify(text, title="Not probed", severity="error", markup=False)

    def _start_probe(self, targets: list[ProbeTarget], shift: int | None) -> None:
        self._end_probe()  # a probe already running gives way at its next pass
        probe = _Probe(next(_numbers))
        self._probe = probe
        self._probe_curves = ()
        self.query_one(ContentSwitcher).current = PROBE_VIEW
        view = self.probe_view
        view.show_curves([])
        runs = f"{len(targets)} runs" if len(targets) > 1 else targets[0].short_name
        view.show_state(f"probing {runs}… escape cancels")
        self.refresh_bindings()
        self._probe_worker(probe, targets, shift)

    def _end_probe(self) -> None:
        if self._probe is not None:
            self._probe.stop.set()
            self._probe = None
            self.refresh_bindings()

    @work(thread=True, group="probe", exit_on_error=False, description="probing runs")
    def _probe_worker(self, probe: _Probe, targets: list[ProbeTarget],
                      shift: int | None) -> None:
        lower_this_thread()  # TensorFlow's predictions yield the CPU to the keys
        worker = get_current_worker()

        def cancelled() -> bool:
            return probe.stop.is_set() or worker.is_cancelled

        def post(message: Message) -> None:
            if not cancelled():
                self.post_message(message)

        def deliver(index: int, result: ProbeResult) -> None:
            post(ProbeDelivered(probe.number, _curve(targets[index], result)))

        try:
            probe_targets(targets, shift, cancelled=cancelled, deliver=deliver,
                          report=lambda text: post(ProbeProgress(probe.number, text)))
        except ProbeAbandoned:
            return
        except CnnTuiError as error:
            post(ProbeEnded(probe.number, str(error)))
        except Exception as error:  # noqa: BLE001 - shown, never a crash of the app
            post(ProbeEnded(probe.number, f"the probe failed ({type(error).__name__}: "
                                          f"{first_line(error, 200)})."))
        else:
            post(ProbeEnded(probe.number))

    def _current(self, number: int) -> _Probe | None:
        return self._probe if self._probe is not None and self._probe.number == number else None

    def on_runs_panel_probe_progress(self, message: ProbeProgress) -> None:
        if self._current(message.probe):
            self.probe_view.show_state(f"{message.text} · escape cancels")

    def on_runs_panel_probe_delivered(self, message: ProbeDelivered) -> None:
        if self._current(message.probe):
            self._probe_curves += (message.curve,)
            self.probe_view.show_curves(self._probe_curves)

    def on_runs_panel_probe_ended(self, message: ProbeEnded) -> None:
        probe = self._current(message.probe)
        if probe is None:
            return
        self._end_probe()
        view = self.probe_view
        if message.error:
            view.show_state(f"probe failed: {message.error}", error=True)
            self._refuse(message.error)
            return
        view.show_state(_done_text(self._probe_curves))

    def on_unmount(self) -> None:
        self._end_probe()  # quitting: the worker stops at its next pass


def _curve(target: ProbeTarget, result: ProbeResult) -> ProbeCurve:
    return ProbeCurve(target.label, target.color_index, result.shifts, result.accuracy,
                      result.n_images)


def _done_text(curves: tuple[ProbeCurve, ...]) -> str:
    """What the plot shows (the legend above it names the runs): how many images, how far."""
    images = [curve.n_images for curve in curves]
    shifts = [len(curve.shifts) - 1 for curve in curves]
    on = (f"{images[0]:,} validation images" if len(set(images)) == 1
          else "their validation images (" + ", ".join(f"{n:,}" for n in images) + ")")
    upto = (f"{shifts[0]} px" if len(set(shifts)) == 1
            else "each run's k (" + ", ".join(str(k) for k in shifts) + " px)")
    return f"accuracy on {on} shifted 0 to {upto} · v curves, k shift, p again"
