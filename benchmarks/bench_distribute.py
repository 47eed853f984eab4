"""What ``MirroredStrategy`` costs by itself: the engine on one device, mirrored or not.

``strategy_vs_default`` = the engine's training images/s when its model is
made and fitted under ``tf.distribute.MirroredStrategy`` over one device,
divided by the same engine under TensorFlow's default strategy on that same
device (what ``--devices`` picks for a single device). Both sides are the
whole engine, ``run_training`` with the same seed-cnn, data, batch size and
validation, so the figure is what a run pays for the distributed path
(distributed datasets, ``strategy.run`` per step, mirrored variables, the
cross-replica reduction of the metrics) with none of the gain of a second
device. On a box with several GPUs that gain must outweigh this cost.

The engine has no switch for "mirrored on one device" (one device needs no
strategy), so the mirrored side patches the placement ``prepare_run`` gets:
the device it would have used, under a ``MirroredStrategy`` of that device
alone. Throughput is timed as in ``bench_training.py``: from the end of the
first epoch (tracing) to the end of the last, by ``EpochEnded`` events.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench_common import Results, Throughput, median_ratio, run_rounds, say
from bench_training import TrainingSetup, engine_throughput

DEFAULT_SIDE = "engine, default strategy"
MIRRORED_SIDE = "engine, MirroredStrategy on 1 device"


def mirrored_throughput(setup: TrainingSetup, runs_dir: Path,
                        native_log: Any = None) -> Throughput:
    """``engine_throughput`` with the run's one device under a ``MirroredStrategy``."""
    import tensorflow as tf

    from cnn_tui.core.runs import placement, prepare

    def mirrored_place(devices: str, batch_size: int) -> placement.Placement:
        chosen = placement.place(devices, batch_size)
        if chosen.replicas != 1:
            raise RuntimeError(f"the bench compares one device; auto found {chosen.replicas}")
        strategy = tf.distribute.MirroredStrategy(devices=[f"/device:{chosen.devices[0]}"])
        return replace(chosen, strategy=strategy, kind="mirrored")

    saved = prepare.place
    prepare.place = mirrored_place
    try:
        return engine_throughput(setup, "none", runs_dir, native_log)
    finally:
        prepare.place = saved


def run_distribute_bench(results: Results, setup: TrainingSetup, rounds: int,
                         native_log: Any = None) -> None:
    """Alternate the two sides ``rounds`` times; record ``strategy_vs_default``."""
    n_train, n_val = len(setup.dataset.x_train), len(setup.dataset.x_val)
    say(f"distribute: {setup.model} on {n_train} train / {n_val} val images, batch "
        f"{setup.batch_size}, {setup.epochs} epochs per trial (first not timed), one device")
    with tempfile.TemporaryDirectory(prefix="cnn-tui-bench-distribute-") as tmp:
        runs_dir = Path(tmp)
        sides = {
            DEFAULT_SIDE: lambda: engine_throughput(setup, "none", runs_dir, native_log),
            MIRRORED_SIDE: lambda: mirrored_throughput(setup, runs_dir, native_log),
        }
        run_rounds(results, sides, rounds)
    median_ratio(results, "strategy_vs_default", MIRRORED_SIDE, DEFAULT_SIDE, ">= 0.97")
