"""The modal screens that edit one layer of the model: its arguments, or the type of a new one.

Every argument in ``cnn_tui.core.layers.LAYER_SCHEMAS`` gets a field: a
Select for choices and booleans, an Input for numbers and sizes. Enter (or
OK) reads each field with the schema's own parser; a value it rejects is
shown under its field and the form stays open. Values that read fine but do
not fit the model (a kernel larger than the image) are the shape table's job.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from cnn_tui.core.layers import LAYER_SCHEMAS, REQUIRED, ArgSchema, ArgValueError, show_value


def field_text(value: Any) -> str:
    """How an argument value is typed into its field (pairs as 3x5, None as None)."""
    if isinstance(value, str):
        return value
    return show_value(value)


class LayerFormScreen(ModalScreen[dict[str, Any] | None]):
    """Edits ``layer``; dismisses with the new layer dict, or None when cancelled."""

    DEFAULT_CSS = """
    LayerFormScreen {
        align: center middle;
    }
    LayerFormScreen > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    LayerFormScreen VerticalScroll {
        height: auto;
        max-height: 18;
    }
    LayerFormScreen .field {
        height: 1;
    }
    LayerFormScreen .field Label {
        width: 20;
    }
    LayerFormScreen .field Input, LayerFormScreen .field Select {
        width: 1fr;
    }
    LayerFormScreen .hint {
        color: $text-muted;
        padding-left: 20;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    LayerFormScreen #layer-help {
        padding-left: 0;
    }
    LayerFormScreen .problem {
        color: $error;
        padding-left: 20;
        display: none;
    }
    LayerFormScreen .problem.-shown {
        display: block;
    }
    LayerFormScreen #buttons {
        height: 1;
        margin-top: 1;
    }
    LayerFormScreen #buttons Button {
        margin-right: 2;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "apply", "Apply")]

    def __init__(self, layer: dict[str, Any], number: int) -> None:
        super().__init__()
        self.original = dict(layer)
        self.layer_number = number
        self.schema = LAYER_SCHEMAS[layer["type"]]

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Layer {self.layer_number}: {self.schema.type}"
            yield Static(self.schema.help, classes="hint", id="layer-help")
            with VerticalScroll():
                if not self.schema.args:
                    yield Label("This layer has no arguments.")
                for arg in self.schema.args:
                    with Horizontal(classes="field"):
                        yield Label(arg.name)
                        yield self._field(arg)
                    hint = arg.help if arg.kind in ("choice", "bool") else (
                        f"{arg.describe_range()}: {arg.help}")
                    yield Static(hint, classes="hint")
                    yield Static("", id=f"problem-{arg.name}", classes="problem")
            with Horizontal(id="buttons"):
                yield Button("OK (enter)", variant="primary", id="ok", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def _field(self, arg: ArgSchema) -> Input | Select[str]:
        current = self.original.get(arg.name, arg.default)
        widget_id = f"arg-{arg.name}"
        if arg.kind in ("choice", "bool"):
            values = arg.choices if arg.kind == "choice" else (True, False)
            options = [(field_text(v), field_text(v)) for v in values]
            value = field_text(current) if current is not REQUIRED else Select.NULL
            return Select(options, value=value, allow_blank=False, id=widget_id, compact=True)
        text = "" if current is REQUIRED else field_text(current)
        return Input(text, id=widget_id, compact=True)

    def on_mount(self) -> None:
        fields = self.query(".field Input, .field Select")
        if fields:
            fields.first().focus()
        else:
            self.query_one("#ok", Button).focus()

    def read_layer(self) -> dict[str, Any] | None:
        """The layer the fields describe, or None after showing each unreadable field's problem."""
        layer: dict[str, Any] = {"type": self.schema.type}
        ok = True
        for arg in self.schema.args:
            widget = self.query_one(f"#arg-{arg.name}")
            raw = widget.value if isinstance(widget, (Input, Select)) else None
            problem = self.query_one(f"#problem-{arg.name}", Static)
            try:
                value = arg.coerce(raw if raw is not Select.NULL else None)
            except ArgValueError as exc:
                problem.update(Text(str(exc)))  # it quotes what was typed: not markup
                problem.add_class("-shown")
                ok = False
                continue
            problem.remove_class("-shown")
            # Keep the spec short: write an argument only if it was written before or
            # differs from Keras's default.
            if arg.name in self.original or arg.required or value != arg.default:
                layer[arg.name] = value
        return layer if ok else None

    def action_apply(self) -> None:
        layer = self.read_layer()
        if layer is not None:
            self.dismiss(layer)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self.action_apply()
        else:
            self.action_cancel()


class LayerTypeScreen(ModalScreen[str | None]):
    """Picks a layer type for a new layer; dismisses with its name or None."""

    DEFAULT_CSS = """
    LayerTypeScreen {
        align: center middle;
    }
    LayerTypeScreen OptionList {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: thick $primary;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        options = [
            Option(Text.assemble((name, "bold"), "  ", (schema.help, "dim")), id=name)
            for name, schema in LAYER_SCHEMAS.items()
        ]
        option_list = OptionList(*options, id="layer-types")
        option_list.border_title = f"Add a layer {self.where} (enter picks, esc cancels)"
        yield option_list

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
