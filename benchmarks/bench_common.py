"""Timing, trial bookkeeping and the printed table, shared by the benchmark parts.

Nothing here imports TensorFlow: the helpers work on plain numbers so that the
smoke test can check them in milliseconds.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class Trial:
    """One timed run of one side of a comparison."""

    side: str
    """What ran, e.g. ``engine`` or ``plain model.fit``."""
    trial: int
    """1-based round number; the two sides of a ratio share it."""
    images_per_s: float
    images_per_cpu_s: float | None = None
    """Images per second of this process's CPU time (all threads), when measured.

    A cross-check for a shared machine: other processes stealing the cores
    slow the wall clock but barely change the CPU time a run needs.
    """


@dataclass(frozen=True)
class Throughput:
    """What one side's run measured."""

    images_per_s: float
    images_per_cpu_s: float | None = None


class EpochClock:
    """Stamps the wall clock and the process's CPU clock at every epoch end."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def mark(self, wall: float | None = None) -> None:
        """Record an epoch end; ``wall`` when the moment was stamped elsewhere."""
        self.cpu.append(time.process_time())
        self.wall.append(time.perf_counter() if wall is None else wall)

    def throughput(self, images_per_epoch: int) -> Throughput:
        return Throughput(
            steady_throughput(self.wall, images_per_epoch),
            steady_throughput(self.cpu, images_per_epoch),
        )


@dataclass(frozen=True)
class Ratio:
    """A figure the benchmark reports as ``name=value``."""

    name: str
    value: float
    goal: str
    """Human text such as ``>= 0.99``, printed in the table only."""
    detail: str = ""
    """How it was computed, e.g. the per-round ratios."""
    unit_format: str = "{:.3f}"

    def formatted(self) -> str:
        return self.unit_format.format(self.value)


@dataclass
class Results:
    """Everything measured in one benchmark run, in the order it ran."""

    trials: list[Trial] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def images_per_s(self, side: str) -> list[float]:
        return [t.images_per_s for t in self.trials if t.side == side]


def round_orders(sides: Sequence[str], rounds: int) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(round, sides in the order to run them)``, rotating the order each round.

    With two sides this is A B, B A, A B...: each side runs first as often as
    the other, so a machine that speeds up or slows down over the run (thermal
    drift, a neighbour's job) biases neither side.
    """
    count = len(sides)
    for index in range(rounds):
        shift = index % count
        yield index + 1, [*sides[shift:], *sides[:shift]]


def run_rounds(
    results: Results, sides: dict[str, Callable[[], Throughput]], rounds: int
) -> None:
    """Run every side once a round, in rotating order, recording and printing each trial."""
    for round_number, order in round_orders(list(sides), rounds):
        for side in order:
            measured = sides[side]()
            results.trials.append(
                Trial(side, round_number, measured.images_per_s, measured.images_per_cpu_s)
            )
            cpu = (
                f" ({measured.images_per_cpu_s:.1f} per CPU-s)"
                if measured.images_per_cpu_s
                else ""
            )
            say(f"  {side:<42} round {round_number}: {measured.images_per_s:10.1f} images/s{cpu}")


def paired_ratios(
    results: Results, numerator: str, denominator: str, *, per_cpu: bool = False
) -> list[float]:
    """``numerator / denominator`` for each round in which both sides ran."""
    by_round: dict[int, dict[str, float | None]] = {}
    for trial in results.trials:
        value = trial.images_per_cpu_s if per_cpu else trial.images_per_s
        by_round.setdefault(trial.trial, {})[trial.side] = value
    ratios = []
    for _, sides in sorted(by_round.items()):
        top, bottom = sides.get(numerator), sides.get(denominator)
        if top is not None and bottom:
            ratios.append(top / bottom)
    return ratios


def median_ratio(
    results: Results, name: str, numerator: str, denominator: str, goal: str
) -> Ratio:
    """The median of the per-round ratios, recorded in ``results``."""
    ratios = paired_ratios(results, numerator, denominator)
    if not ratios:
        raise ValueError(f"no round has both {numerator!r} and {denominator!r}")
    detail = "rounds: " + " ".join(f"{value:.3f}" for value in ratios)
    cpu_ratios = paired_ratios(results, numerator, denominator, per_cpu=True)
    if cpu_ratios:
        detail += f"; per CPU-s: {statistics.median(cpu_ratios):.3f}"
    ratio = Ratio(name, statistics.median(ratios), goal, detail)
    results.ratios.append(ratio)
    return ratio


def steady_throughput(epoch_end_times: Sequence[float], images_per_epoch: int) -> float:
    """Images/s over the epochs after the first, from the times each epoch ended.

    The first epoch pays for tracing and graph building; timing from its end to
    the last epoch's end measures the steady state, including whatever a
    training loop does between epochs (validation, callbacks, writing history).
    """
    if len(epoch_end_times) < 2:
        raise ValueError("need at least two epochs to time the steady state")
    elapsed = epoch_end_times[-1] - epoch_end_times[0]
    if elapsed <= 0:
        raise ValueError("epoch end times must increase")
    return (len(epoch_end_times) - 1) * images_per_epoch / elapsed


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile with linear interpolation (numpy's default method)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def format_table(results: Results) -> str:
    """The trials, then the ratios with their goals, as aligned plain text."""
    lines = [f"{'side':<42} {'trial':>5} {'images/s':>10} {'per CPU-s':>10}", "-" * 70]
    for trial in results.trials:
        cpu = f"{trial.images_per_cpu_s:.1f}" if trial.images_per_cpu_s else "-"
        lines.append(
            f"{trial.side:<42} {trial.trial:>5} {trial.images_per_s:>10.1f} {cpu:>10}"
        )
    if results.ratios:
        lines += ["", f"{'figure':<34} {'value':>10}  {'goal':<8} detail", "-" * 79]
        for ratio in results.ratios:
            lines.append(
                f"{ratio.name:<34} {ratio.formatted():>10}  {ratio.goal:<8} {ratio.detail}"
            )
    return "\n".join(lines)


def format_figures(results: Results) -> str:
    """The ``name=value`` lines that end the output."""
    return "\n".join(f"{ratio.name}={ratio.formatted()}" for ratio in results.ratios)


def describe_machine() -> str:
    """Python, CPU count and platform; the accelerator is added once TF is loaded."""
    return (
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPU cores"
    )


def describe_load() -> str:
    """The 1/5/15-minute load averages: how much else wants the cores right now."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average unavailable"
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def describe_devices() -> str:
    """TensorFlow's version and the devices it trains on (imports TensorFlow)."""
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = []
        for gpu in gpus:
            details = tf.config.experimental.get_device_details(gpu)
            names.append(details.get("device_name", gpu.name))
        device = "GPU: " + ", ".join(names)
    else:
        device = "CPU only (no GPU visible to TensorFlow)"
    return f"tensorflow {tf.__version__}, keras {keras.__version__}; device: {device}"


def say(text: str = "") -> None:
    """Print progress to stdout at once (stderr belongs to TensorFlow's log)."""
    print(text, flush=True)
