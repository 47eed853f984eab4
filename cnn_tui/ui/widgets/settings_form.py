"""The Train tab's settings: one field per row of the settings table (``TUI_FIELDS``).

A setting with choices is a ``Select``; every other one is an ``Input``
holding ``Setting.format(value)`` (the table's default unless the app was
started with another), with the setting's ``empty_means`` as placeholder.
Text is read with ``Setting.parse``, so a bad value gets exactly the
message ``cnn-tui train`` prints for the same text after the flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Select, Static

from cnn_tui.core.errors import ConfigError
from cnn_tui.core.runs.config import SETTING, TUI_FIELDS
from cnn_tui.core.runs.settings import Setting


def field_id(name: str) -> str:
    """The widget id of a setting's field: ``batch_size`` -> ``batch-size``."""
    return name.replace("_", "-")


class SettingValidator(Validator):
    """Marks an Input invalid with the setting's own message."""

    def __init__(self, setting: Setting) -> None:
        super().__init__()
        self.setting = setting

    def validate(self, value: str) -> ValidationResult:
        try:
            self.setting.parse(value)
        except ConfigError as error:
            return self.failure(str(error))
        return self.success()


class SettingsForm(Vertical):
    """The fields of ``TUI_FIELDS``, filled from ``values`` (setting name -> value)."""

    DEFAULT_CSS = """
    SettingsForm {
        height: auto;
        #settings-error { height: auto; }
    }
    """

    def __init__(self, values: Mapping[str, Any], *, id: str | None = "settings-form") -> None:
        super().__init__(id=id)
        self._initial = {s.name: values.get(s.name, s.default) for s in TUI_FIELDS}

    def compose(self) -> ComposeResult:
        for setting in TUI_FIELDS:
            value = self._initial[setting.name]
            with Horizontal(classes="setting"):
                yield Label(setting.title)
                if setting.choices:
                    yield Select([(c, c) for c in setting.choices], value=value,
                                 allow_blank=False, id=field_id(setting.name), compact=True)
                else:
                    # Only an optional setting may be left empty: its placeholder says what
                    # empty means ("all images"); an empty required field is an error.
                    yield Input(setting.format(value), id=field_id(setting.name), compact=True,
                                placeholder=setting.empty_means,
                                validators=[SettingValidator(setting)])
        yield Static("", id="settings-error")

    def value(self, name: str) -> Any:
        """One setting's value as its field says; ConfigError with ``Setting.parse``'s message."""
        setting = SETTING[name]
        if setting.choices:
            return setting.parse(str(self.query_one(f"#{field_id(name)}", Select).value))
        return setting.parse(self.query_one(f"#{field_id(name)}", Input).value)

    def values(self) -> dict[str, Any]:
        """Every field's value by setting name; ConfigError for the first bad field."""
        return {setting.name: self.value(setting.name) for setting in TUI_FIELDS}

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Fill the fields named in ``values`` (a run's settings); others keep their text."""
        for name, value in values.items():
            setting = SETTING.get(name)
            if setting is None or not setting.label:
                continue
            if setting.choices:
                self.query_one(f"#{field_id(name)}", Select).value = value
            else:
                self.query_one(f"#{field_id(name)}", Input).value = setting.format(value)

    @on(Input.Changed)
    def _show_first_problem(self) -> None:
        error = self.query_one("#settings-error", Static)
        try:
            self.values()
        except ConfigError as exc:
            # Text, not markup: the message quotes what was typed.
            error.update(Text(str(exc), style="bold red"))
            return
        error.update("")
