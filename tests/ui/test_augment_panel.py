"""The Augment panel on its own: validation in place, the preset, the switch, the preview."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.reactive import reactive
from textual.widgets import Checkbox, Input, Static, Switch

from cnn_tui.core.augment_config import SEED_AUGMENT, AugmentConfig
from cnn_tui.ui.panels.augment_panel import AugmentPanel
from cnn_tui.ui.state import Augmentation, Samples
from cnn_tui.ui.widgets.augment_preview import PREVIEW_VARIANTS
from cnn_tui.ui.widgets.image_grid import ImageGrid
from tests.resources import missing

MNIST = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mnist"


class AugmentApp(App[None]):
    """The panel's host, as CnnTuiApp is: it holds what the panel edits and shows."""

    augmentation: reactive[Augmentation] = reactive(Augmentation)
    dataset_samples: reactive[Samples | None] = reactive(None)
    keras_ready: reactive[bool] = reactive(False)

    def __init__(self, config: AugmentConfig | None = None) -> None:
        super().__init__()
        if config is not None:
            self.set_reactive(AugmentApp.augmentation, Augmentation(config, on=True))
        self.posted: list[Augmentation] = []

    @property
    def changes(self) -> list[AugmentConfig | None]:
        """What a run would have used after each change posted (None: off)."""
        return [augmentation.config for augmentation in self.posted]

    def compose(self) -> ComposeResult:
        yield AugmentPanel().data_bind(AugmentApp.augmentation, AugmentApp.keras_ready,
                                       samples=AugmentApp.dataset_samples)

    def on_augment_panel_changed(self, message: AugmentPanel.Changed) -> None:
        self.posted.append(message.augmentation)
        self.augmentation = message.augmentation


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_out_of_range_value_shows_the_engines_message_beside_the_field(size) -> None:
    app = AugmentApp()
    async with app.run_test(size=size) as pilot:
        panel = app.query_one(AugmentPanel)
        field = app.query_one("#augment-rotation_range", Input)
        field.focus()
        field.value = ""
        await pilot.press("5", "0", "0")
        await pilot.pause()
        hint = app.query_one("#augment-rotation_range-hint", Static)
        assert "rotation_range=500 is out of range" in str(hint.render())
        assert hint.has_class("-error") and field.has_class("-invalid")
        assert panel.has_errors
        assert hint.region.right <= size[0] and hint.region.height >= 1
        # Nothing invalid is ever posted ("5" and "50" were valid); augmentation is off.
        assert [a.settings.rotation_range for a in app.posted] == [5, 50]
        assert app.changes == [None, None]
        await pilot.press("backspace", "backspace")  # "5": valid again
        await pilot.pause()
        assert not panel.has_errors
        assert app.augmentation.settings.rotation_range == 5
        assert "degrees" in str(hint.render())


async def test_preset_key_fills_the_tutorial_settings_and_switches_on() -> None:
    app = AugmentApp()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.augmentation.config is None
        app.query_one("#augment-switch", Switch).focus()
        await pilot.press("p")
        await pilot.pause()
        assert app.augmentation.config == SEED_AUGMENT
        assert app.changes[-1] == SEED_AUGMENT
        assert app.query_one("#augment-width_shift_range", Input).value == "0.1"
        assert app.query_one("#augment-horizontal_flip", Checkbox).value is True
        assert "shift 0.1x0.1, hflip" in str(app.query_one("#augment-summary", Static).render())
        # Switching off keeps the settings but posts None.
        await pilot.press("enter")  # the focused switch toggles
        await pilot.pause()
        assert app.changes[-1] is None and app.augmentation.config is None
        assert app.augmentation.settings == SEED_AUGMENT


async def test_preview_waits_for_tensorflow_then_draws_real_images_augmented() -> None:
    if not (MNIST / "t10k-images-idx3-ubyte.gz").exists():
        missing(f"real MNIST not found at {MNIST}")
    from cnn_tui.core.datasets import load_dataset

    dataset = load_dataset(str(MNIST), limit=100)
    images = dataset.x_val[:3]
    labels = [dataset.info.class_names[y] for y in dataset.y_val[:3]]
    app = AugmentApp(SEED_AUGMENT)
    async with app.run_test(size=(120, 40)) as pilot:
        grid = app.query_one("#augment-preview", ImageGrid)
        app.dataset_samples = Samples("mnist", images, tuple(labels))
        await pilot.pause()
        assert grid.images is None
        assert grid.render_line(0).text.startswith("preview after TensorFlow loads")
        app.keras_ready = True
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = grid.images
        assert shown is not None and shown.shape[0] == 3 * (1 + PREVIEW_VARIANTS)
        assert np.array_equal(shown[0], images[0])  # the original leads its line
        assert grid.labels[0] == labels[0] and grid.labels[1] == "aug 1"
        # Whole lines (an original, its draws) as large as the width allows, up to
        # native size, rather than every line small.
        layout = grid.layout_now
        assert layout is not None and layout.shown % (1 + PREVIEW_VARIANTS) == 0
        assert layout.shown >= 1 + PREVIEW_VARIANTS
        assert layout.width == min(28, (grid.size.width + 1) // (1 + PREVIEW_VARIANTS) - 1)
        first_draw = shown.copy()
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        rerolled = grid.images
        assert np.array_equal(rerolled[0], first_draw[0])
        assert not np.array_equal(rerolled[1:5], first_draw[1:5])


async def test_through_the_real_app_the_preset_reaches_the_app(tmp_path: Path) -> None:
    from textual.widgets import TabbedContent

    from cnn_tui.ui.app import CnnTuiApp
    from cnn_tui.ui.options import LaunchOptions

    app = CnnTuiApp(LaunchOptions(dataset="mnist", runs_dir=tmp_path / "runs"),
                    load_keras=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()  # the app focuses the model table on mount, which picks its tab
        app.query_one(TabbedContent).active = "augment-tab"
        await pilot.pause()
        assert app.augment_config is None
        app.query_one("#augment-switch", Switch).focus()
        await pilot.press("p")
        await pilot.pause()
        assert app.augment_config == SEED_AUGMENT
        field = app.query_one("#augment-zoom_range", Input)
        field.value = "2"
        await pilot.pause()
        assert "zoom_range=2 is out of range" in str(
            app.query_one("#augment-zoom_range-hint", Static).render())
        assert app.augment_config == SEED_AUGMENT  # the invalid value never reached the app
