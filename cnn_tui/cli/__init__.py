"""The ``cnn-tui`` command line.

Every expected failure (a bad option, spec or dataset) ends in exit status 2
with one ``error:`` line on stderr; a failure during training ends in exit 1
and leaves a valid run directory. No traceback reaches the user for either.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from cnn_tui.cli.parser import UsageError, parse_args
from cnn_tui.core.errors import CnnTuiError, ConfigError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def fail(message: str, stream: TextIO | None = None) -> int:
    print(f"error: {message}", file=stream or sys.stderr, flush=True)
    return EXIT_USAGE


def choose_backend(args: argparse.Namespace) -> None:
    """``--backend``: this process's KERAS_BACKEND (and a detached run's, which is
    started with the same arguments), set before anything imports Keras."""
    from cnn_tui.cli.parser import PROCESS_SETTINGS, given_settings
    from cnn_tui.core.backend import check_installed

    backend = given_settings(args, PROCESS_SETTINGS).get("backend")
    if backend is None:
        return
    keras = sys.modules.get("keras")
    if keras is not None and keras.backend.backend() != backend:
        raise ConfigError(f"--backend {backend}: Keras already runs on "
                          f"{keras.backend.backend()} in this process; start a new one.")
    check_installed(backend)
    os.environ["KERAS_BACKEND"] = backend


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parse_args(argv)
    except UsageError as exc:
        return fail(str(exc))
    args.argv = argv  # a detached run starts the same command again
    try:
        choose_backend(args)
    except CnnTuiError as exc:
        return fail(str(exc))
    from cnn_tui.cli import commands, inspect_commands, train_command

    handlers = {
        None: commands.open_app,
        "train": train_command.train,
        "summary": commands.summary,
        "runs": commands.list_runs,
        "export": commands.export,
        "stop": commands.stop,
        "inspect": inspect_commands.inspect,
        "predict": inspect_commands.predict,
        "probe": inspect_commands.probe,
    }
    try:
        return handlers[args.command](args)
    except CnnTuiError as exc:
        return fail(str(exc))
    except BrokenPipeError:
        # `cnn-tui summary --json | head`: the reader left; that is not an error.
        sys.stdout = None
        return EXIT_OK
    except KeyboardInterrupt as exc:
        # Ctrl-C or a signal before anything was created (see signals.py).
        signum = getattr(exc, "signum", 2)
        print(f"interrupted ({exc or 'SIGINT'}) before a run was created", file=sys.stderr)
        return 128 + signum

