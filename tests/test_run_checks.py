"""A run's JSON files read as untrusted input: each refusal is one line that names the field.

The Runs tab and ``cnn-tui runs`` list an unreadable run with this line as its reason, so
each is pinned whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cnn_tui.core.runs import checks
from cnn_tui.core.runs.checks import (
    MAX_PID,
    Unreadable,
    check_config,
    check_status,
    load_object,
    reason,
)


def refusal_of(check: Any, data: dict[str, Any]) -> str:
    with pytest.raises(Unreadable) as info:
        check(data)
    return str(info.value)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"dataset": 3}, "config.json: dataset is the number 3, not an object or a string"),
        ({"model": []}, "config.json: model is a list, not an object or a string"),
        ({"augmentation": "x"}, 'config.json: augmentation is the string "x", not an object'),
        ({"created": 20260101}, "config.json: created is the number 20260101, not a string"),
        ({"optimizer": {}}, "config.json: optimizer is an object, not a string"),
        ({"epochs": "x"}, 'config.json: epochs is the string "x", not a whole number'),
        ({"batch_size": 2.5}, "config.json: batch_size is the number 2.5, not a whole number"),
        ({"seed": True}, "config.json: seed is true, not a whole number"),
        ({"epochs": False}, "config.json: epochs is false, not a whole number"),
        ({"learning_rate": "0.1"},
         'config.json: learning_rate is the string "0.1", not a whole number or a number'),
        ({"learning_rate": float("nan")},
         "config.json: learning_rate is nan, not a finite number"),
        ({"learning_rate": float("-inf")},
         "config.json: learning_rate is -inf, not a finite number"),
        ({"dataset": {"name": 3}}, "config.json: dataset: name is the number 3, not a string"),
        ({"model": {"name": [1]}}, "config.json: model: name is a list, not a string"),
        ({"dataset": {"name": "mnist", "source": 1}},
         "config.json: dataset: source is the number 1, not a string"),
        ({"dataset": {"name": "mnist", "limit": "all"}},
         'config.json: dataset: limit is the string "all", not a whole number'),
        ({"model": {"name": "m", "spec": "seed-cnn"}},
         'config.json: model: spec is the string "seed-cnn", not an object'),
    ],
)
def test_a_config_field_of_the_wrong_kind_is_named(config: dict[str, Any], message: str) -> None:
    assert refusal_of(check_config, config) == message


def test_a_config_as_cnn_tui_writes_it_passes() -> None:
    check_config({
        "dataset": {"name": "mnist", "source": "mnist", "limit": 100}, "created": "2026",
        "model": {"name": "m", "spec": {"layers": []}}, "augmentation": {}, "optimizer": "adam",
        "epochs": 2, "batch_size": 32, "seed": 0, "learning_rate": 1,
    })
    check_config({"dataset": "mnist", "model": "seed-cnn", "learning_rate": 0.001,
                  "epochs": None})


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ({"state": 3}, "status.json: state is the number 3, not a string"),
        ({"host": ["a"]}, "status.json: host is a list, not a string"),
        ({"started_at": 1.5}, "status.json: started_at is the number 1.5, not a string"),
        ({"pid": "123"}, 'status.json: pid is the string "123", not a whole number'),
        ({"pid": 0}, "status.json: pid is the number 0, not a process id"),
        ({"pid": -5}, "status.json: pid is the number -5, not a process id"),
        ({"pid": MAX_PID + 1}, f"status.json: pid is the number {MAX_PID + 1}, not a process id"),
        ({"pid": 2**64}, "status.json: pid is a 65-bit number, not a process id"),
        ({"pid": 2**64 - 1},
         "status.json: pid is the number 18446744073709551615, not a process id"),
    ],
)
def test_a_status_field_that_no_run_wrote_is_named(status: dict[str, Any], message: str) -> None:
    assert refusal_of(check_status, status) == message


@pytest.mark.parametrize("pid", [1, 4242, MAX_PID])
def test_every_linux_process_id_is_a_pid(pid: int) -> None:
    check_status({"state": "running", "host": "h", "started_at": "2026", "pid": pid})


@pytest.mark.parametrize(
    ("value", "described"),
    [
        ("x" * 38, 'the string "' + "x" * 38 + '"'),
        ("x" * 39, 'the string "' + "x" * 35 + "..."),
    ],
)
def test_a_long_string_is_cut_short(value: str, described: str) -> None:
    assert refusal_of(check_status, {"host": value, "pid": 0}) == (
        "status.json: pid is the number 0, not a process id"
    )
    assert refusal_of(check_status, {"state": value, "host": 1}) == (
        "status.json: host is the number 1, not a string"
    )
    assert refusal_of(check_config, {"optimizer": value, "epochs": value}) == (
        f"config.json: epochs is {described}, not a whole number"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("null", "config.json is null, not a JSON object"),
        ("[1]", "config.json is a list, not a JSON object"),
        ('"x"', 'config.json is the string "x", not a JSON object'),
        ("3", "config.json is the number 3, not a JSON object"),
        ("", "config.json is not valid JSON (Expecting value: line 1 column 1 (char 0))"),
        ('{"epochs": ' + "9" * 31 + "}", "config.json holds a 31-digit number"),
        ('{"epochs": -' + "9" * 31 + "}", "config.json holds a 31-digit number"),
        ("[" * 100_000 + "]" * 100_000, "config.json is nested too deeply"),
    ],
)
def test_a_file_that_is_no_json_object_says_why(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Unreadable) as info:
        load_object(path)
    assert str(info.value) == message


def test_thirty_digits_is_a_number_still(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text('{"a": ' + "9" * 30 + ', "b": -' + "9" * 30 + "}", encoding="utf-8")
    assert load_object(path) == {"a": int("9" * 30), "b": -int("9" * 30)}


def test_a_file_that_cannot_be_read_gives_the_first_line_of_the_reason(tmp_path: Path) -> None:
    binary = tmp_path / "status.json"
    binary.write_bytes(b'\xff{"state": "x"}')
    with pytest.raises(Unreadable) as info:
        load_object(binary)
    assert str(info.value) == ("status.json cannot be read ('utf-8' codec can't decode byte "
                               "0xff in position 0: invalid start byte)")
    folder = tmp_path / "config.json"
    folder.mkdir()
    with pytest.raises(Unreadable) as info:
        load_object(folder)
    assert str(info.value) == f"config.json cannot be read ([Errno 21] Is a directory: '{folder}')"


def test_a_file_over_the_size_bound_is_not_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checks, "MAX_JSON_BYTES", 10)
    path = tmp_path / "config.json"
    path.write_text('{"a": 123}', encoding="utf-8")  # 10 bytes: at the bound
    assert load_object(path) == {"a": 123}
    path.write_text('{"a": 1234}', encoding="utf-8")
    with pytest.raises(Unreadable) as info:
        load_object(path)
    assert str(info.value) == "config.json is over 10 bytes"


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (Unreadable("config.json is over 10 bytes"), "config.json is over 10 bytes"),
        (KeyError("epochs"), "KeyError: 'epochs'"),
        (OSError("\n  disk on fire\n details "), "OSError: disk on fire"),
        (ValueError(""), "ValueError: "),
        (ValueError("x" * 300), "ValueError: " + "x" * 200),
    ],
)
def test_a_reason_is_one_short_line(error: BaseException, line: str) -> None:
    assert reason(error) == line
