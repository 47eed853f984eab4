"""The ``cnn-tui`` command line.

Every expected failure (a bad option, spec or dataset) ends in exit status 2
with one ``error:`` line on stderr; a failure during training ends in exit 1
and leaves a valid run directory. No traceback reaches the user for either.
"""

from __future__ import annotations

import sys
from typing import TextIO

from cnn_tui.cli.parser import UsageError, parse_args
from cnn_tui.core.errors import CnnTuiError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def fail(message: str, stream: TextIO | None = None) -> int:
    print(f"error: {message}", file=stream or sys.stderr, flush=True)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parse_args(argv)
    except UsageError as exc:
        return fail(str(exc))
    args.argv = argv  # a detached run starts the same command again
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

