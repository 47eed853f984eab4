"""User-facing errors of the engine.

Every error the engine expects (bad spec, bad data, bad option) is one of these,
and its message is a sentence a person can act on: what is wrong, then what to
do. The CLI prints it after ``error:``; the TUI shows it in the panel.
"""

from __future__ import annotations


class CnnTuiError(Exception):
    """A problem caused by the user's input, with a message that says how to fix it."""


class SpecError(CnnTuiError):
    """A model spec that cannot be read or cannot build."""


class DatasetError(CnnTuiError):
    """A dataset that cannot be found, downloaded or read."""


class AugmentError(CnnTuiError):
    """An augmentation setting that is unknown or out of range."""


class ConfigError(CnnTuiError):
    """A training option that is out of range (epochs < 1, unknown optimizer...)."""


def first_line(error: BaseException, limit: int = 300) -> str:
    """The start of an error's message, short enough for one status line."""
    return (str(error).strip().splitlines() or [""])[0][:limit]
