"""What each ``cnn-tui`` subcommand does.

Heavy modules are imported inside the commands: ``summary``, ``runs``,
``export`` and ``stop`` never load TensorFlow, and ``train`` loads it only
after every option, the spec and the dataset's shape have been checked.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from cnn_tui.cli import EXIT_OK
from cnn_tui.cli.parser import SUMMARY_SETTINGS, resolve_settings
from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.keras_model import check_report

if TYPE_CHECKING:
    pass


def summary(args: argparse.Namespace) -> int:
    from cnn_tui.core.memory import training_memory
    from cnn_tui.core.shape_format import format_shape
    from cnn_tui.core.shapes import format_report_table, report_for, report_to_json

    chosen = resolve_settings(args, SUMMARY_SETTINGS)
    info, report = report_for(chosen["model"], chosen["dataset"], chosen["image_size"])
    memory = training_memory(report, chosen["batch_size"], chosen["optimizer"])
    if args.json:
        print(json.dumps(report_to_json(report, memory), indent=2))
    else:
        print(f"{info.name}: input {format_shape(info.input_shape)}, "
              f"{info.num_classes} classes")
        print(format_report_table(report, memory))
    check_report(report)
    return EXIT_OK


def list_runs(args: argparse.Namespace) -> int:
    from cnn_tui.core.runs.index import list_runs as find_runs

    runs_dir = resolve_settings(args, ("runs_dir",))["runs_dir"]
    runs = find_runs(Path(runs_dir))
    if not runs:
        print(f"no runs in {runs_dir}")
        return EXIT_OK
    header = ("run", "dataset", "model", "augmentation", "epochs", "best val acc", "state")
    rows = [
        (r.name, r.dataset, r.model, r.augmentation,
         f"{r.epochs_done}/{'?' if r.epochs_planned is None else r.epochs_planned}",
         "-" if r.best_val_accuracy is None else f"{r.best_val_accuracy:.4f}", r.state_text)
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


def resolve_run(text: str, runs_dir: Path) -> Path:
    from cnn_tui.core.runs.paths import is_run_dir

    for candidate in (Path(text), runs_dir / text):
        if is_run_dir(candidate):
            return candidate
    raise CnnTuiError(f"no run at {text!r} (nor in {runs_dir}); "
                      "pass a run directory or a name listed by 'cnn-tui runs'")


def export(args: argparse.Namespace) -> int:
    from cnn_tui.core.runs.index import export_histories

    runs_dir = Path(resolve_settings(args, ("runs_dir",))["runs_dir"])
    run_dirs = [resolve_run(text, runs_dir) for text in args.runs]
    out = export_histories(run_dirs, Path(args.output))
    print(f"wrote the histories of {len(run_dirs)} run(s) to {out}")
    return EXIT_OK


def stop(args: argparse.Namespace) -> int:
    from cnn_tui.core.runs.control import request_stop

    runs_dir = Path(resolve_settings(args, ("runs_dir",))["runs_dir"])
    run_dir = resolve_run(args.run, runs_dir)
    print(f"{run_dir.name}: {request_stop(run_dir)}")
    return EXIT_OK


def open_app(args: argparse.Namespace) -> int:
    from cnn_tui.cli.parser import APP_SETTINGS, given_settings

    chosen = given_settings(args, APP_SETTINGS)  # checked before the screen opens
    try:
        from cnn_tui.ui.launch import run_app
        from cnn_tui.ui.options import LaunchOptions
    except ImportError as exc:
        raise CnnTuiError(f"the terminal app could not start ({exc}); "
                          "reinstall with 'make run'") from exc
    # Options left out keep the app's own defaults; the default dataset gives way to its
    # bundled sample when it cannot be loaded (no cache, no network).
    return run_app(LaunchOptions(**chosen, sample_if_unavailable="dataset" not in chosen))
