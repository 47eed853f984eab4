"""What each ``cnn-tui`` subcommand does.

Heavy modules are imported inside the commands: ``summary``, ``runs`` and
``export`` never load TensorFlow, and ``train`` loads it only after every
option, the spec and the dataset's shape have been checked.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import threading
from pathlib import Path

from cnn_tui.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.keras_model import check_report


def _checked_report(args: argparse.Namespace):
    """Load the spec, peek at the dataset and infer shapes; no TensorFlow needed."""
    from cnn_tui.core.datasets import peek_dataset
    from cnn_tui.core.shapes import infer_shapes
    from cnn_tui.core.spec import load_spec

    spec = load_spec(args.model)
    info = peek_dataset(args.dataset, image_size=args.image_size)
    return info, infer_shapes(spec, info.input_shape, info.num_classes)


def summary(args: argparse.Namespace) -> int:
    from cnn_tui.core.shapes import format_report_table, report_to_json

    info, report = _checked_report(args)
    if args.json:
        print(json.dumps(report_to_json(report), indent=2))
    else:
        print(f"{info.name}: input {'x'.join(map(str, info.input_shape))}, "
              f"{info.num_classes} classes")
        print(format_report_table(report))
    check_report(report)
    return EXIT_OK


class _StopOnInterrupt:
    """First Ctrl-C asks the run to stop after the current batch; the second aborts."""

    def __init__(self, stop_event: threading.Event, stream) -> None:
        self.stop_event = stop_event
        self.stream = stream

    def __call__(self, signum, frame) -> None:
        if self.stop_event.is_set():
            raise KeyboardInterrupt
        self.stop_event.set()
        print("\nstopping after this batch (Ctrl-C again to abort)", file=self.stream,
              flush=True)


def train(args: argparse.Namespace) -> int:
    from cnn_tui.cli.progress import ProgressPrinter
    from cnn_tui.core.augment import parse_augment
    from cnn_tui.core.native_log import NativeStderr
    from cnn_tui.core.runner import TrainConfig, run_training

    augment = parse_augment(args.augment)
    # The spec is checked against the dataset's shape before any data is
    # loaded, so a bad layer fails at once (the runner would load data first).
    check_report(_checked_report(args)[1])
    config = TrainConfig(
        dataset=args.dataset, model=args.model, augment=augment, epochs=args.epochs,
        batch_size=args.batch_size, optimizer=args.optimizer, learning_rate=args.lr,
        limit=args.limit, val_split=args.val_split, image_size=args.image_size,
        seed=args.seed, runs_dir=args.runs_dir, name=args.name,
    )
    config.validate()

    # From here on TensorFlow may load, and its C++ logging writes to fd 2 from
    # any thread: fd 2 goes to a log (moved into the run directory once it
    # exists) and our own messages go to the terminal's duplicate.
    with tempfile.TemporaryDirectory(prefix="cnn-tui-") as scratch:
        native = NativeStderr(Path(scratch) / "tensorflow.log").start()
        terminal = native.terminal
        stop_event = threading.Event()
        previous = signal.signal(signal.SIGINT, _StopOnInterrupt(stop_event, terminal))
        try:
            printer = ProgressPrinter(sys.stdout, live=sys.stdout.isatty())
            outcome = run_training(config, printer, stop_event, native_log=native)
        finally:
            signal.signal(signal.SIGINT, previous)
            native.restore()
    if outcome.state == "failed":
        print(f"error: {outcome.message}", file=sys.stderr, flush=True)
    if outcome.run_dir is not None:
        print(outcome.run_dir, flush=True)
    if outcome.bad_input:
        return EXIT_USAGE
    return EXIT_FAILED if outcome.state == "failed" else EXIT_OK


def list_runs(args: argparse.Namespace) -> int:
    from cnn_tui.core.runs_index import list_runs as find_runs

    runs = find_runs(Path(args.runs_dir))
    if not runs:
        print(f"no runs in {args.runs_dir}")
        return EXIT_OK
    header = ("run", "dataset", "model", "augmentation", "epochs", "best val acc", "state")
    rows = [
        (r.name, r.dataset, r.model, r.augmentation,
         f"{r.epochs_done}/{'?' if r.epochs_planned is None else r.epochs_planned}",
         "-" if r.best_val_accuracy is None else f"{r.best_val_accuracy:.4f}", r.state)
        for r in runs
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    for run in runs:  # the reasons are too long for a column
        if run.reason:
            print(f"{run.name}: {run.state}, {run.reason}")
    return EXIT_OK


def _resolve_run(text: str, runs_dir: Path) -> Path:
    for candidate in (Path(text), runs_dir / text):
        if (candidate / "history.csv").is_file() or (candidate / "config.json").is_file():
            return candidate
    raise CnnTuiError(f"no run at {text!r} (nor in {runs_dir}); "
                      "pass a run directory or a name listed by 'cnn-tui runs'")


def export(args: argparse.Namespace) -> int:
    from cnn_tui.core.runs_index import export_histories

    run_dirs = [_resolve_run(text, Path(args.runs_dir)) for text in args.runs]
    out = export_histories(run_dirs, Path(args.output))
    print(f"wrote the histories of {len(run_dirs)} run(s) to {out}")
    return EXIT_OK


def open_app(args: argparse.Namespace) -> int:
    try:
        from cnn_tui.ui.launch import LaunchOptions, run_app
    except ImportError as exc:
        raise CnnTuiError(f"the terminal app could not start ({exc}); "
                          "reinstall with 'make run'") from exc
    chosen = {
        "dataset": args.dataset, "model": args.model, "augment": args.augment,
        "epochs": args.epochs, "batch_size": args.batch_size, "optimizer": args.optimizer,
        "learning_rate": args.lr, "limit": args.limit, "seed": args.seed,
        "runs_dir": Path(args.runs_dir),
    }
    # Options left out keep the app's own defaults (e.g. its seed).
    options = LaunchOptions(**{k: v for k, v in chosen.items() if v is not None})
    return run_app(options)
