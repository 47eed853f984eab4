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
* ``key_latency_p95_ms``: while a run trains (after its first batch), the
  layer table's cursor is moved with ``down``/``up`` presses through the
  Pilot, and each latency is the time from posting the key to the first
  composed frame in which the cursor is on the new row (``App._display`` is
  wrapped to stamp every frame with the cursor row at that moment).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter, sleep
from typing import Any

import numpy as np
from bench_common import (
    REPO_ROOT,
    Ratio,
    Results,
    Trial,
    median_ratio,
    percentile,
    round_orders,
    say,
    steady_throughput,
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
    """Text that is on screen only once the whole shape table is: last layer, total params."""
    from cnn_tui.core.datasets import peek_dataset
    from cnn_tui.core.shapes import infer_shapes
    from cnn_tui.core.spec import load_spec

    info = peek_dataset("mnist")
    report = infer_shapes(load_spec(model), info.input_shape, info.num_classes)
    last = report.rows[-1]
    return (f"{last.params:,}", f"{report.total_params:,}")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def first_paint_once(
    runs_dir: Path, model: str, markers: tuple[str, ...], session: str
) -> float:
    """Seconds from starting ``cnn-tui`` in tmux until ``markers`` are all on screen."""
    program = REPO_ROOT / ".venv" / "bin" / "cnn-tui"
    command = f"cd {runs_dir} && {program} --model {model} --runs-dir {runs_dir}"
    tmux("kill-session", "-t", session)
    start = perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
    try:
        while perf_counter() - start < FIRST_PAINT_TIMEOUT_S:
            screen = tmux("capture-pane", "-p", "-t", session)
            if all(marker in screen for marker in markers):
                return perf_counter() - start
            sleep(0.02)
        raise RuntimeError(f"the shape table did not appear within {FIRST_PAINT_TIMEOUT_S:.0f} s")
    finally:
        tmux("send-keys", "-t", session, "q")
        sleep(0.5)
        tmux("kill-session", "-t", session)


def run_first_paint(results: Results, model: str, runs_dir: Path, launches: int) -> None:
    if shutil.which("tmux") is None:
        results.notes.append("first_paint_s skipped: tmux is not installed")
        say("first paint: skipped (tmux is not installed)")
        return
    markers = shape_table_markers(model)
    say(f"first paint: cnn-tui in tmux 120x40, waiting for {' and '.join(markers)} on screen")
    session = f"cnn-tui-bench-{threading.get_native_id()}"
    times = []
    for launch in range(1, launches + 1):
        seconds = first_paint_once(runs_dir, model, markers, session)
        times.append(seconds)
        say(f"  launch {launch}: {seconds:.3f} s")
    detail = "launches: " + " ".join(f"{t:.3f}" for t in times) + " s (median)"
    results.ratios.append(Ratio("first_paint_s", float(np.median(times)), "< 1", detail,
                                "{:.3f}"))


# -- training from the TUI -----------------------------------------------------------


def make_app(setup: TuiSetup, epochs: int, native_log: Any) -> Any:
    from cnn_tui.ui.app import CnnTuiApp
    from cnn_tui.ui.launch import LaunchOptions

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


async def tui_throughput_async(setup: TuiSetup, native_log: Any) -> float:
    from cnn_tui.ui.messages import TrainingEnded, TrainingEpoch

    epoch_ends: list[float] = []
    ended: list[Any] = []

    def hook(message: Any) -> None:
        if isinstance(message, TrainingEpoch):
            epoch_ends.append(message.time)
        elif isinstance(message, TrainingEnded):
            ended.append(message.event)

    app = make_app(setup, setup.epochs, native_log)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await wait_until(pilot, lambda: app.tensorflow_ready, 120, "TensorFlow to load")
        await pilot.press("t")
        await wait_until(pilot, lambda: bool(ended), 900, "the run to end", 0.5)
        await pilot.press("q")
    if type(ended[0]).__name__ != "RunFinished":
        raise RuntimeError(f"the TUI's run did not finish: {ended[0]}")
    return steady_throughput(epoch_ends, setup.n_train)


def headless_throughput(setup: TuiSetup, native_log: Any) -> float:
    from cnn_tui.core.events import EpochEnded
    from cnn_tui.core.runner import run_training
    from cnn_tui.core.spec import load_spec
    from cnn_tui.ui.launch import LaunchOptions
    from cnn_tui.ui.panels.train_panel import TrainSettings
    from cnn_tui.ui.training import build_train_config

    # The same defaults and the same conversion the app uses for its run.
    options = LaunchOptions(dataset=str(setup.data_file), model=setup.model,
                            epochs=setup.epochs, runs_dir=setup.runs_dir, seed=setup.seed)
    settings = TrainSettings(options.optimizer, options.learning_rate, options.batch_size,
                             options.epochs, options.limit, options.seed)
    config = build_train_config(dataset=options.dataset, spec=load_spec(options.model),
                                augment=None, settings=settings, runs_dir=setup.runs_dir)
    epoch_ends: list[float] = []

    def emit(event: Any) -> None:
        if isinstance(event, EpochEnded):
            epoch_ends.append(perf_counter())

    outcome = run_training(config, emit, threading.Event(), native_log=native_log)
    if outcome.state != "finished":
        raise RuntimeError(f"the headless run ended {outcome.state}: {outcome.message}")
    return steady_throughput(epoch_ends, setup.n_train)


def run_tui_vs_headless(results: Results, setup: TuiSetup, rounds: int, native_log: Any) -> None:
    say(f"TUI vs headless: {setup.model}, {setup.n_train} images, {setup.epochs} epochs a trial")
    sides = {
        TUI_SIDE: lambda: asyncio.run(tui_throughput_async(setup, native_log)),
        HEADLESS_SIDE: lambda: headless_throughput(setup, native_log),
    }
    for round_number, order in round_orders(list(sides), rounds):
        for side in order:
            images_per_s = sides[side]()
            results.trials.append(Trial(side, round_number, images_per_s))
            say(f"  {side:<42} round {round_number}: {images_per_s:10.1f} images/s")
    median_ratio(results, "tui_vs_headless", TUI_SIDE, HEADLESS_SIDE, ">= 0.97")


# -- key latency -----------------------------------------------------------------------


async def key_latencies_async(setup: TuiSetup, presses: int, native_log: Any) -> list[float]:
    from cnn_tui.ui.messages import TrainingBatch

    batches: list[float] = []

    def hook(message: Any) -> None:
        if isinstance(message, TrainingBatch):
            batches.append(message.time)

    app = make_app(setup, 100, native_log)  # far more epochs than the presses need
    latencies: list[float] = []
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        from cnn_tui.ui.panels.model_panel import ModelPanel

        table = app.query_one(ModelPanel).table
        frames: list[tuple[float, int]] = []
        display = app._display

        def stamped_display(screen: Any, renderable: Any) -> None:
            frames.append((perf_counter(), table.cursor_row))
            display(screen, renderable)

        app._display = stamped_display
        await wait_until(pilot, lambda: app.tensorflow_ready, 120, "TensorFlow to load")
        await pilot.press("t")
        await wait_until(pilot, lambda: bool(batches), 300, "the first batch")
        for index in range(presses):
            key = "down" if index % 2 == 0 else "up"
            expected = table.cursor_row + (1 if key == "down" else -1)
            seen = len(frames)
            start = perf_counter()
            await pilot.press(key)
            await wait_until(
                pilot, lambda seen=seen, expected=expected: any(
                    row == expected for _, row in frames[seen:]), 10, "the cursor to move", 0.005)
            done = next(t for t, row in frames[seen:] if row == expected)
            latencies.append(done - start)
            await pilot.pause(0.1)  # a person's typing pace, not a key-repeat burst
        await pilot.press("s")
        await wait_until(pilot, lambda: not app.training, 60, "the run to stop")
        app.exit()
    return latencies


def run_key_latency(results: Results, setup: TuiSetup, presses: int, native_log: Any) -> None:
    say(f"key latency: {presses} cursor moves in the layer table while {setup.model} trains")
    latencies_ms = [1000 * t for t in asyncio.run(key_latencies_async(setup, presses, native_log))]
    p95 = percentile(latencies_ms, 95)
    detail = (f"{len(latencies_ms)} presses; median {percentile(latencies_ms, 50):.1f} ms, "
              f"max {max(latencies_ms):.1f} ms")
    say(f"  {detail}, p95 {p95:.1f} ms")
    results.ratios.append(Ratio("key_latency_p95_ms", p95, "< 100", detail, "{:.1f}"))
