"""The one duration formatter: seconds as the terminal bar and the Train tab show them.

Two styles, because the two places have different room: ``clock``
(``01:05``, ``1:02:00``) keeps the command line's progress bar the same
width from one redraw to the next; ``units`` (``1m05s``, ``1h02m``) reads
at a glance in the Train tab's narrow column. No imports from cnn-tui, like
``shape_format.py``.
"""

from __future__ import annotations

import math
from typing import Literal

DurationStyle = Literal["clock", "units"]


def format_duration(seconds: float | None, style: DurationStyle = "units", *,
                    missing: str = "--:--") -> str:
    """``seconds`` in ``style``; ``missing`` for None, NaN or a negative time (no estimate)."""
    if seconds is None or math.isnan(seconds) or seconds < 0:
        return missing
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if style == "clock":
        return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
