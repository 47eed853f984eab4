"""The Augment panel: ImageDataGenerator-style settings, validated, with a live preview.

Each numeric setting is checked on its own (``AugmentConfig`` with only that
field set) so the engine's message appears beside the field that is wrong.
The panel edits the app's ``augmentation``: a valid change of its fields is
posted as ``Changed``, and the binding fills the fields when the app's value
changes elsewhere (a run's settings opened). The preview shows the app's
``dataset_samples`` augmented several ways (widgets/augment_preview.py),
once ``keras_ready``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Checkbox, Input, Label, Static, Switch

from cnn_tui.core.augment_config import SEED_AUGMENT, AugmentConfig
from cnn_tui.core.errors import AugmentError
from cnn_tui.ui.state import Augmentation, Samples, SentValues
from cnn_tui.ui.widgets.augment_preview import AugmentPreview

# (field, label, hint shown while the value is valid)
NUMERIC_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("rotation_range", "rotation range", "degrees, 0-180"),
    ("width_shift_range", "width shift", "fraction of width, 0-1"),
    ("height_shift_range", "height shift", "fraction of height, 0-1"),
    ("shear_range", "shear range", "degrees, 0-45"),
    ("zoom_range", "zoom range", "zoom in [1-z, 1+z], 0-0.9"),
)
FLAG_FIELDS: tuple[tuple[str, str], ...] = (
    ("horizontal_flip", "h-flip"),
    ("vertical_flip", "v-flip"),
)


class AugmentPanel(Vertical):
    """Augmentation on/off, its settings, the tutorial preset and a preview grid."""

    DEFAULT_CSS = """
    AugmentPanel {
        height: 1fr;
        padding: 0 1;
        #augment-header { height: 1; }
        #augment-header Switch { border: none; padding: 0; height: 1; margin-right: 1; }
        #augment-header Checkbox { margin-left: 2; }
        #augment-header Label { width: auto; }
        #augment-summary { width: 1fr; margin-left: 2; color: $text-muted; }
        .augment-row { height: auto; }
        .augment-row Label { width: 16; }
        .augment-row Input { width: 10; }
        .augment-hint { width: 1fr; margin-left: 1; color: $text-muted; }
        .augment-hint.-error { color: $error; }
        #augment-buttons { height: 1; margin-top: 0; }
        #augment-buttons Button { margin-right: 1; }
    }
    """

    BINDINGS = [
        Binding("p", "preset", "Tutorial preset"),
        Binding("r", "reroll", "Re-roll preview"),
    ]

    augmentation: reactive[Augmentation] = reactive(Augmentation, repaint=False, init=False)
    """Bound to ``CnnTuiApp.augmentation``: the summary, the preview and, when it
    changes elsewhere, the fields."""
    samples: reactive[Samples | None] = reactive(None, repaint=False, init=False)
    """Bound to ``CnnTuiApp.dataset_samples``: the images the preview augments."""
    keras_ready: reactive[bool] = reactive(False, repaint=False, init=False)
    """Bound to ``CnnTuiApp.keras_ready``: the preview needs Keras."""

    @dataclass
    class Changed(Message):
        """The fields hold valid settings different from the app's (or the switch moved)."""

        augmentation: Augmentation

        @property
        def config(self) -> AugmentConfig | None:
            """What a run would use: None when augmentation is off."""
            return self.augmentation.config

    def __init__(self, *, id: str = "augment-panel") -> None:
        super().__init__(id=id)
        self._sent: SentValues[Augmentation] = SentValues()

    def compose(self) -> ComposeResult:
        # The fields are filled from the app's augmentation when the binding starts.
        with Horizontal(id="augment-header"):
            yield Switch(id="augment-switch")
            yield Label("augmentation")
            for name, label in FLAG_FIELDS:
                yield Checkbox(label, id=f"augment-{name}", compact=True)
            yield Static(id="augment-summary")
        for name, label, hint in NUMERIC_FIELDS:
            with Horizontal(classes="augment-row"):
                yield Label(label)
                yield Input("0", id=f"augment-{name}", compact=True, select_on_focus=True)
                yield Static(hint, id=f"augment-{name}-hint", classes="augment-hint")
        with Horizontal(id="augment-buttons"):
            yield Button("tutorial preset (p)", id="augment-preset", compact=True)
            yield Button("re-roll preview (r)", id="augment-reroll", compact=True)
        yield AugmentPreview().data_bind(AugmentPanel.samples, AugmentPanel.keras_ready)

    @property
    def has_errors(self) -> bool:
        """Whether a field currently holds an invalid value."""
        return bool(self.query(".augment-hint.-error"))

    # -- the app's state ----------------------------------------------------------

    def watch_augmentation(self, augmentation: Augmentation) -> None:
        if not self.is_mounted:
            return
        if not self._sent.came_back(augmentation):  # changed elsewhere: fill the fields
            self._fill(augmentation)
            self._read_fields()  # the hints, for the values just filled in
        self._show_summary()
        # The preview draws what a run would do: nothing while augmentation is off.
        self.query_one(AugmentPreview).config = augmentation.config or AugmentConfig()

    def _fill(self, augmentation: Augmentation) -> None:
        """Put ``augmentation`` in the fields, without each field posting a change."""
        with self.prevent(Input.Changed, Checkbox.Changed, Switch.Changed):
            for name, _, _ in NUMERIC_FIELDS:
                value = getattr(augmentation.settings, name)
                self.query_one(f"#augment-{name}", Input).value = f"{value:g}"
            for name, _ in FLAG_FIELDS:
                value = getattr(augmentation.settings, name)
                self.query_one(f"#augment-{name}", Checkbox).value = value
            self.query_one("#augment-switch", Switch).value = augmentation.on

    # -- editing ------------------------------------------------------------------

    def action_preset(self) -> None:
        """The tutorial's augmentation: shift 0.1 both ways and horizontal flips."""
        self._fill(Augmentation(SEED_AUGMENT, on=True))
        self._fields_changed()

    def action_reroll(self) -> None:
        """Draw new random transformations for the preview."""
        self.query_one(AugmentPreview).reroll()

    @on(Button.Pressed, "#augment-preset")
    def _preset_pressed(self) -> None:
        self.action_preset()

    @on(Button.Pressed, "#augment-reroll")
    def _reroll_pressed(self) -> None:
        self.action_reroll()

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Switch.Changed)
    def _field_changed(self, event: Message) -> None:
        event.stop()
        self._fields_changed()

    def _fields_changed(self) -> None:
        """Post the fields' settings when they differ from the app's (the last valid
        ones while a field is invalid)."""
        augmentation = self._read_fields()
        if augmentation != self._sent.newest(self.augmentation):
            self.post_message(self.Changed(self._sent.sent(augmentation)))
        self._show_summary()

    def _read_fields(self) -> Augmentation:
        """The fields' settings, marking each invalid one; an invalid field keeps the
        value it had in the app's settings."""
        values: dict[str, float | bool] = {}
        for name, _, hint in NUMERIC_FIELDS:
            field = self.query_one(f"#augment-{name}", Input)
            error = _check_field(name, field.value)
            hint_widget = self.query_one(f"#augment-{name}-hint", Static)
            hint_widget.update(hint if error is None else Text(error))  # error quotes the input
            hint_widget.set_class(error is not None, "-error")
            field.set_class(error is not None, "-invalid")
            if error is None:
                values[name] = float(field.value) if field.value.strip() else 0.0
        for name, _ in FLAG_FIELDS:
            values[name] = self.query_one(f"#augment-{name}", Checkbox).value
        settings = self._sent.newest(self.augmentation).settings
        if len(values) == len(NUMERIC_FIELDS) + len(FLAG_FIELDS):
            settings = AugmentConfig(**values)  # type: ignore[arg-type]
        return Augmentation(settings, self.query_one("#augment-switch", Switch).value)

    def _show_summary(self) -> None:
        augmentation = self._sent.newest(self.augmentation)
        text = augmentation.settings.summary() if augmentation.on else "off"
        if self.has_errors:
            text += "  (fix the red field; using the last valid settings)"
        self.query_one("#augment-summary", Static).update(text)


def _check_field(name: str, text: str) -> str | None:
    """The engine's message for this one setting, or None when it is valid."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return f"{name}={text} is not a number; use a number like {name}=0.1."
    try:
        AugmentConfig.from_dict({name: value})
    except AugmentError as error:
        return str(error)
    return None
