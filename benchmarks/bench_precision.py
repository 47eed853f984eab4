"""Precision and XLA: what ``precision auto`` and ``jit`` cost or gain against float32.

Sides, each training a freshly built model on the same images:

* ``plain float32 model.fit``: the tutorial script (bench_training's), which
  also records its validation accuracy after the trial's epochs;
* ``engine precision auto``: ``run_training`` with the defaults (precision and
  XLA ``auto``): mixed_bfloat16 on a CPU with bfloat16 units;
* ``engine precision float32``: the same run forced to float32;
* ``engine precision mixed``: forced mixed, only when ``auto`` does not already
  pick it here (then the auto side is the mixed one and is not run twice).

Figures: ``auto_vs_plain_float32_fit`` (goal >= 1.5 on a CPU with bfloat16
units) with ``auto_accuracy``, ``engine_float32_accuracy`` and
``plain_float32_accuracy`` (median validation accuracy after the same epochs;
round k of every side trains from seed + k - 1, so the medians are over
different draws, not one draw repeated), ``mixed_vs_float32`` (both in the
engine) and ``jit_vs_nojit``: the engine in float32 with XLA on against off,
a few short rounds on a slice (XLA compiles during the first, untimed, epoch).
"""

from __future__ import annotations

import itertools
import statistics
import tempfile
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench_common import EpochClock, Ratio, Results, Throughput, median_ratio, run_rounds, say
from bench_training import TrainingSetup, plain_fit_throughput

PLAIN_SIDE = "plain float32 model.fit"
AUTO_SIDE = "engine precision auto"
FLOAT32_SIDE = "engine precision float32"
MIXED_SIDE = "engine precision mixed"
JIT_SIDE = "engine float32, XLA on"
NO_JIT_SIDE = "engine float32, XLA off"
JIT_IMAGES = 768
"""Training images of the XLA slice: 3 steps of 256; XLA runs at a fraction of the speed."""


def seeded(setup: TrainingSetup) -> Callable[[], TrainingSetup]:
    """The setup with seed, seed + 1... on successive calls: one side's rounds."""
    draws = itertools.count(setup.seed)
    return lambda: replace(setup, seed=next(draws))


def engine_run(setup: TrainingSetup, runs_dir: Path, accuracies: list[float] | None = None,
               native_log: Any = None, **options: str) -> Throughput:
    """Images/s of ``run_training`` with ``options`` (precision, jit); its accuracy appended."""
    from cnn_tui.core.runs.config import TrainConfig
    from cnn_tui.core.runs.events import EpochEnded
    from cnn_tui.core.runs.runner import run_training

    config = TrainConfig(dataset=str(setup.dataset.info.name), model=setup.model,
                         epochs=setup.epochs, batch_size=setup.batch_size, seed=setup.seed,
                         runs_dir=runs_dir, name="bench-" + "-".join(options.values()),
                         **options)  # type: ignore[arg-type]
    clock = EpochClock()

    def emit(event: Any) -> None:
        if isinstance(event, EpochEnded):
            clock.mark()

    outcome = run_training(config, emit, threading.Event(), dataset=setup.dataset,
                           native_log=native_log)
    if outcome.state != "finished":
        raise RuntimeError(f"the engine's run ended {outcome.state}: {outcome.message}")
    if accuracies is not None:
        accuracies.append(outcome.test_metrics["accuracy"])
    return clock.throughput(len(setup.dataset.x_train))


def _accuracy(results: Results, name: str, values: list[float], goal: str) -> None:
    detail = "rounds: " + " ".join(f"{value:.4f}" for value in values)
    results.ratios.append(Ratio(name, statistics.median(values), goal, detail, "{:.4f}"))


def run_precision_bench(results: Results, setup: TrainingSetup, rounds: int, jit_rounds: int,
                        native_log: Any = None) -> None:
    """The precision comparison, then the XLA one; records the figures in ``results``."""
    from cnn_tui.core.runs.compute import resolve_precision

    auto, mixed = resolve_precision("auto"), resolve_precision("mixed")
    say(f"precision: auto is {auto.shown()} here; mixed is {mixed.value}. {setup.model} on "
        f"{len(setup.dataset.x_train)} train / {len(setup.dataset.x_val)} val images, batch "
        f"{setup.batch_size}, {setup.epochs} epochs per trial (first not timed)")
    plain_acc: list[float] = []
    auto_acc: list[float] = []
    float32_acc: list[float] = []
    plain, auto_setup, float32_setup, mixed_setup = (seeded(setup) for _ in range(4))
    with tempfile.TemporaryDirectory(prefix="cnn-tui-bench-precision-") as tmp:
        runs_dir = Path(tmp)
        sides = {
            PLAIN_SIDE: lambda: plain_fit_throughput(plain(), plain_acc),
            AUTO_SIDE: lambda: engine_run(auto_setup(), runs_dir, auto_acc, native_log,
                                          precision="auto"),
            FLOAT32_SIDE: lambda: engine_run(float32_setup(), runs_dir, float32_acc, native_log,
                                             precision="float32"),
        }
        if auto.value != mixed.value:
            sides[MIXED_SIDE] = lambda: engine_run(mixed_setup(), runs_dir, None, native_log,
                                                   precision="mixed")
        run_rounds(results, sides, rounds)
    median_ratio(results, "auto_vs_plain_float32_fit", AUTO_SIDE, PLAIN_SIDE,
                 ">= 1.5" if auto.value != "float32" else ">= 0.99")
    _accuracy(results, "auto_accuracy", auto_acc, "f32+-.01")
    _accuracy(results, "engine_float32_accuracy", float32_acc, "")
    _accuracy(results, "plain_float32_accuracy", plain_acc, "")
    mixed_side = AUTO_SIDE if auto.value == mixed.value else MIXED_SIDE
    median_ratio(results, "mixed_vs_float32", mixed_side, FLOAT32_SIDE, "(CPU)")
    say()
    run_jit_bench(results, setup, jit_rounds, native_log)


def run_jit_bench(results: Results, setup: TrainingSetup, rounds: int,
                  native_log: Any = None) -> None:
    """XLA on against off, in float32 on a slice: ``jit_vs_nojit``."""
    dataset = setup.dataset
    small = replace(dataset, x_train=dataset.x_train[:JIT_IMAGES],
                    y_train=dataset.y_train[:JIT_IMAGES],
                    x_val=dataset.x_val[:256], y_val=dataset.y_val[:256])
    sliced = replace(setup, dataset=small, epochs=3)
    say(f"XLA: {setup.model} on {JIT_IMAGES} train / 256 val images, float32, "
        f"{sliced.epochs} epochs per trial (the first, which compiles, not timed)")
    with tempfile.TemporaryDirectory(prefix="cnn-tui-bench-jit-") as tmp:
        runs_dir = Path(tmp)
        sides = {
            JIT_SIDE: lambda: engine_run(sliced, runs_dir, None, native_log,
                                         precision="float32", jit="on"),
            NO_JIT_SIDE: lambda: engine_run(sliced, runs_dir, None, native_log,
                                            precision="float32", jit="off"),
        }
        run_rounds(results, sides, rounds)
    median_ratio(results, "jit_vs_nojit", JIT_SIDE, NO_JIT_SIDE, "(CPU)")
