"""The Dataset panel on its own: real MNIST samples from a path, clear errors, no crash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.reactive import reactive
from textual.widgets import Input, OptionList, Static

from cnn_tui.core.datasets import DatasetInfo, load_dataset
from cnn_tui.ui.panels.dataset_panel import MIN_SAMPLES_SHOWN, DatasetPanel
from cnn_tui.ui.state import Samples
from cnn_tui.ui.widgets.image_grid import ImageGrid
from cnn_tui.ui.widgets.image_tiles import UPPER_HALF_BLOCK


class DatasetApp(App[None]):
    """The panel's host, as CnnTuiApp is: it holds what the panel reads and shows."""

    dataset_source: reactive[str] = reactive("")
    dataset_info: reactive[DatasetInfo | None] = reactive(None)
    dataset_samples: reactive[Samples | None] = reactive(None)

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source
        self.selected: list[DatasetPanel.Selected] = []
        self.loaded: list[DatasetPanel.SamplesLoaded] = []

    def compose(self) -> ComposeResult:
        yield DatasetPanel(self.source).data_bind(
            source=DatasetApp.dataset_source, info=DatasetApp.dataset_info,
            samples=DatasetApp.dataset_samples)

    def on_dataset_panel_selected(self, message: DatasetPanel.Selected) -> None:
        self.selected.append(message)
        self.dataset_source, self.dataset_info = message.source, message.info

    def on_dataset_panel_samples_loaded(self, message: DatasetPanel.SamplesLoaded) -> None:
        self.loaded.append(message)
        self.dataset_samples = Samples(message.source, message.images, tuple(message.labels))


def panel_text(app: App[None]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_mnist_path_shows_its_facts_and_real_samples(shared_data: Path, size) -> None:
    mnist = str(shared_data / "mnist")
    app = DatasetApp(mnist)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.dataset_source == mnist
        assert app.dataset_info is not None and app.dataset_info.input_shape == (28, 28, 1)
        [selected] = app.selected
        assert selected.info.n_train == 60_000 and selected.info.n_test == 10_000
        [loaded] = app.loaded
        assert loaded.images.dtype == np.uint8 and loaded.images.shape[1:] == (28, 28, 1)
        assert set(loaded.labels) <= {str(d) for d in range(10)}
        # The samples are real MNIST training images: each equals one in the file.
        reference = load_dataset(mnist, limit=200)
        assert any(np.array_equal(loaded.images[0], x) for x in reference.x_train)

        info = str(app.query_one("#dataset-info", Static).render())
        for fact in ("28×28×1", "60,000", "10,000", "offline yes", "classes 10"):
            assert fact in info
        grid = app.query_one("#dataset-samples", ImageGrid)
        assert grid.shown >= 4 and grid.region.right <= size[0]
        screen = panel_text(app)
        assert UPPER_HALF_BLOCK in screen
        assert loaded.labels[0] in screen


async def test_bad_path_is_a_message_in_the_panel(tmp_path: Path) -> None:
    app = DatasetApp(str(tmp_path / "no-such-folder"))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        message = app.query_one("#dataset-message", Static)
        assert message.has_class("-error")
        assert "no-such-folder" in str(message.render())
        assert app.query_one("#dataset-input", Input).has_class("-invalid")
        assert app.selected == [] and app.loaded == []

        # A corrupt file: an .npz that is not a zip archive.
        corrupt = tmp_path / "broken.npz"
        corrupt.write_bytes(b"this is not an npz archive")
        field = app.query_one("#dataset-input", Input)
        field.value = str(corrupt)
        field.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert message.has_class("-error")
        assert "broken.npz" in str(message.render())
        assert app.is_running


async def test_named_list_selects_a_dataset(shared_data: Path) -> None:
    app = DatasetApp(str(shared_data / "mnist"))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        option_list = app.query_one("#dataset-list", OptionList)
        option_list.focus()
        option_list.highlighted = option_list.get_option_index("cifar10")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.query_one("#dataset-input", Input).value == "cifar10"
        # Peeking a named dataset needs neither pixels nor a network.
        assert app.selected[-1].source == "cifar10"
        assert app.selected[-1].info.class_names[0] == "airplane"
        info = str(app.query_one("#dataset-info", Static).render())
        assert "32×32×3" in info
        if not app.selected[-1].info.available_offline:
            # Offline and not cached: loading fails with the engine's message, in the panel.
            message = app.query_one("#dataset-message", Static)
            assert message.has_class("-error") and str(message.render())


async def test_through_the_real_app_a_path_feeds_the_app(shared_data: Path, tmp_path: Path) -> None:
    from textual.widgets import TabbedContent

    from cnn_tui.ui.app import CnnTuiApp
    from cnn_tui.ui.options import LaunchOptions

    mnist, cifar10 = str(shared_data / "mnist"), str(shared_data / "cifar10")
    app = CnnTuiApp(LaunchOptions(dataset=mnist, runs_dir=tmp_path / "runs"),
                    load_keras=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()  # the app focuses the model table on mount, which picks its tab
        app.query_one(TabbedContent).active = "dataset-tab"
        await app.workers.wait_for_complete()
        await pilot.pause()
        grid = app.query_one("#dataset-samples", ImageGrid)
        for _ in range(20):  # the tab just became visible: wait for its layout
            if grid.size.width:
                break
            await pilot.pause(0.05)
        assert app.dataset_source == mnist and grid.shown >= 2
        assert UPPER_HALF_BLOCK in panel_text(app)
        field = app.query_one("#dataset-input", Input)
        field.value = cifar10
        field.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.dataset_source == cifar10
        assert app.dataset_info is not None and app.dataset_info.class_names[0] == "airplane"
        assert grid.images is not None and grid.images.shape[1:] == (32, 32, 3)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize(("folder", "side"), [("cifar10", 32), ("mnist", 28)])
async def test_samples_are_drawn_at_native_size_while_four_fit(
        shared_data: Path, tmp_path: Path, folder: str, side: int, size) -> None:
    """One pixel per half-block cell (32x32 in 32 columns x 16 rows) rather than all 24
    samples small; at 80x24 shrunk only as far as four need."""
    from textual.widgets import TabbedContent

    from cnn_tui.ui.app import CnnTuiApp
    from cnn_tui.ui.options import LaunchOptions

    app = CnnTuiApp(LaunchOptions(dataset=str(shared_data / folder), runs_dir=tmp_path),
                    load_keras=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.query_one(TabbedContent).active = "dataset-tab"
        await app.workers.wait_for_complete()
        grid = app.query_one("#dataset-samples", ImageGrid)
        for _ in range(20):  # the tab just became visible: wait for its layout
            await pilot.pause(0.05)
            if grid.layout_now is not None:
                break
        layout = grid.layout_now
        assert layout is not None and grid.images is not None and len(grid.images) == 24
        assert layout.shown >= MIN_SAMPLES_SHOWN
        if size == (120, 40):
            assert (layout.width, layout.height_px) == (side, side)
        else:
            assert 0.4 * side <= layout.width < side
        # What the screen shows: a tile row is that many half blocks side by side.
        rows = panel_text(app).splitlines()
        assert any(UPPER_HALF_BLOCK * layout.width + " " + UPPER_HALF_BLOCK in row
                   for row in rows)
        assert not any(UPPER_HALF_BLOCK * (layout.width + 1) in row for row in rows)
