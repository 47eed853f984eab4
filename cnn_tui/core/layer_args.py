"""Layer arguments: their kinds, bounds, and reading them from JSON or typed text.

``ArgSchema.coerce`` is what the TUI's edit form calls on every keystroke and
what validation calls on every spec value, so both give the same message:
"<name>=<value> is not valid; use <what is accepted>, e.g. <example>".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from cnn_tui.core.limits import digit_count
from cnn_tui.core.shape_format import format_shape

REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()

#: Activations that keep the tensor's shape and take no extra argument
#: (Keras's ``glu`` halves the last axis and ``threshold`` needs parameters).
ACTIVATIONS: tuple[str | None, ...] = (
    None, "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu",
    "swish", "mish", "softplus", "softsign", "sigmoid", "hard_sigmoid", "hard_silu",
    "tanh", "exponential", "softmax", "log_softmax",
)

_NONE_WORDS = {"", "none", "null"}
_TRUE_WORDS = {"true", "yes", "on", "1"}
_FALSE_WORDS = {"false", "no", "off", "0"}

#: Ints from here on are shown by their length: str() of a 5,000-digit int raises
#: ValueError, and a long one floods the message.
_LONG_INT = 10**30


class ArgValueError(ValueError):
    """An argument value that cannot be used; the message says what to type instead."""


@dataclass(frozen=True)
class ArgSchema:
    """One argument of a layer: how to read it and what values it accepts."""

    name: str
    kind: str
    """``int``, ``float``, ``bool``, ``choice`` or ``int_or_pair`` (an int or [h, w])."""
    default: Any
    """Keras's default, or ``REQUIRED`` when Keras has none."""
    help: str
    minimum: float | None = None
    maximum: float | None = None
    maximum_exclusive: bool = False
    choices: tuple[Any, ...] = ()
    nullable: bool = False
    """``None`` is a valid value (pooling strides: None means the pool size)."""
    suggested: Any = None
    """The value a freshly added layer starts with when Keras has no default."""
    ceiling: int | None = None
    """The largest value cnn-tui accepts (see limits.py): not a Keras rule, so
    it is left out of ``describe_range`` and named only when exceeded."""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def describe_range(self) -> str:
        """A short phrase for the accepted values, used in error messages and form hints."""
        if self.kind == "choice":
            return "one of " + ", ".join(_show(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        noun = {"int": "an integer", "float": "a number", "int_or_pair": "an integer or [h, w]"}
        text = noun[self.kind]
        if self.minimum is not None and self.maximum is not None:
            upper = "<" if self.maximum_exclusive else "<="
            text += f" with {_show(self.minimum)} <= value {upper} {_show(self.maximum)}"
        elif self.minimum is not None:
            text += f" >= {_show(self.minimum)}"
        if self.nullable:
            text += " (or None)"
        return text

    def coerce(self, value: Any) -> Any:
        """Turn a JSON value or a typed string into this argument's value.

        Raises ArgValueError("<name> ...; use ...") when the value is unusable.
        Pairs come back as tuples, with equal halves folded to one int.
        """
        if isinstance(value, str) and self.kind != "choice":
            value = self._parse_text(value)
        if value is None:
            if self.nullable or None in self.choices:
                return None
            raise self._error(value)
        if self.kind == "choice":
            return self._coerce_choice(value)
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise self._error(value)
        if self.kind == "int_or_pair":
            return self._coerce_pair(value)
        number = self._coerce_number(value)
        self._check_bounds(number, value)
        return number

    def to_text(self, value: Any) -> str:
        """How a value is shown in an edit field; ``coerce`` reads it back unchanged."""
        if value is REQUIRED:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, float):
            return repr(value)
        return _show(value)

    def _parse_text(self, text: str) -> Any:
        stripped = text.strip()
        lowered = stripped.lower()
        if lowered in _NONE_WORDS:
            return None
        if self.kind == "bool":
            if lowered in _TRUE_WORDS:
                return True
            if lowered in _FALSE_WORDS:
                return False
            raise self._error(text)
        if self.kind == "int_or_pair":
            parts = [p for p in re.split(r"[\s,x×()\[\]]+", lowered) if p]
            # Over 4300 digits int() raises ValueError: too large anyway.
            if len(parts) in (1, 2) and all(re.fullmatch(r"[+-]?\d{1,30}", p) for p in parts):
                numbers = [int(p) for p in parts]
                return numbers[0] if len(numbers) == 1 else numbers
            raise self._error(text)
        try:
            return int(stripped) if self.kind == "int" else float(stripped)
        except ValueError:
            raise self._error(text) from None

    def _coerce_choice(self, value: Any) -> Any:
        for choice in self.choices:
            if value == choice or (
                isinstance(value, str) and isinstance(choice, str) and value.lower() == choice
            ):
                return choice
        if isinstance(value, str) and value.strip().lower() in _NONE_WORDS and None in self.choices:
            return None
        raise self._error(value)

    def _coerce_number(self, value: Any) -> int | float:
        # JSON booleans are ints in Python; "filters": true is a mistake, not 1.
        if isinstance(value, bool):
            raise self._error(value)
        if self.kind == "int":
            if isinstance(value, int):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise self._error(value)
        if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
            # NaN passes every comparison with a bound, so it must be refused here.
            return float(value)
        raise self._error(value)

    def _coerce_pair(self, value: Any) -> int | tuple[int, int]:
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        if len(items) not in (1, 2):
            raise self._error(value)
        numbers = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise self._error(value)
            if isinstance(item, float) and not item.is_integer():  # also NaN and inf
                raise self._error(value)
            numbers.append(int(item))
            self._check_bounds(int(item), value)
        if len(numbers) == 1 or numbers[0] == numbers[1]:
            return numbers[0]
        return (numbers[0], numbers[1])

    def _check_bounds(self, number: float, original: Any) -> None:
        too_low = self.minimum is not None and number < self.minimum
        too_high = self.maximum is not None and (
            number >= self.maximum if self.maximum_exclusive else number > self.maximum
        )
        if too_low or too_high:
            raise self._error(original)
        if self.ceiling is not None and number > self.ceiling:
            raise ArgValueError(
                f"{self.name}={_show(original)} is too large; use at most {self.ceiling:,} "
                "(a larger value would not fit in memory)"
            )

    def _error(self, value: Any) -> ArgValueError:
        example = self.suggested if self.default in (REQUIRED, None) else self.default
        hint = f"; use {self.describe_range()}"
        if example is not None and self.kind != "choice":
            hint += f", e.g. {_show(example)}"
        return ArgValueError(f"{self.name}={_show(value)} is not valid{hint}")


def pair(value: int | tuple[int, int] | list[int]) -> tuple[int, int]:
    """(h, w) from an int-or-pair argument value."""
    if isinstance(value, int):
        return (value, value)
    return (int(value[0]), int(value[1]))


def show_value(value: Any) -> str:
    """How a value is written in messages: JSON-ish, pairs as 3x5."""
    return _show(value)


def _show(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e6:
        return f"{value:g}" if value != 0 else "0"
    if isinstance(value, int) and abs(value) >= _LONG_INT:
        return f"a {digit_count(value)}-digit number"
    if isinstance(value, (tuple, list)):
        if len(value) == 2 and all(_is_short_number(v) for v in value):
            return format_shape(value)  # a pair reads as the window it is: 3x5
        # Item by item: ["3", 3] is no 3x3 window, and an item may be a 5,000-digit int.
        text = "[" + ", ".join(_show(v) for v in value) + "]"
    else:
        text = f"'{value}'" if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_short_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return not isinstance(value, int) or abs(value) < _LONG_INT
