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

TRUE_COLOR_HOWTO: list[tuple[str, str]] = [
    ("--color truecolor", "start with 24-bit colour when the terminal has it but did not say "
     "so: ssh forwards TERM but not COLORTERM"),
    ("ssh", "or forward COLORTERM: 'SendEnv COLORTERM' in ~/.ssh/config and "
     "'AcceptEnv COLORTERM' in the server's sshd_config"),
    ("shell", "or on the server: export COLORTERM=truecolor"),
    ("tmux", "set -as terminal-features ',*:RGB' in ~/.tmux.conf, else tmux may turn 24-bit "
     "colour into 256 itself"),
    ("--color 256", "the 256-colour palette: images are dithered, so gradients keep "
     "their colours"),
]
"""How to get true colour over SSH and in tmux: the help screen's rows (README says the same)."""


def apply_color_choice(console: Console, choice: str) -> None:
    """Make ``console`` draw with the colour system chosen (``auto``: as detected)."""
    system = FORCED_SYSTEMS.get(choice)
    if system is not None:
        console._color_system = system


def draws_256_colors(console: Console) -> bool:
    """Whether the console turns every true colour into one of the 256-colour palette's."""
    return console.color_system == "256"


def describe_color_depth(console: Console) -> str:
    """The colours the app draws with now, for the help screen."""
    return {
        "truecolor": "24-bit colour",
        "256": "256 colours, images dithered",
        "standard": "16 colours",
        "windows": "16 colours",
    }.get(console.color_system or "", "no colour")
