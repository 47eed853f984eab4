"""``make bench``: cnn-tui's speed against plain Keras, ImageDataGenerator and itself.

Prints a table of every timed trial (side, round, images/s), the figures with
their goals, and finally one ``name=value`` line per figure:

* ``engine_vs_plain_fit``: the engine's training images/s over a plain
  ``model.fit`` script's, same spec, data, batch size and validation.
* ``augmented_vs_plain``: the engine with the seed augmentation over without.
* ``checkpoint_overhead``: the engine (an atomic checkpoint of model and
  optimizer after every epoch) over the same engine with the save patched out.
* ``auto_vs_plain_float32_fit``: the engine with ``precision auto`` over a
  plain float32 ``model.fit``, with ``auto_accuracy`` and
  ``plain_float32_accuracy`` after the same epochs; ``mixed_vs_float32``: the
  engine in mixed precision over float32; ``jit_vs_nojit``: XLA on over off
  (see bench_precision.py).
* ``aug_pipeline_vs_imagedatagenerator``: the engine's augmented tf.data
  pipeline over ImageDataGenerator's ``flow`` doing the same shift+flip;
  ``augment_device_vs_host``: training with the augmenter at the front of the
  model over training with it in tf.data, on CIFAR-10 (see bench_augment.py).
* ``inspect_vs_evaluate``: the Inspect evaluation's images/s over
  ``model.evaluate``'s on the same test images; ``feature_maps_s``: seconds
  for one image's feature maps (see bench_inspect.py).
* ``first_paint_s``, ``first_paint_vs_minimal_app``, ``tui_vs_headless``,
  ``key_latency_p95_ms``: the TUI's
  start-up, training under the UI, and responsiveness (see bench_tui.py);
  ``inspect_maps_ui_s``: from enter on a mistake in the Inspect tab to the
  frame showing its feature maps (see bench_inspect_ui.py).
* ``strategy_vs_default``: the engine under ``MirroredStrategy`` on one
  device over the same engine under the default strategy (see
  bench_distribute.py): what the multi-device path costs by itself.
* ``jax_vs_tensorflow``: ``cnn-tui train`` under ``KERAS_BACKEND=jax`` over the
  same command under TensorFlow, float32, in fresh processes (see
  bench_backends.py); skipped with a line when jax is not installed.

Every trial also records images per second of the process's CPU time; its
median ratio is printed beside each figure as a cross-check that holds
still when other processes share the cores.

The sides of each figure alternate (the order rotates every round) and each
figure is the median of its per-round ratios, because TensorFlow's speed on
a shared machine moves by tens of percent between runs. The data is the real
MNIST from ``../shared/data/mnist`` (as CI lays it out). TensorFlow's native
log lines go to a log file named in the header, not to the terminal.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from time import perf_counter

# The helpers sit beside this script; the project is importable from the repo root.
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from bench_common import (  # noqa: E402
    SHARED_DATA,
    Results,
    describe_devices,
    describe_load,
    describe_machine,
    format_figures,
    format_table,
    say,
)

PARTS = ("training", "precision", "augment", "inspect", "tui", "distribute", "backends")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA / "mnist",
                        help="dataset folder or file (default: ../shared/data/mnist)")
    parser.add_argument("--model", default="seed-cnn", help="preset name or spec JSON")
    parser.add_argument("--limit", type=int, default=3000,
                        help="class-balanced training images (default 3000)")
    parser.add_argument("--val", type=int, default=1000,
                        help="validation images, the first of the test split (default 1000)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=4,
                        help="epochs per training trial; the first is not timed (default 4)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of the training comparison (default 3)")
    parser.add_argument("--precision-rounds", type=int, default=3,
                        help="rounds of the precision comparison (default 3)")
    parser.add_argument("--jit-rounds", type=int, default=2,
                        help="rounds of the XLA comparison, on a slice (default 2)")
    parser.add_argument("--aug-rounds", type=int, default=5,
                        help="rounds of the augmentation comparison (default 5)")
    parser.add_argument("--placement-rounds", type=int, default=3,
                        help="rounds of augmentation on the host vs the device (default 3)")
    parser.add_argument("--placement-limit", type=int, default=None,
                        help="CIFAR-10 training images for the placement part (default all "
                             "in ../shared/data/cifar10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--inspect-rounds", type=int, default=3,
                        help="rounds of the inspection-vs-evaluate comparison (default 3)")
    parser.add_argument("--inspect-images", type=int, default=10000,
                        help="test images the inspection part evaluates (default 10000)")
    parser.add_argument("--tui-rounds", type=int, default=2,
                        help="rounds of the TUI-vs-headless comparison (default 2)")
    parser.add_argument("--launches", type=int, default=5,
                        help="cnn-tui launches timed for first paint (default 5)")
    parser.add_argument("--presses", type=int, default=40,
                        help="key presses timed while training (default 40)")
    parser.add_argument("--backend-rounds", type=int, default=3,
                        help="rounds of the JAX-vs-TensorFlow comparison (default 3)")
    parser.add_argument("--only", choices=PARTS, action="append",
                        help="run only these parts (repeatable; default all)")
    parser.add_argument("--log", type=Path,
                        default=Path(tempfile.gettempdir()) / "cnn-tui-bench-tensorflow.log",
                        help="where TensorFlow's fd-2 output goes")
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: the first epoch is not timed")
    return args


def load_bench_dataset(args: argparse.Namespace):  # -> Dataset
    """The training subset and a fixed validation slice of the real data."""
    from cnn_tui.core.datasets import load_dataset

    dataset = load_dataset(args.data, limit=args.limit, seed=args.seed)
    # The whole MNIST test split (10,000) would make validation most of each
    # short epoch; a fixed slice keeps the timing about training.
    return replace(dataset, x_val=dataset.x_val[: args.val], y_val=dataset.y_val[: args.val])


def run_tui_part(args: argparse.Namespace, dataset, results: Results, native) -> None:
    """first_paint_s (and its ratio to a minimal Textual app), tui_vs_headless and
    key_latency_p95_ms (see bench_tui.py); inspect_maps_ui_s on a run the TUI trained
    (bench_inspect_ui.py)."""
    import bench_tui
    from bench_inspect_ui import run_inspect_ui

    with tempfile.TemporaryDirectory(prefix="cnn-tui-bench-tui-") as tmp:
        folder = Path(tmp)
        setup = bench_tui.TuiSetup(
            data_file=bench_tui.write_npz(dataset, folder / "mnist-bench.npz"),
            n_train=len(dataset.x_train),
            model=args.model,
            epochs=args.epochs,
            seed=args.seed,
            runs_dir=folder / "runs",
        )
        bench_tui.run_first_paint(results, args.model, folder, args.launches)
        say()
        bench_tui.run_tui_vs_headless(results, setup, args.tui_rounds, native)
        say()
        bench_tui.run_key_latency(results, setup, args.presses, native)
        say()
        run_inspect_ui(results, setup.runs_dir, native)


def run_placement_part(args: argparse.Namespace, results: Results, native) -> None:
    """augment_device_vs_host on CIFAR-10 (bench_augment.py); a note when it is missing."""
    from bench_augment import PLACEMENT_DATA, load_placement_data, run_placement_bench

    cifar = load_placement_data(args.placement_limit, args.val, args.seed)
    if cifar is None:
        say(f"augmentation placement: skipped, {PLACEMENT_DATA} not found")
        return
    run_placement_bench(results, cifar, args.model, args.batch_size, args.epochs,
                        args.placement_rounds, args.seed, native)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.data.exists():
        print(f"error: {args.data} not found; put MNIST's IDX files there (see "
              "../shared/data/README.md) or pass --data.", file=sys.stderr)
        return 2
    parts = set(args.only or PARTS)
    from cnn_tui.core.native_log import NativeStderr

    results = Results()
    started = perf_counter()
    with NativeStderr(args.log) as native:
        say("cnn-tui benchmark")
        say(f"machine: {describe_machine()}; {describe_load()}")
        say(f"TensorFlow's log: {args.log}")
        dataset = load_bench_dataset(args)
        say(f"{describe_devices()}")
        say(f"data: {args.data} ({dataset.info.source}), {len(dataset.x_train)} train images "
            f"(class-balanced), {len(dataset.x_val)} validation images")
        say()
        if "training" in parts:
            from bench_training import TrainingSetup, run_training_bench, warm_up

            setup = TrainingSetup(dataset, args.model, args.batch_size, args.epochs, args.seed)
            warm_up(setup)
            run_training_bench(results, setup, args.rounds, native)
            say()
        if "precision" in parts:
            from bench_precision import run_precision_bench
            from bench_training import TrainingSetup, warm_up

            setup = TrainingSetup(dataset, args.model, args.batch_size, args.epochs, args.seed)
            if "training" not in parts:
                warm_up(setup)
            run_precision_bench(results, setup, args.precision_rounds, args.jit_rounds, native)
            say()
        if "augment" in parts:
            from bench_augment import run_augment_bench

            run_augment_bench(results, dataset, args.batch_size, args.aug_rounds, args.seed)
            say()
            run_placement_part(args, results, native)
            say()
        if "inspect" in parts:
            from bench_inspect import run_inspect_bench

            run_inspect_bench(results, args.data, args.model, args.limit, args.seed,
                              args.batch_size, args.inspect_rounds, args.inspect_images)
            say()
        if "tui" in parts:
            run_tui_part(args, dataset, results, native)
            say()
        if "distribute" in parts:
            from bench_distribute import run_distribute_bench
            from bench_training import TrainingSetup, warm_up

            setup = TrainingSetup(dataset, args.model, args.batch_size, args.epochs, args.seed)
            if "training" not in parts:
                warm_up(setup)
            run_distribute_bench(results, setup, args.rounds, native)
            say()
        if "backends" in parts:
            from bench_backends import run_backends_bench

            run_backends_bench(results, dataset, args.model, args.batch_size, args.epochs,
                               args.backend_rounds, args.seed)
            say()
        say(format_table(results))
        say()
        say(f"total bench time: {perf_counter() - started:.0f} s; at the end, {describe_load()}")
        say(format_figures(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
