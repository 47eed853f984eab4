"""Updating a Static's text without laying the whole screen out again when it can be avoided."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def update_text(static: Static, content: str | Text) -> None:
    """``static.update(content)``, laying the screen out again only if its height changes.

    Progress text changes with every batch, the layer help with every cursor
    move; a layout of the whole screen costs
    tens of milliseconds, a repaint of one line almost nothing.
    """
    width = static.size.width
    if not width:  # never laid out: let the layout measure it
        static.update(content)
        return
    nowhere = static.size  # only the width matters to a Static's height
    before = static.get_content_height(nowhere, nowhere, width)
    static.update(content, layout=False)
    if static.get_content_height(nowhere, nowhere, width) != before:
        static.refresh(layout=True)
