"""How many colours the app draws with: what the terminal says, or ``--color``.

Textual draws through its App's Rich console, whose colour system Rich detects
from the environment when the App is created: ``COLORTERM=truecolor`` (or
``24bit``) means 24-bit colour, else ``TERM``'s ``-256color`` suffix means 256.
``ssh`` forwards ``TERM`` but, unless told to, not ``COLORTERM``, so over SSH
(and in tmux) Textual falls back to 256 colours although the terminal on the
other end shows true colour. ``--color truecolor`` says so; ``--color 256``
forces the fallback (to see what others will see).

Rich offers no setter for a console's colour system, only the constructor's
``color_system`` argument, and Textual makes its console itself; so the choice
is written into the one attribute both read (Textual's ``Strip.render`` reads
``console._color_system`` for every line it draws). ``tests/ui/test_color_depth.py``
checks that the lines drawn really carry 24-bit or 256-colour codes.
"""

from __future__ import annotations

from rich.console import ColorSystem, Console

FORCED_SYSTEMS = {"truecolor": ColorSystem.TRUECOLOR, "256": ColorSystem.EIGHT_BIT}
"""The ``--color`` choices that override detection; ``auto`` keeps Rich's."""


def apply_color_choice(console: Console, choice: str) -> None:
    """Make ``console`` draw with the colour system chosen (``auto``: as detected)."""
    system = FORCED_SYSTEMS.get(choice)
    if system is not None:
        console._color_system = system


def draws_256_colors(console: Console) -> bool:
    """Whether the console turns every true colour into one of the 256-colour palette's."""
    return console.color_system == "256"
