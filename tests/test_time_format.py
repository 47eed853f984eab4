"""The one duration formatter, in both of its styles."""

from __future__ import annotations

import pytest

from cnn_tui.core.time_format import format_duration


@pytest.mark.parametrize(("seconds", "units", "clock"), [
    (0.4, "0s", "00:00"), (59, "59s", "00:59"), (185, "3m05s", "03:05"),
    (3720, "1h02m", "1:02:00"),
])
def test_both_styles(seconds: float, units: str, clock: str) -> None:
    assert format_duration(seconds) == units
    assert format_duration(seconds, "clock") == clock


@pytest.mark.parametrize("seconds", [None, float("nan"), -1.0])
def test_no_estimate_is_said_as_such(seconds: float | None) -> None:
    assert format_duration(seconds) == "--:--" == format_duration(seconds, "clock")
