"""The Train tab's settings: one field per row of the settings table (``TUI_FIELDS``).

A setting with choices is a ``Select``; every other one is an ``Input``
holding ``Setting.format(value)`` (the table's default unless the app was
started with another), with the setting's ``empty_means`` as placeholder.
Text is read with ``Setting.parse``, so a bad value gets exactly the
message ``cnn-tui train`` prints for the same text after the flag, and
settings that do not go together get ``check_combination``'s.

The settings of a group (the learning-rate schedule; plateau and early
stopping) are folded into a ``Collapsible`` after the main ones, so the tab
still fits 80x24; its title says what the group is set to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.validation import ValidationResult, Validator
from textual.widgets import Collapsible, Input, Label, Select, Static

from cnn_tui.core.errors import ConfigError
from cnn_tui.core.runs.config import SETTING, TUI_FIELDS, check_combination
from cnn_tui.core.runs.settings import Setting
from cnn_tui.ui.state import SentValues, TrainSettings


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
    """The fields of ``TUI_FIELDS``, filled from ``values`` (setting name -> value).

    An editor of the app's ``train_settings``: every change of a field posts
    ``Changed`` with all of them read, and ``settings`` (bound to the app's)
    fills the fields when the settings change elsewhere (a run's opened).
    """

    DEFAULT_CSS = """
    SettingsForm {
        height: auto;
        .setting { height: 1; }
        .setting Label { width: 15; }
        .setting Input, .setting Select { width: 1fr; }
        #settings-error { height: auto; }
        Collapsible { border-top: none; padding: 0; background: transparent; }
        Collapsible Contents { padding: 0; }
        CollapsibleTitle { padding: 0; width: 1fr; }  /* wraps rather than clips */
    }
    """

    settings: reactive[TrainSettings] = reactive(TrainSettings, repaint=False, init=False)
    """The settings as the app holds them (bound to ``CnnTuiApp.train_settings``)."""

    @dataclass
    class Changed(Message):
        """A field changed: ``settings`` are all of them, read."""

        settings: TrainSettings

    def __init__(self, values: Mapping[str, Any], *, id: str | None = "settings-form") -> None:
        super().__init__(id=id)
        self._initial = {s.name: values.get(s.name, s.default) for s in TUI_FIELDS}
        self._sent: SentValues[TrainSettings] = SentValues()

    def compose(self) -> ComposeResult:
        for setting in TUI_FIELDS:
            if not setting.group:
                yield from self._field(setting)
        for group in dict.fromkeys(s.group for s in TUI_FIELDS if s.group):
            with Collapsible(title=group_title(group, self._initial), id=f"{group}-group"):
                for setting in TUI_FIELDS:
                    if setting.group == group:
                        yield from self._field(setting)
        yield Static("", id="settings-error")

    def _field(self, setting: Setting) -> ComposeResult:
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

    def value(self, name: str) -> Any:
        """One setting's value as its field says; ConfigError with ``Setting.parse``'s message."""
        setting = SETTING[name]
        if setting.choices:
            return setting.parse(str(self.query_one(f"#{field_id(name)}", Select).value))
        return setting.parse(self.query_one(f"#{field_id(name)}", Input).value)

    def read(self) -> TrainSettings:
        """Every field that reads, by setting name, and the first bad one's message."""
        values: dict[str, Any] = {}
        problem = ""
        for setting in TUI_FIELDS:
            try:
                values[setting.name] = self.value(setting.name)
            except ConfigError as error:
                problem = problem or str(error)
        if not problem:
            try:
                check_combination(values)
            except ConfigError as error:
                problem = str(error)
        return TrainSettings(values, problem)

    def watch_settings(self, settings: TrainSettings) -> None:
        if not self.is_mounted or self._sent.came_back(settings):
            return
        # Changed elsewhere: show it. The fields' own Changed would post it back.
        with self.prevent(Input.Changed, Select.Changed):
            for name, value in settings.values.items():
                setting = SETTING.get(name)
                if setting is None or not setting.label:
                    continue
                if setting.choices:
                    self.query_one(f"#{field_id(name)}", Select).value = value
                else:
                    self.query_one(f"#{field_id(name)}", Input).value = setting.format(value)
        self._fields_changed()

    @on(Input.Changed)
    @on(Select.Changed)
    def _fields_changed(self) -> None:
        read = self.read()
        for collapsible in self.query(Collapsible):
            group = (collapsible.id or "").removesuffix("-group")
            collapsible.title = group_title(group, read.values)
        # Text, not markup: the message quotes what was typed.
        self.query_one("#settings-error", Static).update(
            Text(read.problem, style="bold red") if read.problem else "")
        if read != self._sent.newest(self.settings):
            self.post_message(self.Changed(self._sent.sent(read)))


def group_title(group: str, values: Mapping[str, Any]) -> str:
    """A folded group's title: what it is set to, short enough for the narrow side (29)."""
    if group == "schedule":
        schedule = values.get("lr_schedule", SETTING["lr_schedule"].default)
        warmup = values.get("warmup_epochs")
        return f"warm-up {warmup} + {schedule}" if warmup else f"lr schedule: {schedule}"
    if group == "monitors":
        waits = [f"{word} {values[name]}" for name, word in
                 (("early_stop_patience", "early stop"), ("plateau_patience", "plateau"))
                 if values.get(name) is not None]
        return " · ".join(waits) if waits else "plateau, early stop: off"
    if group == "compute":
        precision = values.get("precision") or SETTING["precision"].default
        jit = values.get("jit") or SETTING["jit"].default
        devices = values.get("devices") or SETTING["devices"].default
        tensorboard = " · TB" if values.get("tensorboard") == "yes" else ""
        if devices != "auto":  # the devices first: "cpu:2 · auto · XLA auto · TB"
            return f"{devices} · {precision} · XLA {jit}{tensorboard}"
        if tensorboard:  # 29 columns: "float32 · XLA auto · TB"
            return f"{precision} · XLA {jit}{tensorboard}"
        return f"precision {precision} · XLA {jit}"
    return group
