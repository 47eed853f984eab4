"""The Augment panel: ImageDataGenerator-style settings, validated, with a live preview.

Each numeric setting is checked on its own (``AugmentConfig`` with only that
field set) so the engine's message appears beside the field that is wrong.
The preview shows the same few real images augmented several ways; it needs
Keras, so it waits for ``set_tensorflow_ready()`` and runs in a thread worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Static, Switch
from textual.worker import get_current_worker

from cnn_tui.core.augment import SEED_AUGMENT, AugmentConfig, preview_augmentations
from cnn_tui.core.errors import AugmentError
from cnn_tui.ui.widgets.image_grid import ImageGrid

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
PREVIEW_IMAGES = 3
PREVIEW_VARIANTS = 4


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
        #augment-preview-status { height: 1; color: $text-muted; }
        #augment-preview { height: 1fr; }
    }
    """

    BINDINGS = [
        Binding("p", "preset", "Tutorial preset"),
        Binding("r", "reroll", "Re-roll preview"),
    ]

    @dataclass
    class Changed(Message):
        """The augmentation changed to valid settings; ``config`` is None when it is off."""

        config: AugmentConfig | None

    def __init__(self, config: AugmentConfig | None = None, *, id: str = "augment-panel") -> None:
        super().__init__(id=id)
        config = config or AugmentConfig()
        self._settings = config
        self._enabled = config.enabled
        self._samples: np.ndarray | None = None
        self._sample_labels: list[str] = []
        self._tensorflow_ready = False
        self._preview_seed = 0
        self._filling = False
        self._posted: AugmentConfig | None = self.config

    def compose(self) -> ComposeResult:
        with Horizontal(id="augment-header"):
            yield Switch(self._enabled, id="augment-switch")
            yield Label("augmentation")
            for name, label in FLAG_FIELDS:
                yield Checkbox(label, getattr(self._settings, name), id=f"augment-{name}",
                               compact=True)
            yield Static(id="augment-summary")
        for name, label, hint in NUMERIC_FIELDS:
            with Horizontal(classes="augment-row"):
                yield Label(label)
                yield Input(f"{getattr(self._settings, name):g}", id=f"augment-{name}",
                            compact=True, select_on_focus=True)
                yield Static(hint, id=f"augment-{name}-hint", classes="augment-hint")
        with Horizontal(id="augment-buttons"):
            yield Button("tutorial preset (p)", id="augment-preset", compact=True)
            yield Button("re-roll preview (r)", id="augment-reroll", compact=True)
        yield Static(id="augment-preview-status")
        yield ImageGrid(placeholder="pick a dataset to preview augmentation",
                        columns=1 + PREVIEW_VARIANTS, id="augment-preview")

    def on_mount(self) -> None:
        self._show_summary()
        self._refresh_preview()

    @property
    def config(self) -> AugmentConfig | None:
        """The last valid settings, or None when augmentation is switched off."""
        return self._settings if self._enabled else None

    @property
    def settings(self) -> AugmentConfig:
        """The last valid settings, whether or not augmentation is on."""
        return self._settings

    @property
    def has_errors(self) -> bool:
        """Whether a field currently holds an invalid value."""
        return bool(self.query(".augment-hint.-error"))

    def set_config(self, config: AugmentConfig | None) -> None:
        """Fill the fields from ``config`` (None = switched off, fields kept)."""
        self._filling = True
        try:
            if config is not None:
                for name, _, _ in NUMERIC_FIELDS:
                    self.query_one(f"#augment-{name}", Input).value = f"{getattr(config, name):g}"
                for name, _ in FLAG_FIELDS:
                    self.query_one(f"#augment-{name}", Checkbox).value = getattr(config, name)
            self.query_one("#augment-switch", Switch).value = config is not None and config.enabled
        finally:
            self._filling = False
        self.call_after_refresh(self._settings_changed)

    def set_samples(self, images: np.ndarray, labels: Sequence[str]) -> None:
        """Use the first few of these real uint8 images (N, H, W, C) for the preview."""
        self._samples = np.asarray(images)[:PREVIEW_IMAGES]
        self._sample_labels = [str(label) for label in labels][:PREVIEW_IMAGES]
        self._refresh_preview()

    def set_tensorflow_ready(self) -> None:
        """Keras can be imported now: draw the preview."""
        self._tensorflow_ready = True
        self._refresh_preview()

    def action_preset(self) -> None:
        """The tutorial's augmentation: shift 0.1 both ways and horizontal flips."""
        self.set_config(SEED_AUGMENT)

    def action_reroll(self) -> None:
        """Draw new random transformations for the preview."""
        self._preview_seed += 1
        self._refresh_preview()

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
        if not self._filling:
            self._settings_changed()

    def _settings_changed(self) -> None:
        values: dict[str, float | bool] = {}
        valid = True
        for name, _, hint in NUMERIC_FIELDS:
            text = self.query_one(f"#augment-{name}", Input).value
            error = _check_field(name, text)
            hint_widget = self.query_one(f"#augment-{name}-hint", Static)
            hint_widget.update(hint if error is None else Text(error))  # error quotes the input
            hint_widget.set_class(error is not None, "-error")
            self.query_one(f"#augment-{name}", Input).set_class(error is not None, "-invalid")
            if error is None:
                values[name] = float(text) if text.strip() else 0.0
            valid = valid and error is None
        for name, _ in FLAG_FIELDS:
            values[name] = self.query_one(f"#augment-{name}", Checkbox).value
        enabled = self.query_one("#augment-switch", Switch).value
        if valid:
            self._settings = AugmentConfig(**values)  # type: ignore[arg-type]
        self._enabled = enabled
        self._show_summary()
        if self.config != self._posted:
            self._posted = self.config
            self.post_message(self.Changed(self.config))
            self._refresh_preview()

    def _show_summary(self) -> None:
        text = self._settings.summary() if self._enabled else "off"
        if self.has_errors:
            text += "  (fix the red field; using the last valid settings)"
        self.query_one("#augment-summary", Static).update(text)

    def _refresh_preview(self) -> None:
        if not self.is_mounted:
            return
        grid = self.query_one("#augment-preview", ImageGrid)
        status = self.query_one("#augment-preview-status", Static)
        if self._samples is not None and self._samples.ndim == 4:
            # Whole lines of legible tiles rather than many tiny ones.
            grid.min_tile_width = max(8, round(self._samples.shape[2] / 3))
        if self._samples is None or len(self._samples) == 0:
            grid.clear()
            status.update("")
        elif not self._tensorflow_ready:
            grid.clear("preview after TensorFlow loads")
            status.update("")
        else:
            status.update("augmenting…")
            config = self._settings if self._enabled else AugmentConfig()
            self._preview_worker(self._samples, config, self._preview_seed)

    @work(thread=True, exclusive=True, group="augment-preview", exit_on_error=False,
          description="augmentation preview")
    def _preview_worker(self, images: np.ndarray, config: AugmentConfig, seed: int) -> None:
        worker = get_current_worker()
        try:
            variants = preview_augmentations(images, config, PREVIEW_VARIANTS, seed=seed)
        except Exception as error:  # noqa: BLE001 - shown in the panel, never a crash
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_preview_error, str(error))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_preview, images, variants, config, seed)

    def _show_preview(
        self, images: np.ndarray, variants: np.ndarray, config: AugmentConfig, seed: int
    ) -> None:
        tiles, labels = [], []
        for index, image in enumerate(images):
            tiles.append(image)
            labels.append(self._sample_labels[index] if index < len(self._sample_labels) else "")
            tiles.extend(variants[index])
            labels.extend(f"aug {k + 1}" for k in range(len(variants[index])))
        self.query_one("#augment-preview", ImageGrid).set_images(np.stack(tiles), labels)
        what = config.summary() if config.enabled else "off: originals repeated"
        self.query_one("#augment-preview-status", Static).update(
            f"original, then {PREVIEW_VARIANTS} draws ({what}; seed {seed}, r re-rolls)")

    def _show_preview_error(self, message: str) -> None:
        self.query_one("#augment-preview", ImageGrid).clear(f"preview failed: {message}")
        self.query_one("#augment-preview-status", Static).update("")


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
