"""Training throughput: the engine's runner against a plain ``model.fit`` script.

Three sides train the same spec on the same images, batch size, optimizer
and validation data, each from a freshly built model:

* ``plain model.fit``: what a tutorial script does. The spec built with
  ``build_keras_model``, the whole set scaled to float32 numpy arrays with
  one-hot labels, ``model.fit(..., validation_data=..., verbose=0)``.
* ``engine``: ``run_training`` with the same config and the dataset passed in,
  so it does everything it does for a real run (run directory, history.csv,
  progress events, saving the model) on the same arrays.
* ``engine + seed augmentation``: the same with ``SEED_AUGMENT``.
* ``engine without checkpoints``: the engine with its per-epoch checkpoint
  save replaced by nothing (the bench patches it out; the engine has no such
  switch), so that ``checkpoint_overhead`` = engine / this side prices the
  atomic save of model and optimizer after every epoch.

Throughput is measured the same way on every side: the wall-clock time at
which each epoch ended (a Keras callback for the plain script, the arrival
of ``EpochEnded`` for the engine), and images/s = training images x epochs
after the first / time from the first epoch's end to the last's. So the first
epoch's tracing is left out and per-epoch work (validation, history rows,
events) is counted.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_common import EpochClock, Results, Throughput, median_ratio, run_rounds, say

if TYPE_CHECKING:
    from cnn_tui.core.datasets import Dataset

PLAIN_SIDE = "plain model.fit"
ENGINE_SIDE = "engine (run_training)"
AUGMENTED_SIDE = "engine + seed augmentation"
NO_CHECKPOINT_SIDE = "engine without checkpoints"


@dataclass(frozen=True)
class TrainingSetup:
    """What every side of the training comparison shares."""

    dataset: Dataset
    model: str
    """A preset name or spec path, as ``--model`` takes it."""
    batch_size: int
    epochs: int
    """Epochs per trial; the first is not timed."""
    seed: int


def plain_fit_throughput(setup: TrainingSetup,
                         accuracies: list[float] | None = None) -> Throughput:
    """Images/s of a plain float32 ``model.fit`` script on the setup's data; its final
    validation accuracy is appended to ``accuracies`` when given."""
    import keras

    from cnn_tui.core.keras_model import build_keras_model
    from cnn_tui.core.spec import load_spec

    dataset = setup.dataset
    num_classes = dataset.info.num_classes
    keras.utils.set_random_seed(setup.seed)
    model = build_keras_model(load_spec(setup.model), dataset.info.input_shape, num_classes)
    # The tutorial's compile: RMSprop at Keras's default rate, categorical cross-entropy.
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    x_train = dataset.x_train.astype("float32") / 255.0
    x_val = dataset.x_val.astype("float32") / 255.0
    y_train = keras.utils.to_categorical(dataset.y_train, num_classes)
    y_val = keras.utils.to_categorical(dataset.y_val, num_classes)
    clock = EpochClock()

    class EpochEndTimes(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            clock.mark()

    history = model.fit(
        x_train,
        y_train,
        batch_size=setup.batch_size,
        epochs=setup.epochs,
        validation_data=(x_val, y_val),
        shuffle=True,
        verbose=0,
        callbacks=[EpochEndTimes()],
    )
    if accuracies is not None:
        accuracies.append(float(history.history["val_accuracy"][-1]))
    return clock.throughput(len(x_train))


def engine_throughput(
    setup: TrainingSetup, augment: str, runs_dir: Path, native_log: Any = None,
    precision: str = "float32", augment_on: str = "auto",
) -> Throughput:
    """Images/s of ``run_training`` on the setup's data, with ``augment`` ("none"/"seed")
    placed by ``augment_on`` (auto, host, device).

    In float32 unless told: the engine's own cost is measured against a plain
    float32 ``model.fit``; what precision auto gains is ``bench_precision.py``'s."""
    from cnn_tui.core.augment_config import parse_augment
    from cnn_tui.core.runs.config import TrainConfig
    from cnn_tui.core.runs.events import EpochEnded
    from cnn_tui.core.runs.runner import run_training

    config = TrainConfig(
        dataset=str(setup.dataset.info.name),
        model=setup.model,
        augment=parse_augment(augment),
        epochs=setup.epochs,
        batch_size=setup.batch_size,
        seed=setup.seed,
        runs_dir=runs_dir,
        name=f"bench-{augment}-{augment_on}",
        precision=precision,
        augment_on=augment_on,
    )
    clock = EpochClock()

    def emit(event: Any) -> None:
        if isinstance(event, EpochEnded):
            clock.mark()

    outcome = run_training(
        config, emit, threading.Event(), dataset=setup.dataset, native_log=native_log
    )
    if outcome.state != "finished":
        raise RuntimeError(f"the engine's run ended {outcome.state}: {outcome.message}")
    return clock.throughput(len(setup.dataset.x_train))


def engine_without_checkpoints(
    setup: TrainingSetup, runs_dir: Path, native_log: Any = None
) -> Throughput:
    """``engine_throughput`` with the per-epoch checkpoint save patched out."""
    from cnn_tui.core.runs import callbacks

    saved = callbacks.save_checkpoint
    callbacks.save_checkpoint = lambda *args, **kwargs: None
    try:
        return engine_throughput(setup, "none", runs_dir, native_log)
    finally:
        callbacks.save_checkpoint = saved


def run_training_bench(
    results: Results, setup: TrainingSetup, rounds: int, native_log: Any = None
) -> None:
    """Rotate plain fit, engine and engine+augmentation ``rounds`` times; record two ratios."""
    n_train, n_val = len(setup.dataset.x_train), len(setup.dataset.x_val)
    say(
        f"training: {setup.model} on {n_train} train / {n_val} val images, "
        f"batch {setup.batch_size}, {setup.epochs} epochs per trial (first not timed)"
    )
    with tempfile.TemporaryDirectory(prefix="cnn-tui-bench-") as tmp:
        runs_dir = Path(tmp)
        sides = {
            PLAIN_SIDE: lambda: plain_fit_throughput(setup),
            ENGINE_SIDE: lambda: engine_throughput(setup, "none", runs_dir, native_log),
            AUGMENTED_SIDE: lambda: engine_throughput(setup, "seed", runs_dir, native_log),
            NO_CHECKPOINT_SIDE: lambda: engine_without_checkpoints(setup, runs_dir, native_log),
        }
        run_rounds(results, sides, rounds)
    median_ratio(results, "engine_vs_plain_fit", ENGINE_SIDE, PLAIN_SIDE, ">= 0.99")
    median_ratio(results, "augmented_vs_plain", AUGMENTED_SIDE, ENGINE_SIDE, ">= 0.9")
    median_ratio(results, "checkpoint_overhead", ENGINE_SIDE, NO_CHECKPOINT_SIDE, ">= 0.97")


def warm_up(setup: TrainingSetup) -> None:
    """One short untimed fit, so TensorFlow's one-off start-up costs hit no trial."""
    import keras

    from cnn_tui.core.keras_model import build_keras_model
    from cnn_tui.core.spec import load_spec

    info = setup.dataset.info
    model = build_keras_model(load_spec(setup.model), info.input_shape, info.num_classes)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    few = setup.batch_size * 2
    x = setup.dataset.x_train[:few].astype("float32") / 255.0
    y = keras.utils.to_categorical(setup.dataset.y_train[:few], info.num_classes)
    model.fit(x, y, batch_size=setup.batch_size, epochs=1, verbose=0)
