"""The TUI's figures: first paint, training throughput under the UI, key latency.

* ``first_paint_s``: the real ``cnn-tui`` program (the venv's console script,
  default options, a fresh runs directory) started in a detached tmux pane
  of 120x40; the clock starts just before ``tmux new-session`` and stops at
  the first ``capture-pane`` (polled every ~20 ms) that shows the shape
  table's last layer and the model's total parameter count, i.e. the whole
  shape table is on screen. The median of a few launches (the first is the
  coldest) is reported.
* ``tui_vs_headless``: the app driven by Textual's Pilot (``run_test`` at
  120x40, headless driver: every frame is composed as on a terminal, only
  the final write of escape codes is skipped) trains a config by pressing
  ``t``; the headless side calls ``run_training`` with the identical config.
  Both load the same real MNIST subset from an .npz, and both are timed from
  the epoch-end events (``TrainingEpoch.time`` is set in the training thread
  when the event is emitted; headless, the emit callback's clock), first
  epoch excluded.
* ``key_latency_p95_ms``: while a run trains (after its first batch), keys
  are pressed through the Pilot at a typing pace, cycling ``2`` (show the
  Model tab), ``down``, ``up`` (move the layer table's cursor) and ``4``
  (back to the Train tab and its live curves). Each latency is the time from
  posting the key to the first composed frame that shows its effect
  (``App._display`` is wrapped to stamp every frame with the active tab and
  the cursor row at that moment). It runs in a process of its own, as the app
  does for a user: there the app starts TensorFlow's thread pools itself,
  below the UI thread's priority.
"""

from __future__ import annotations

import asyncio
import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter, sleep
from typing import Any

import numpy as np
from bench_common import (
    REPO_ROOT,
    EpochClock,
    Ratio,
    Results,
    Throughput,
    median_ratio,
    percentile,
    run_rounds,
    say,
)

TUI_SIDE = "TUI (Pilot, pressing t)"
HEADLESS_SIDE = "headless run_training"
FIRST_PAINT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class TuiSetup:
    """What the TUI figures share: a real data file and the run settings."""

    data_file: Path
    """An .npz (x_train, y_train, x_test, y_test) of real MNIST images."""
    n_train: int
    model: str
    epochs: int
    seed: int
    runs_dir: Path


def write_npz(dataset: Any, path: Path) -> Path:
    """Save the bench's training images and validation slice as a Keras-layout .npz."""
    np.savez(
        path,
        x_train=dataset.x_train,
        y_train=dataset.y_train,
        x_test=dataset.x_val,
        y_test=dataset.y_val,
    )
    return path


# -- first paint ---------------------------------------------------------------------


def shape_table_markers(model: str) -> tuple[str, ...]:
    """Text on screen only once the shape table is: its first layer's row and the totals.

    The totals line sits under the table and comes from the same shape report;
    the last layers may be scrolled out of sight on a small terminal.
    """
    from cnn_tui.core.datasets import peek_dataset
    from cnn_tui.core.shapes import infer_shapes
    from cnn_tui.core.spec import load_spec

    info = peek_dataset("mnist")
    report = infer_shapes(load_spec(model), info.input_shape, info.num_classes)
    first = report.rows[0]
    return (first.type, f"{first.params:,}", f"{report.total_params:,}")


# A tmux server of our own, so that other sessions' options and sizes do not apply.
TMUX_SOCKET = f"cnn-tui-bench-{os.getpid()}"


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", TMUX_SOCKET, *args], capture_output=True, text=True, check=False
    ).stdout


def first_paint_once(
    runs_dir: Path, model: str, markers: tuple[str, ...], session: str
) -> float:
    """Seconds from starting ``cnn-tui`` in tmux until ``markers`` are all on screen."""
    program = REPO_ROOT / ".venv" / "bin" / "cnn-tui"
    command = f"cd {runs_dir} && {program} --model {model} --runs-dir {runs_dir}"
    return paint_time(command, markers, session)


def minimal_paint_once(runs_dir: Path, session: str) -> float:
    """Seconds from starting ``minimal_app.py`` in tmux until its table is on screen."""
    from minimal_app import MARKER

    python = REPO_ROOT / ".venv" / "bin" / "python"
    script = Path(__file__).with_name("minimal_app.py")
    return paint_time(f"cd {runs_dir} && {python} {script}", (MARKER,), session)


def paint_time(command: str, markers: tuple[str, ...], session: str) -> float:
    """Seconds from starting ``command`` in a 120x40 tmux window until ``markers`` show."""
    tmux("kill-session", "-t", session)
    start = perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
    screen = ""
    try:
        while perf_counter() - start < FIRST_PAINT_TIMEOUT_S:
            screen = tmux("capture-pane", "-p", "-t", session)
            if all(marker in screen for marker in markers):
                return perf_counter() - start
            sleep(0.02)
        raise RuntimeError(
            f"the shape table did not appear within {FIRST_PAINT_TIMEOUT_S:.0f} s; "
            f"the screen showed:\n{screen}"
        )
    finally:
        tmux("send-keys", "-t", session, "q")
        sleep(0.5)
        tmux("kill-session", "-t", session)


def run_first_paint(results: Results, model: str, runs_dir: Path, launches: int) -> None:
    if shutil.which("tmux") is None:
        results.notes.append("first_paint_s skipped: tmux is not installed")
        say("first paint: skipped (tmux is not installed)")
        return
    # Both apps start from bytecode, as an installed package does (pip compiles it;
    # `make run` runs compileall too): Textual's is there, and with
    # PYTHONDONTWRITEBYTECODE set Python would otherwise compile cnn-tui's every launch.
    compileall.compile_dir(str(REPO_ROOT / "cnn_tui"), quiet=1)
    compileall.compile_file(str(Path(__file__).with_name("minimal_app.py")), quiet=1)
    markers = shape_table_markers(model)
    say(f"first paint: cnn-tui in tmux 120x40, waiting for {', '.join(markers)} on screen,"
        " alternated with a minimal Textual app (header, tabs, a two-row table, footer)")
    times, minimal = [], []
    try:
        for launch in range(1, launches + 1):
            # Alternate which goes first, so a warm disk cache favours neither.
            pair = [lambda: first_paint_once(runs_dir, model, markers, "first-paint"),
                    lambda: minimal_paint_once(runs_dir, "minimal-paint")]
            order = pair if launch % 2 else pair[::-1]
            seconds = [run() for run in order]
            ours, theirs = seconds if launch % 2 else seconds[::-1]
            times.append(ours)
            minimal.append(theirs)
            say(f"  launch {launch}: cnn-tui {ours:.3f} s, minimal app {theirs:.3f} s")
    finally:
        tmux("kill-server")
    detail = "launches: " + " ".join(f"{t:.3f}" for t in times) + " s (median)"
    results.ratios.append(Ratio("first_paint_s", float(np.median(times)), "<= 0.5", detail,
                                "{:.3f}"))
    ratios = [ours / theirs for ours, theirs in zip(times, minimal, strict=True)]
    results.ratios.append(Ratio(
        "first_paint_vs_minimal_app", float(np.median(ratios)), "<= 1.3",
        "minimal app: " + " ".join(f"{t:.3f}" for t in minimal) + " s", "{:.2f}"))


# -- training from the TUI -----------------------------------------------------------


def make_app(setup: TuiSetup, epochs: int, native_log: Any) -> Any:
    from cnn_tui.ui.app import CnnTuiApp
    from cnn_tui.ui.options import LaunchOptions

    options = LaunchOptions(dataset=str(setup.data_file), model=setup.model, epochs=epochs,
                            runs_dir=setup.runs_dir, seed=setup.seed)
    return CnnTuiApp(options, native_log=native_log)


async def wait_until(pilot: Any, condition: Any, timeout: float, what: str,
                     interval: float = 0.2) -> None:
    deadline = perf_counter() + timeout
    while not condition():
        if perf_counter() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(interval)


async def tui_throughput_async(setup: TuiSetup, native_log: Any) -> Throughput:
    from cnn_tui.ui.messages import TrainingEnded, TrainingEpoch

    clock = EpochClock()
    ended: list[Any] = []

    def hook(message: Any) -> None:
        if isinstance(message, TrainingEpoch):
            # Textual stamps a message when it is created: in the training
            # thread, at the moment the engine emitted the event. The CPU clock
            # is read here, on the UI thread, a queue's wait later.
            clock.mark(wall=message.time)
        elif isinstance(message, TrainingEnded):
            ended.append(message.event)

    app = make_app(setup, setup.epochs, native_log)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await wait_until(pilot, lambda: app.keras_ready, 120, "TensorFlow to load")
        await pilot.press("t")
        await wait_until(pilot, lambda: bool(ended), 900, "the run to end", 0.5)
        await pilot.press("q")
    if type(ended[0]).__name__ != "RunFinished":
        raise RuntimeError(f"the TUI's run did not finish: {ended[0]}")
    return clock.throughput(setup.n_train)


def headless_throughput(setup: TuiSetup, native_log: Any) -> Throughput:
    from cnn_tui.core.runs.events import EpochEnded
    from cnn_tui.core.runs.runner import run_training
    from cnn_tui.core.spec import load_spec
    from cnn_tui.ui.options import LaunchOptions
    from cnn_tui.ui.train_config import build_train_config

    # The same defaults and the same conversion the app uses for its run.
    options = LaunchOptions(dataset=str(setup.data_file), model=setup.model,
                            epochs=setup.epochs, runs_dir=setup.runs_dir, seed=setup.seed)
    config = build_train_config(dataset=options.dataset, spec=load_spec(options.model),
                                augment=None, values=options.train_values(),
                                runs_dir=setup.runs_dir)
    clock = EpochClock()

    def emit(event: Any) -> None:
        if isinstance(event, EpochEnded):
            clock.mark()

    outcome = run_training(config, emit, threading.Event(), native_log=native_log)
    if outcome.state != "finished":
        raise RuntimeError(f"the headless run ended {outcome.state}: {outcome.message}")
    return clock.throughput(setup.n_train)


def run_tui_vs_headless(results: Results, setup: TuiSetup, rounds: int, native_log: Any) -> None:
    say(f"TUI vs headless: {setup.model}, {setup.n_train} images, {setup.epochs} epochs a trial")
    sides = {
        TUI_SIDE: lambda: asyncio.run(tui_throughput_async(setup, native_log)),
        HEADLESS_SIDE: lambda: headless_throughput(setup, native_log),
    }
    run_rounds(results, sides, rounds)
    median_ratio(results, "tui_vs_headless", TUI_SIDE, HEADLESS_SIDE, ">= 0.97")


# -- key latency -----------------------------------------------------------------------


# Each press: the key, what it is, and the screen state it must lead to
# (active tab, layer-table cursor row). Pressing ``t`` shows the Train tab;
# ``2`` shows the Model tab with the layer table focused, ``4`` the Train tab.
KEY_CYCLE: tuple[tuple[str, str, tuple[str, int | None]], ...] = (
    ("2", "tab switch", ("model-tab", None)),
    ("down", "cursor", ("model-tab", 1)),
    ("up", "cursor", ("model-tab", 0)),
    ("4", "tab switch", ("train-tab", None)),
)


async def key_latencies_async(
    setup: TuiSetup, presses: int, native_log: Any
) -> list[tuple[str, float]]:
    """``(kind, seconds)`` for each key pressed while a run trains."""
    from textual.widgets import TabbedContent

    from cnn_tui.ui.messages import TrainingBatch
    from cnn_tui.ui.panels.model_panel import ModelPanel

    batches: list[float] = []

    def hook(message: Any) -> None:
        if isinstance(message, TrainingBatch):
            batches.append(message.time)

    app = make_app(setup, 100, native_log)  # far more epochs than the presses need
    latencies: list[tuple[str, float]] = []
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        tabs = app.query_one(TabbedContent)
        table = app.query_one(ModelPanel).table
        frames: list[tuple[float, str, int]] = []
        display = app._display

        def stamped_display(screen: Any, renderable: Any) -> None:
            # Runs on the UI thread right after a frame is composed: the state
            # read here is what that frame shows.
            frames.append((perf_counter(), tabs.active, table.cursor_row))
            display(screen, renderable)

        app._display = stamped_display
        await wait_until(pilot, lambda: app.keras_ready, 120, "TensorFlow to load")
        await pilot.press("t")
        await wait_until(pilot, lambda: bool(batches), 300, "the first batch")
        for index in range(presses):
            key, kind, (tab, row) = KEY_CYCLE[index % len(KEY_CYCLE)]

            def shown(frame: tuple[float, str, int], tab: str = tab, row: int | None = row) -> bool:
                return frame[1] == tab and (row is None or frame[2] == row)

            seen = len(frames)
            start = perf_counter()
            await pilot.press(key)
            await wait_until(pilot, lambda seen=seen, shown=shown: any(
                shown(frame) for frame in frames[seen:]), 10, f"{key!r} to show", 0.005)
            done = next(frame[0] for frame in frames[seen:] if shown(frame))
            latencies.append((kind, done - start))
            await pilot.pause(0.1)  # a person's typing pace, not a key-repeat burst
        await pilot.press("s")
        await wait_until(pilot, lambda: not app.training, 60, "the run to stop")
        app.exit()
    return latencies


def run_key_latency(results: Results, setup: TuiSetup, presses: int, native_log: Any) -> None:
    say(f"key latency: {presses} keys (tab switches 2/4, layer-table cursor) while "
        f"{setup.model} trains")
    measured = key_latencies_in_own_process(setup, presses)
    latencies_ms = [1000 * seconds for _, seconds in measured]
    p95 = percentile(latencies_ms, 95)
    parts = [f"{len(latencies_ms)} keys; median {percentile(latencies_ms, 50):.1f} ms, "
             f"max {max(latencies_ms):.1f} ms"]
    for kind in dict.fromkeys(kind for kind, _ in measured):
        of_kind = [1000 * seconds for k, seconds in measured if k == kind]
        parts.append(f"{kind} p95 {percentile(of_kind, 95):.1f} ms")
    detail = "; ".join(parts)
    say(f"  p95 {p95:.1f} ms ({detail})")
    results.ratios.append(Ratio("key_latency_p95_ms", p95, "< 50", detail, "{:.1f}"))


def key_latencies_in_own_process(setup: TuiSetup, presses: int) -> list[tuple[str, float]]:
    """``key_latencies_async`` in a fresh process, the app's own as a user launches it.

    In this process the earlier parts have started TensorFlow, and with it its
    thread pools at the bench's priority; the app starts them itself, below the
    UI thread's (cnn_tui/ui/thread_priority.py), only in a process of its own.
    """
    with tempfile.TemporaryDirectory(prefix="cnn-tui-keys-") as tmp:
        out = Path(tmp) / "latencies.json"
        command = [sys.executable, __file__, "keys", str(setup.data_file), setup.model,
                   str(setup.epochs), str(setup.seed), str(setup.runs_dir), str(presses),
                   str(out)]
        subprocess.run(command, check=True, timeout=900,
                       env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
        return [(kind, seconds) for kind, seconds in json.loads(out.read_text())]


def _keys_main(argv: list[str]) -> None:
    data_file, model, epochs, seed, runs_dir, presses, out = argv
    from cnn_tui.core.native_log import NativeStderr

    setup = TuiSetup(data_file=Path(data_file), n_train=0, model=model, epochs=int(epochs),
                     seed=int(seed), runs_dir=Path(runs_dir))
    with NativeStderr(Path(runs_dir).parent / "keys-native.log") as native:
        measured = asyncio.run(key_latencies_async(setup, int(presses), native))
    Path(out).write_text(json.dumps(measured))


if __name__ == "__main__" and sys.argv[1:2] == ["keys"]:
    _keys_main(sys.argv[2:])
