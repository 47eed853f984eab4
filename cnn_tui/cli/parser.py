"""The argument parser of ``cnn-tui``, made from the core's table of settings.

Every setting flag is declared by its row of ``SETTINGS`` (``core/runs/config.py``):
argparse only collects the text, and ``resolve_settings`` parses it with the
setting's own ``parse``, so a bad value gets the same message here as in
the TUI. Bad arguments end in exit status 2 and a single ``error:`` line, not
argparse's usage block (:class:`OneLineErrorParser`). Importing this module
loads neither TensorFlow nor Textual: ``cnn-tui --help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from cnn_tui import __version__
from cnn_tui.core.runs.config import SETTING, SETTING_GROUPS, SETTINGS
from cnn_tui.core.runs.settings import Setting

APP_SETTINGS = ("dataset", "model", "augment", "optimizer", "learning_rate", "batch_size",
                "epochs", "limit", "val_split", "image_size", "seed", "lr_schedule",
                "warmup_epochs", "lr_step_epochs", "lr_decay", "monitor", "plateau_patience",
                "plateau_factor", "early_stop_patience", "early_stop_min_delta", "restore_best",
                "devices", "precision", "jit", "augment_on", "runs_dir", "on_hangup", "color")
TRAIN_SETTINGS = tuple(s.name for s in SETTINGS if s.scope == "run")
PROCESS_SETTINGS = tuple(s.name for s in SETTINGS if s.scope == "process")
"""Given to the app and to each command that loads Keras (``cli.main`` applies them)."""
SUMMARY_SETTINGS = ("dataset", "model", "image_size", "batch_size", "optimizer")
"""The last two size the training-memory estimate."""


class UsageError(Exception):
    """An argument the parser rejected; the CLI prints it as one ``error:`` line."""


class OneLineErrorParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _help(setting: Setting) -> str:
    text = setting.help
    if setting.choices:
        text += f" ({'|'.join(setting.choices)})"
    if setting.default is not None and setting.kind != "augment":
        text += f" (default: {setting.format(setting.default)})"
    elif setting.empty_means:
        text += f" (default: {setting.empty_means})"
    return text.replace("%", "%%")


def _add_settings(parser: argparse.ArgumentParser, names: tuple[str, ...]) -> None:
    """One flag per setting; the value stays text (None when not given) until resolved.

    A setting of a group (``SETTING_GROUPS``) is listed under the group's title in --help.
    """
    sections: dict[str, Any] = {}
    for name in names:
        setting = SETTING[name]
        where = parser
        if setting.group:
            if setting.group not in sections:
                sections[setting.group] = parser.add_argument_group(
                    SETTING_GROUPS[setting.group])
            where = sections[setting.group]
        where.add_argument(setting.cli_flag, dest=name, default=None, metavar=_metavar(setting),
                           help=_help(setting))


def _metavar(setting: Setting) -> str:
    return {"int": "N", "float": "X", "size": "HxW", "path": "DIR",
            "devices": "DEVICES"}.get(setting.kind, "TEXT")


def resolve_settings(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, Any]:
    """Every setting's value: the parsed flag, or the table's default (ConfigError when bad)."""
    return {name: _resolve(name, getattr(args, name, None)) for name in names}


def given_settings(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, Any]:
    """Only the settings whose flag was on the command line, parsed."""
    return {name: _resolve(name, text) for name in names
            if (text := getattr(args, name, None)) is not None}


def _resolve(name: str, text: str | None) -> Any:
    setting = SETTING[name]
    if text is None:
        return setting.default
    try:
        return setting.parse(text)
    except Exception as error:
        # Name the flag, as a command-line user typed it.
        raise type(error)(f"{setting.cli_flag}: {error}") from None


def build_parser() -> OneLineErrorParser:
    parser = OneLineErrorParser(
        prog="cnn-tui",
        description="Build, train and compare convolutional networks. Without a command, "
        "opens the terminal app with the given choices filled in.",
    )
    parser.add_argument("--version", action="version", version=f"cnn-tui {__version__}")
    _add_settings(parser, APP_SETTINGS + PROCESS_SETTINGS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     parser_class=OneLineErrorParser)

    train = commands.add_parser("train", help="train headless, print progress, "
                                "end with the run directory")
    _add_settings(train, TRAIN_SETTINGS + PROCESS_SETTINGS)
    train.add_argument("--resume", metavar="RUN_DIR",
                       help="go on with a stopped, interrupted or failed run from its last "
                       "checkpoint (--epochs sets its new total)")
    train.add_argument("--detach", action="store_true",
                       help="run in the background in its own session (it survives logout); "
                       "print the run directory and return at once")
    train.add_argument("--into-run-dir", dest="into_run_dir", help=argparse.SUPPRESS)

    summary = commands.add_parser("summary", help="the shape table and each layer's cost "
                                  "(MACs, receptive field, memory), without TensorFlow")
    _add_settings(summary, SUMMARY_SETTINGS)
    summary.add_argument("--json", action="store_true", help="print JSON instead of a table")

    runs = commands.add_parser("runs", help="a table of past runs")
    _add_settings(runs, ("runs_dir",))

    export = commands.add_parser("export", help="one CSV of several runs' histories")
    export.add_argument("runs", nargs="+", metavar="RUN", help="run directories or names")
    export.add_argument("-o", "--output", required=True, metavar="FILE.csv")
    _add_settings(export, ("runs_dir",))

    stop = commands.add_parser("stop", help="ask a running run (of any process) to stop at "
                               "its next batch; it saves its model")
    stop.add_argument("run", metavar="RUN", help="a run directory or name")
    _add_settings(stop, ("runs_dir",))
    _add_inspect_commands(commands)
    return parser


def _add_inspect_commands(commands: Any) -> None:
    """``inspect``, ``predict`` and ``probe`` (``inspect_commands.py``): a trained run."""
    inspect = commands.add_parser(
        "inspect", help="a trained run's confusion matrix, per-class precision, recall and F1, "
        "and most confused pairs, on its validation (or test) split")
    inspect.add_argument("run", metavar="RUN", help="a run directory or name")
    inspect.add_argument("--json", action="store_true", help="print JSON: classes, confusion "
                         "(rows true, columns predicted), accuracy, per_class, confused_pairs")
    inspect.add_argument("--csv", metavar="FILE", help="also write the per-class figures to "
                         "FILE, columns class,precision,recall,f1,support (empty: undefined)")
    _add_settings(inspect, ("runs_dir", *PROCESS_SETTINGS))

    predict = commands.add_parser(
        "predict", help="the top 3 classes of image files (PNG, JPEG...) by a trained run")
    predict.add_argument("run", metavar="RUN", help="a run directory or name")
    predict.add_argument("images", nargs="+", metavar="IMAGE", help="image files; converted to "
                         "the run's input size and channels (grey or RGB)")
    predict.add_argument("--json", action="store_true", help='print JSON: [{"image", "top": '
                         '[{"class", "probability"}, ...]}, ...]')
    _add_settings(predict, ("runs_dir", *PROCESS_SETTINGS))

    probe = commands.add_parser(
        "probe", help="translation invariance: accuracy on each run's split shifted by 0..K "
        "pixels (mean of up, down, left, right)")
    probe.add_argument("runs", nargs="+", metavar="RUN", help="run directories or names")
    probe.add_argument("--max-shift", dest="max_shift", type=int, metavar="K",
                       help="largest shift in pixels (default and maximum: a quarter of the "
                       "image width)")
    probe.add_argument("--csv", metavar="FILE", help="also write FILE with columns "
                       "run,shift,accuracy (run as given on the command line)")
    _add_settings(probe, ("runs_dir", *PROCESS_SETTINGS))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(sys.argv[1:] if argv is None else argv)
