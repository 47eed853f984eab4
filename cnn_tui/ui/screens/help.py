"""The help screen: every key of the app, grouped by where it works (and how to get colour)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HelpSection = tuple[str, list[tuple[str, str]]]
"""A heading and its (keys, what they do) rows."""


def describe_bindings(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
    """(keys, description) rows for bindings that have a description."""
    rows: list[tuple[str, str]] = []
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        keys = ", ".join(_key_name(key) for key in binding.key.split(","))
        rows.append((keys, binding.tooltip or binding.description))
    return rows


def _key_name(key: str) -> str:
    names = {"question_mark": "?", "delete": "del", "escape": "esc", "number_sign": "#",
             "left_square_bracket": "[", "right_square_bracket": "]", "pageup": "pgup",
             "pagedown": "pgdn"}
    key = key.strip()
    return names.get(key, key)


class HelpScreen(ModalScreen[None]):
    """A scrollable table of keys; escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 90%;
        max-width: 100;
        height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close help")]

    def __init__(self, sections: list[HelpSection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys (escape closes)"
            yield Static(self._render_sections(), id="help-keys")

    def _render_sections(self) -> Group:
        parts: list[Text | Table] = []
        for heading, rows in self.sections:
            parts.append(Text(heading, style="bold underline"))
            table = Table.grid(padding=(0, 2))
            table.add_column(style="bold", no_wrap=True, min_width=14)
            table.add_column()
            for keys, description in rows:
                table.add_row(keys, description)
            parts.extend([table, Text("")])
        return Group(*parts)

    def action_close(self) -> None:
        self.dismiss(None)
