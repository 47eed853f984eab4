"""``cnn-tui inspect``, ``predict`` and ``probe``: a trained run looked at from the shell.

Each command checks everything it can (the runs, the image files, the shift)
before TensorFlow loads, answers from the run's cache (``<run>/inspect/``)
when it can, and otherwise loads the model and the run's split with
TensorFlow's native log sent to a scratch file, so that only our output
and our one-line errors reach the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from cnn_tui.cli import EXIT_OK
from cnn_tui.cli.commands import resolve_run
from cnn_tui.cli.inspect_text import (
    PER_CLASS_COLUMNS,
    evaluation_text,
    per_class_rows,
    predictions_text,
    probe_rows,
    probe_text,
    write_csv,
)
from cnn_tui.cli.parser import resolve_settings

if TYPE_CHECKING:
    from cnn_tui.core.inspect import ProbeResult, RunToInspect

PROBE_CSV_COLUMNS = ("run", "shift", "accuracy")


def _open(text: str, args: argparse.Namespace) -> RunToInspect:
    from cnn_tui.core.inspect import open_run

    runs_dir = Path(resolve_settings(args, ("runs_dir",))["runs_dir"])
    return open_run(resolve_run(text, runs_dir))


@contextlib.contextmanager
def _tensorflow_quiet() -> Iterator[None]:
    """TensorFlow's fd-2 output into a scratch log while the block runs (see native_log)."""
    from cnn_tui.core.native_log import NativeStderr

    with tempfile.TemporaryDirectory(prefix="cnn-tui-") as scratch, \
            NativeStderr(Path(scratch) / "tensorflow.log"):
        yield


class _Progress:
    """A self-erasing status line on a terminal's stdout; silent into a pipe or file."""

    def __init__(self) -> None:
        self.live = _is_tty(sys.stdout)

    def __call__(self, _fraction: float, text: str) -> None:
        if self.live:
            print(f"\r\033[K{text[:100]}", end="", flush=True)

    def clear(self) -> None:
        if self.live:
            print("\r\033[K", end="", flush=True)


def inspect(args: argparse.Namespace) -> int:
    from cnn_tui.core.inspect import cached_evaluation, evaluate_run, load_run

    run = _open(args.run, args)
    _check_csv_path(args.csv)
    evaluation = cached_evaluation(run)
    if evaluation is None:
        progress = _Progress()
        try:
            with _tensorflow_quiet():
                evaluation = evaluate_run(load_run(run, progress))
        finally:
            progress.clear()
    if args.csv:
        write_csv(args.csv, PER_CLASS_COLUMNS, per_class_rows(evaluation))
    if args.json:
        print(json.dumps({"run": str(run.run_dir), **evaluation.to_json()}, indent=2))
    else:
        done = run.epochs_done
        epochs = "" if done is None else f" after {done} epoch{'' if done == 1 else 's'}"
        print(evaluation_text(evaluation, f"{run.name} ({run.model_path.name}{epochs}): "
                              f"{len(evaluation.labels):,} images of {run.dataset_source}'s "
                              f"{evaluation.split}"))
    return EXIT_OK


def predict(args: argparse.Namespace) -> int:
    from cnn_tui.core.inspect import (
        load_model,
        predict_probabilities,
        read_image_files,
        top_classes,
    )

    run = _open(args.run, args)
    images = read_image_files(args.images, run.input_shape)  # a bad file fails before TF loads
    with _tensorflow_quiet():
        probabilities = predict_probabilities(load_model(run).model, images)
    tops = [top_classes(p, run.class_names) for p in probabilities]
    if args.json:
        print(json.dumps([{"image": image, "top": [{"class": c.name, "probability": c.probability}
                                                   for c in top]}
                          for image, top in zip(args.images, tops, strict=True)], indent=2))
    else:
        print(predictions_text(list(zip(args.images, tops, strict=True))))
    return EXIT_OK


def probe(args: argparse.Namespace) -> int:
    from cnn_tui.core.inspect import cached_probe, checked_max_shift, load_run, probe_run

    _check_csv_path(args.csv)
    runs = [(text, _open(text, args)) for text in args.runs]
    for _, run in runs:
        checked_max_shift(run, args.max_shift)
    results: list[tuple[str, ProbeResult]] = []
    for text, run in runs:
        result = cached_probe(run, args.max_shift)
        if result is None:
            progress = _Progress()
            try:
                with _tensorflow_quiet():
                    result = probe_run(load_run(run, progress), args.max_shift, progress=progress)
            finally:
                progress.clear()
        results.append((text, result))
    print(probe_text(results))
    if args.csv:
        write_csv(args.csv, PROBE_CSV_COLUMNS, probe_rows(results))
    return EXIT_OK


def _check_csv_path(path: str | None) -> None:
    """Refuse a bad --csv before minutes of loading and predicting, not after."""
    if path:
        from cnn_tui.core.runs.paths import check_export_path

        check_export_path(path)


def _is_tty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False
