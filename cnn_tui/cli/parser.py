"""The argument parser of ``cnn-tui``.

Bad arguments must end in exit status 2 and a single ``error:`` line on stderr,
not argparse's usage block, so :class:`OneLineErrorParser` overrides
``error``. Importing this module imports nothing heavy: ``cnn-tui --help``
must answer instantly.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from cnn_tui import __version__

DEFAULTS = {
    "dataset": "mnist",
    "model": "seed-cnn",
    "epochs": 10,
    "batch_size": 256,
    "optimizer": "rmsprop",
    "lr": 0.001,
    "val_split": 0.1,
    "runs_dir": "runs",
}


class UsageError(Exception):
    """An argument the parser rejected; the CLI prints it as one ``error:`` line."""


class OneLineErrorParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{value} must be greater than 0")
    return value


def _fraction(text: str) -> float:
    value = _positive_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"{value} must be between 0 and 1, e.g. 0.1")
    return value


def _image_size(text: str) -> tuple[int, int]:
    parts = text.lower().replace("x", ",").split(",")
    try:
        sizes = [int(p) for p in parts if p.strip()]
    except ValueError:
        sizes = []
    if len(sizes) == 1:
        sizes *= 2
    if len(sizes) != 2 or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size; write HxW such as 32x32")
    return sizes[0], sizes[1]


def _add_data_options(parser: argparse.ArgumentParser, *, with_defaults: bool = True) -> None:
    parser.add_argument(
        "--dataset",
        default=DEFAULTS["dataset"] if with_defaults else None,
        help="mnist, fashion_mnist, cifar10, cifar100, or a path (IDX folder, .npz, "
        "CIFAR batches, image folder) (default: %(default)s)",
    )
    parser.add_argument(
        "--model",
        default=DEFAULTS["model"],
        help="a preset (seed-cnn, seed-mlp, lenet5, bn-cnn) or a spec .json (default: %(default)s)",
    )
    parser.add_argument("--image-size", type=_image_size, help="resize an image folder to HxW")


def _add_training_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--augment", default="none", help="none, seed, or k=v,k=v with "
                        "ImageDataGenerator names (rotation_range=10,horizontal_flip=true)")
    parser.add_argument("--epochs", type=_positive_int, default=DEFAULTS["epochs"])
    parser.add_argument("--batch-size", type=_positive_int, default=DEFAULTS["batch_size"])
    parser.add_argument("--optimizer", choices=["rmsprop", "adam", "sgd"],
                        default=DEFAULTS["optimizer"], help="(default: %(default)s)")
    parser.add_argument("--lr", type=_positive_float, default=DEFAULTS["lr"],
                        help="learning rate (default: %(default)s, Keras's RMSprop default)")
    parser.add_argument("--limit", type=_positive_int,
                        help="train on a class-balanced subset of N images")
    parser.add_argument("--val-split", type=_fraction, default=DEFAULTS["val_split"],
                        help="held-out fraction when the data has no test split "
                        "(default: %(default)s)")
    parser.add_argument("--seed", type=int, help="random seed (default: a new one, recorded)")
    parser.add_argument("--runs-dir", default=DEFAULTS["runs_dir"],
                        help="where run directories go (default: %(default)s)")


def build_parser() -> OneLineErrorParser:
    parser = OneLineErrorParser(
        prog="cnn-tui",
        description="Build, train and compare convolutional networks. Without a command, "
        "opens the terminal app with the given choices filled in.",
    )
    parser.add_argument("--version", action="version", version=f"cnn-tui {__version__}")
    _add_data_options(parser)
    _add_training_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     parser_class=OneLineErrorParser)

    train = commands.add_parser("train", help="train headless, print progress, "
                                "end with the run directory")
    _add_data_options(train)
    _add_training_options(train)
    train.add_argument("--name", help="run name (default: <model>-<dataset>)")

    summary = commands.add_parser("summary", help="the shape table, without TensorFlow")
    _add_data_options(summary)
    summary.add_argument("--json", action="store_true", help="print JSON instead of a table")

    runs = commands.add_parser("runs", help="a table of past runs")
    runs.add_argument("--runs-dir", default=DEFAULTS["runs_dir"])

    export = commands.add_parser("export", help="one CSV of several runs' histories")
    export.add_argument("runs", nargs="+", metavar="RUN", help="run directories or names")
    export.add_argument("-o", "--output", required=True, metavar="FILE.csv")
    export.add_argument("--runs-dir", default=DEFAULTS["runs_dir"],
                        help="where to look up run names (default: %(default)s)")
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(sys.argv[1:] if argv is None else argv)
