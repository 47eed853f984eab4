"""A modal prompt for one line of text: a file path (save/load a model spec), a number."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class TextPromptScreen(ModalScreen[str | None]):
    """Asks for one line (a path, a number); enter dismisses with the text, escape with None."""

    DEFAULT_CSS = """
    TextPromptScreen {
        align: center middle;
    }
    TextPromptScreen > Vertical {
        width: 70%;
        min-width: 40;
        max-width: 90;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    TextPromptScreen .title {
        width: 100%;  /* wraps a long question (a run's name) instead of cutting it */
    }
    TextPromptScreen .hint {
        color: $text-muted;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, default: str = "", *,
                 placeholder: str = "path/to/file.json") -> None:
        super().__init__()
        self.title_text = title
        self.default = default
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            # It may name a run or a path: never markup.
            yield Label(Text(self.title_text), classes="title")
            yield Input(self.default, placeholder=self.placeholder, id="path")
            yield Label("enter to confirm, escape to cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
