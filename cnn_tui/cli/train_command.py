"""``cnn-tui train``: a new run, a resumed one (``--resume``), or either detached.

Exit status: 0 when the run finished (or another process stopped it), 1
when it failed while training, 2 for bad input (nothing was trained), and
128 + N when signal N stopped or abandoned it (130 for Ctrl-C, 143 for
SIGTERM, 129 for SIGHUP).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from cnn_tui.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from cnn_tui.cli.parser import TRAIN_SETTINGS, given_settings, resolve_settings
from cnn_tui.core.keras_model import check_report
from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.resume import ResumePoint
from cnn_tui.core.shapes import ShapeReport


def _plan(args: argparse.Namespace) -> tuple[TrainConfig, ResumePoint | None, ShapeReport | None]:
    """The run to train, fully checked without TensorFlow or the data (raises CnnTuiError)."""
    from cnn_tui.core.runs.resume import plan_resume
    from cnn_tui.core.shapes import report_for

    if args.resume:
        given = given_settings(args, TRAIN_SETTINGS)
        config, point = plan_resume(Path(args.resume), epochs=given.get("epochs"), given=given)
        return config, point, None
    from cnn_tui.core.runs.paths import check_runs_dir

    config = TrainConfig(**resolve_settings(args, TRAIN_SETTINGS))
    config.validate()
    check_runs_dir(config.runs_dir)  # before minutes of loading, not after
    # The spec is checked against the dataset's shape before any data is
    # loaded, so a bad layer fails at once.
    report = report_for(config.model, config.dataset, config.image_size)[1]
    check_report(report)
    return config, None, report


def train(args: argparse.Namespace) -> int:
    config, point, report = _plan(args)
    if args.detach:
        return _detach(args, config, point)
    into = Path(args.into_run_dir) if args.into_run_dir else None
    return _train_here(config, point, into, report)


def _train_here(config: TrainConfig, point: ResumePoint | None, into: Path | None,
                report: ShapeReport | None) -> int:
    from cnn_tui.cli.progress import ProgressPrinter
    from cnn_tui.cli.signals import TrainSignals, handling
    from cnn_tui.core.native_log import NativeStderr
    from cnn_tui.core.runs.control import StopRequest
    from cnn_tui.core.runs.rundir import update_status
    from cnn_tui.core.runs.runner import run_training

    # From here on TensorFlow may load, and its C++ logging writes to fd 2 from
    # any thread: fd 2 goes to a log (moved into the run directory once it
    # exists) and our own messages go to the terminal's duplicate.
    with tempfile.TemporaryDirectory(prefix="cnn-tui-") as scratch:
        native = NativeStderr(Path(scratch) / "tensorflow.log").start()
        stop = StopRequest()
        signals = TrainSignals(stop, native.terminal or sys.stderr, Path(scratch))
        try:
            with handling(signals):
                printer = ProgressPrinter(sys.stdout, live=_is_tty(sys.stdout))
                outcome = run_training(config, printer, stop, native_log=native, run_dir=into,
                                       resume=point, kind="cli", report=report,
                                       before_run_dir=signals.before_run_dir)
        finally:
            native.restore()
    if outcome.run_dir is None and into is not None:
        # A detached run that failed before training: its folder says why.
        with contextlib.suppress(OSError):
            update_status(into, state="failed", message=outcome.message)
    _say_warnings(outcome.run_dir)
    if outcome.state == "failed":
        _print_err(f"error: {outcome.message}")
    if outcome.run_dir is not None:
        _print_out(str(outcome.run_dir))
    if outcome.bad_input:
        return EXIT_USAGE
    if outcome.state == "failed":
        return EXIT_FAILED
    return signals.exit_status(EXIT_OK)


def _detach(args: argparse.Namespace, config: TrainConfig, point: ResumePoint | None) -> int:
    """Start the same command in its own session, its output in the run's train.log."""
    from cnn_tui.core.runs.config import config_to_dict
    from cnn_tui.core.runs.rundir import (
        DETACHED_LOG_FILE,
        create_run_dir,
        update_status,
        write_config,
    )

    argv = [a for a in args.argv if a != "--detach"]
    if point is not None:
        run_dir = point.run_dir
    else:
        run_dir = create_run_dir(config.runs_dir, config.run_name)
        argv += ["--into-run-dir", str(run_dir)]
    log = (run_dir / DETACHED_LOG_FILE).open("ab")
    with log, open(os.devnull, "rb") as devnull:
        child = subprocess.Popen(
            [sys.executable, "-m", "cnn_tui", *argv], stdin=devnull, stdout=log, stderr=log,
            start_new_session=True, close_fds=True,
        )
    if point is None:
        # Listed as running from now on, while the child loads its data; the
        # child writes the whole config.json once the data is read.
        options = config_to_dict(config)
        write_config(run_dir, {"name": run_dir.name, "created": options["created"],
                               "dataset": {"name": config.dataset_name, "source": config.dataset},
                               "model": {"name": config.model_name},
                               "augmentation": options["augment"], "epochs": config.epochs,
                               "options": options})
        update_status(run_dir, state="running", message="starting", epochs_planned=config.epochs,
                      pid=child.pid, kind="cli")
    print(f"detached: pid {child.pid}; output in {run_dir / DETACHED_LOG_FILE}")
    print(run_dir)
    return EXIT_OK


def _say_warnings(run_dir: Path | None) -> None:
    """Files skipped while loading, as recorded in config.json."""
    if run_dir is None:
        return
    from cnn_tui.core.runs.rundir import read_config

    dataset = (read_config(run_dir) or {}).get("dataset")
    warnings = dataset.get("warnings") if isinstance(dataset, dict) else None
    for warning in warnings if isinstance(warnings, list) else []:
        _print_err(f"warning: {warning}")  # each says how many files, and the first few


def _is_tty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def _print_out(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # the terminal may be gone (SIGHUP)
        print(text, flush=True)


def _print_err(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr, flush=True)
