"""The Runs tab's shift probe, as its thread worker runs it: one run after another.

``probe_targets`` imports nothing of Textual. For each run it takes the
cached probe when there is one (no TensorFlow, milliseconds), else loads the
model and the split and runs ``probe_run``; it says how far it is through
``report`` (at most every ``PROBE_PROGRESS_INTERVAL_S``), hands each run's
result to ``deliver`` as soon as it has it, and gives up at the next pass
once ``cancelled()`` is true, by raising ``ProbeAbandoned`` (``probe_run``
then caches nothing).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cnn_tui.core.inspect import (
    DIRECTIONS,
    ProbeResult,
    RunToInspect,
    cached_probe,
    checked_max_shift,
    load_run,
    probe_run,
)
from cnn_tui.ui.rates import PROBE_PROGRESS_INTERVAL_S


class ProbeAbandoned(Exception):
    """The user cancelled the probe, or started another one."""


@dataclass(frozen=True)
class ProbeTarget:
    """A run to probe, as the Runs tab names and colours it."""

    run: RunToInspect
    label: str
    """The legend's label: the run's number in the selection and its short name."""
    short_name: str
    """The name in the progress line."""
    color_index: int


def probe_targets(targets: Sequence[ProbeTarget], max_shift: int | None, *,
                  report: Callable[[str], None],
                  deliver: Callable[[int, ProbeResult], None],
                  cancelled: Callable[[], bool]) -> None:
    """Probe each target in turn (``max_shift`` None: each run's own default).

    Raises ``ProbeAbandoned`` when cancelled, and the core's ``CnnTuiError``
    (a sentence) when a run cannot be probed; the runs before it were delivered.
    """
    last_report = -PROBE_PROGRESS_INTERVAL_S
    for index, target in enumerate(targets):
        if cancelled():
            raise ProbeAbandoned
        k = checked_max_shift(target.run, max_shift)
        which = f"{target.short_name}" + (f" ({index + 1}/{len(targets)})"
                                           if len(targets) > 1 else "")

        def progress(fraction: float, text: str, *, loading: bool,
                     which: str = which, k: int = k) -> None:
            nonlocal last_report
            if cancelled():
                raise ProbeAbandoned  # probe_run caches nothing then
            now = time.monotonic()
            if 0 < fraction < 1 and now - last_report < PROBE_PROGRESS_INTERVAL_S:
                return
            last_report = now
            if loading:
                report(f"loading {which}: {text} {fraction:.0%}")
            else:
                report(f"probing {which}: {probe_step(fraction, k)}")

        result = cached_probe(target.run, max_shift)
        if result is None:
            progress(0.0, "starting", loading=True)
            loaded = load_run(target.run, lambda f, t: progress(f, t, loading=True))
            progress(0.0, "", loading=False)
            result = probe_run(loaded, max_shift,
                               progress=lambda f, t: progress(f, t, loading=False))
        deliver(index, result)


def probe_step(fraction: float, max_shift: int) -> str:
    """``shift 3/7 (left)``: where ``probe_run`` is after ``fraction`` of its passes.

    Its passes are the unshifted split, then each shift from 1 to ``max_shift``
    in the four ``DIRECTIONS``.
    """
    done = round(fraction * (1 + 4 * max_shift))
    if done <= 1:
        return f"unshifted (shift 0/{max_shift})"
    pixels, direction = divmod(done - 2, len(DIRECTIONS))
    return f"shift {pixels + 1}/{max_shift} ({list(DIRECTIONS)[direction]})"
