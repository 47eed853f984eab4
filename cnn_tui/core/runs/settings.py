"""Every training setting, declared once.

``SETTINGS`` is the one table of what a run can be told: name, kind, default,
bounds or choices, unit and help. The ``cnn-tui train`` flags, the TUI's
Train-tab fields, ``TrainConfig.validate`` and the round trip through a run's
``config.json`` are all made from it, so a bad value gets the same message
whether it was typed on the command line or in the app.

Each setting turns text into a value (``parse``), checks a value
(``check``), and writes and reads it as JSON (``to_json``/``from_json``).
Every failure is a ``ConfigError`` whose message names the setting, what it
must be, and what was given.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cnn_tui.core.errors import CnnTuiError, ConfigError
from cnn_tui.core.limits import MAX_IMAGE_SIDE

OPTIMIZERS = ("rmsprop", "adam", "sgd")
LR_SCHEDULES = ("constant", "step", "exponential", "cosine")
MONITORS = ("val_loss", "val_accuracy", "loss", "accuracy")
YES_NO = ("yes", "no")
HANGUP_CHOICES = ("finish", "stop")
COLOR_CHOICES = ("auto", "truecolor", "256")
PRECISIONS = ("auto", "float32", "mixed")
JIT_CHOICES = ("auto", "on", "off")
AUGMENT_PLACES = ("auto", "host", "device")


@dataclass(frozen=True)
class Setting:
    """One training setting: what it is, its default, and how it is read and checked."""

    name: str
    """The ``TrainConfig`` field (or, for ``scope='app'``, the app option)."""
    kind: str
    """int, float, choice, size, devices, text, path, augment or model."""
    default: Any
    help: str
    label: str = ""
    """The TUI's label; empty: not a Train-tab field."""
    flag: str = ""
    """The command-line flag; default ``--`` + name with dashes."""
    minimum: float | None = None
    maximum: float | None = None
    exclusive: bool = False
    """Bounds exclude their ends (a fraction strictly between 0 and 1)."""
    choices: tuple[str, ...] = ()
    unit: str = ""
    optional: bool = False
    """Empty text means None (``limit``: all images, ``seed``: a random one)."""
    empty_means: str = ""
    """What None means, for placeholders and help ("all images")."""
    scope: str = "run"
    """run: a TrainConfig field; app: how the TUI session behaves; process: read before
    anything else starts, for the whole command (``backend``)."""
    group: str = ""
    """A section of related settings (``config.SETTING_GROUPS``): ``--help`` lists them
    under its title and the Train tab folds them away; empty: a main setting."""

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")

    def expectation(self) -> str:
        """What a valid value looks like, for messages and help."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.kind == "devices":
            from cnn_tui.core.runs.placement import DEVICES_EXPECTED

            return DEVICES_EXPECTED
        if self.kind == "size":
            return f"a size HxW with sides from 1 to {MAX_IMAGE_SIDE}, e.g. 32x32"
        noun = {"int": "a whole number", "float": "a number"}.get(self.kind, "text")
        if self.minimum is None:
            return noun
        lo, hi = _shown(self.minimum), _shown(self.maximum)
        if self.exclusive:
            return f"{noun} between {lo} and {hi} (not included)"
        if self.maximum is None:
            return f"{noun} of at least {lo}"
        return f"{noun} from {lo} to {hi}"

    def _fail(self, given: Any) -> ConfigError:
        # 1.0 is no whole number of epochs: only a number setting shows 1.0 as 1.
        number = self.kind == "float" and not isinstance(given, str)
        shown = _shown(given) if number else repr(given)
        return ConfigError(f"{self.title} must be {self.expectation()}; got {shown}.")

    def parse(self, text: str) -> Any:
        """The value typed as ``text`` (CLI flag or TUI field), checked."""
        text = text.strip()
        if not text and self.optional:
            return None
        if self.kind == "augment":
            from cnn_tui.core.augment_config import parse_augment

            return parse_augment(text)
        if self.kind == "devices":
            from cnn_tui.core.runs.placement import parse_devices

            return parse_devices(text)
        reader = _READERS.get(self.kind)
        if reader is None:
            return self.check(text)
        try:
            value = reader(text)
        except (ValueError, OverflowError):
            raise self._fail(text) from None
        return self.check(value)

    def check(self, value: Any) -> Any:
        """``value`` if valid for this setting, else ConfigError."""
        if value is None and self.optional:
            return None
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise self._fail(value)
        elif self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self._fail(value)
            if not math.isfinite(value):
                raise self._fail(value)
            value = float(value)
        elif self.kind == "size":
            if not _is_size(value):
                raise self._fail(value)
            return (int(value[0]), int(value[1]))
        elif self.kind == "devices":
            # Only the canonical form (what ``parse`` returns) is a value.
            from cnn_tui.core.runs.placement import parse_devices

            if not isinstance(value, str) or parse_devices(value) != value:
                raise self._fail(value)
        elif self.choices and value not in self.choices:
            raise self._fail(value)
        if self.minimum is not None and not self._in_bounds(value):
            raise self._fail(value)
        return value

    def _in_bounds(self, value: float) -> bool:
        lo, hi = self.minimum, self.maximum
        if self.exclusive:
            return lo < value < hi  # type: ignore[operator]
        return value >= lo and (hi is None or value <= hi)  # type: ignore[operator]

    def format(self, value: Any) -> str:
        """The text a TUI field shows for ``value``."""
        if value is None:
            return ""
        if self.kind == "size":
            return f"{value[0]}x{value[1]}"
        if self.kind == "float":
            return f"{value:g}"
        return str(value)

    def to_json(self, value: Any) -> Any:
        if self.kind == "size" and value is not None:
            return [int(value[0]), int(value[1])]
        if self.kind == "augment":
            return value.to_dict()
        if self.kind == "path":
            return str(value)
        return value

    def from_json(self, data: Any) -> Any:
        """The value that ``to_json`` wrote, checked (raises ConfigError)."""
        if self.kind == "augment":
            from cnn_tui.core.augment_config import AugmentConfig

            try:
                return AugmentConfig.from_dict(data if isinstance(data, dict) else {})
            except (CnnTuiError, TypeError, ValueError) as error:
                raise ConfigError(f"augmentation in config.json is not valid: {error}") from None
        if self.kind == "size" and isinstance(data, list):
            data = tuple(data)
        if self.kind in ("text", "path", "model"):
            if data is None and self.optional:
                return None
            if not isinstance(data, (str, dict) if self.kind == "model" else str):
                raise self._fail(data)
            return data
        if self.kind == "float" and isinstance(data, int) and not isinstance(data, bool):
            data = float(data)
        return self.check(data)


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _is_size(value: Any) -> bool:
    return (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and all(1 <= v <= MAX_IMAGE_SIDE for v in value)
    )


def _read_size(text: str) -> tuple[int, int]:
    parts = [p for p in text.lower().replace("x", ",").split(",") if p.strip()]
    if len(parts) == 1:
        parts *= 2
    if len(parts) != 2 or any(len(p.strip()) > 6 for p in parts):
        raise ValueError(text)
    return int(parts[0]), int(parts[1])


def _read_int(text: str) -> int:
    if len(text) > 30:  # int() of thousands of digits is slow and never a valid setting
        raise ValueError(text)
    return int(text)


_READERS: dict[str, Callable[[str], Any]] = {
    "int": _read_int,
    "float": float,
    "size": _read_size,
}
