"""Reading a run's JSON files as untrusted input.

A run folder may be half-written, edited by hand, or copied from elsewhere:
its config.json may be invalid JSON, nested 100,000 deep (RecursionError in
``json.loads``), or hold a pid of 2**70 (OverflowError in ``os.kill``) or an
epoch count of "x". ``runs_index`` lists such a run as unreadable with the
reason from here, instead of letting one folder crash ``cnn-tui runs`` or the
Runs tab. Only the fields that the listing and "open config" use are checked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cnn_tui.core.errors import first_line

MAX_JSON_BYTES = 10_000_000
"""A run's JSON file larger than this was not written by cnn-tui."""

MAX_PID = 2**22
"""Linux's largest pid_max: a larger pid in status.json is not a process."""


class Unreadable(ValueError):
    """A run file that cannot be used; the message is the reason, naming the file."""


def load_object(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; Unreadable says why not."""
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise Unreadable(f"{path.name} is over {MAX_JSON_BYTES:,} bytes")
        data = json.loads(path.read_text(encoding="utf-8"), parse_int=_parse_int)
    except Unreadable:  # a ValueError too: not to be rephrased as "cannot be read"
        raise
    except RecursionError:
        raise Unreadable(f"{path.name} is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise Unreadable(f"{path.name} is not valid JSON ({error})") from None
    except _LongNumber as error:
        raise Unreadable(f"{path.name} holds a {error}-digit number") from None
    except (OSError, ValueError) as error:  # unreadable, not UTF-8
        raise Unreadable(f"{path.name} cannot be read ({first_line(error, 200)})") from None
    if not isinstance(data, dict):
        raise Unreadable(f"{path.name} is {_describe(data)}, not a JSON object")
    return data


class _LongNumber(ValueError):
    """An integer too long for int() (over 4300 digits) or for any field of a run."""


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > 30:
        raise _LongNumber(str(digits))
    return int(text)


def check_config(config: Mapping[str, Any]) -> None:
    """Raise Unreadable when a field of config.json has a type cnn-tui never writes there."""
    _expect(config, "config.json", "dataset", (dict, str))
    _expect(config, "config.json", "model", (dict, str))
    _expect(config, "config.json", "augmentation", (dict,))
    _expect(config, "config.json", "created", (str,))
    _expect(config, "config.json", "optimizer", (str,))
    for key in ("epochs", "batch_size", "seed"):
        _expect(config, "config.json", key, (int,))
    _expect(config, "config.json", "learning_rate", (int, float))
    rate = config.get("learning_rate")
    if isinstance(rate, float) and not math.isfinite(rate):
        raise Unreadable(f"config.json: learning_rate is {rate}, not a finite number")
    for key in ("dataset", "model"):
        inner = config.get(key)
        if isinstance(inner, dict):
            _expect(inner, f"config.json: {key}", "name", (str,))
    dataset = config.get("dataset")
    if isinstance(dataset, dict):
        _expect(dataset, "config.json: dataset", "source", (str,))
        _expect(dataset, "config.json: dataset", "limit", (int,))
    model = config.get("model")
    if isinstance(model, dict):
        _expect(model, "config.json: model", "spec", (dict,))


def check_status(status: Mapping[str, Any]) -> None:
    """Raise Unreadable when status.json's state or pid cannot be what a run wrote."""
    _expect(status, "status.json", "state", (str,))
    _expect(status, "status.json", "host", (str,))
    _expect(status, "status.json", "started_at", (str,))
    _expect(status, "status.json", "pid", (int,))
    pid = status.get("pid")
    if isinstance(pid, int) and not 0 < pid <= MAX_PID:
        raise Unreadable(f"status.json: pid is {_describe(pid)}, not a process id")


def reason(error: BaseException) -> str:
    """One line for the listing: the Unreadable message, or the error's type and text."""
    if isinstance(error, Unreadable):
        return str(error)
    return f"{type(error).__name__}: {first_line(error, 200)}"


def _expect(data: Mapping[str, Any], where: str, key: str, kinds: tuple[type, ...]) -> None:
    value = data.get(key)
    # JSON true/false are ints to Python; no field here is a boolean.
    if value is not None and (isinstance(value, bool) or not isinstance(value, kinds)):
        names = " or ".join({"dict": "an object", "str": "a string", "int": "a whole number",
                             "float": "a number"}[kind.__name__] for kind in kinds)
        raise Unreadable(f"{where}: {key} is {_describe(value)}, not {names}")


def _describe(value: Any) -> str:
    """'a list', 'the string "x"', 'the number 3', 'a 71-bit number': short, never a dump."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a {value.bit_length()}-bit number"  # str() of a huge int may raise
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        text = json.dumps(value)
        return f"the string {text if len(text) <= 40 else text[:36] + '...'}"
    if isinstance(value, dict):
        return "an object"
    return "a list" if isinstance(value, list) else "null"
