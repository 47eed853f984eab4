"""Waiting, in a Pilot test, for the panels that come after the first frame.

The app mounts the hidden tabs' panels just after its first frame
(cnn_tui/ui/tab_panels.py). Keys wait for that in the app's own queue, but a
test that reaches into widgets directly from its own coroutine must wait too.
"""

from __future__ import annotations

from typing import Any


async def panels_ready(pilot: Any, timeout: float = 10.0) -> None:
    """Return once every tab's panel is mounted and its bindings have settled."""
    waited = 0.0
    while not pilot.app.panels_mounted:
        if waited > timeout:
            raise AssertionError(f"the hidden tabs' panels were not mounted in {timeout:.0f} s")
        await pilot.pause(0.02)
        waited += 0.02
    await pilot.pause()  # the bound values' first sync runs after the mount
