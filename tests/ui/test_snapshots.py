"""SVG snapshots of the main screens at 80x24 and 120x40 (pytest-textual-snapshot).

The app is built with ``load_keras=False`` so the header never depends on
how fast TensorFlow imports, and on the "mnist" name, whose shapes are known
without files. Update with ``pytest tests/ui/test_snapshots.py --snapshot-update``
after a deliberate change, and look at the SVGs before committing them.
The image grid is snapped on its own, with smooth synthetic images, in true
colour and dithered for 256 colours (the SVG shows what the terminal would).
The Inspect tab shows a run whose model's weights are set by hand
(inspect_folders.py), so every count and figure is the same on every machine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input

from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.color_depth import apply_color_choice
from cnn_tui.ui.options import LaunchOptions
from cnn_tui.ui.widgets.image_grid import ImageGrid
from tests.ui.inspect_folders import write_column_run
from tests.ui.run_folders import wait_until

SIZES = [(80, 24), (120, 40)]


def make_app(tmp_path: Path, model: str = "seed-cnn", runs_dir: Path | None = None
             ) -> CnnTuiApp:
    # The colours chosen, not the test's TERM and COLORTERM: the help screen says which.
    options = LaunchOptions(dataset="mnist", model=model, runs_dir=runs_dir or tmp_path / "runs",
                            color="truecolor")
    return CnnTuiApp(options, load_keras=False)


async def settle(pilot: Pilot) -> None:
    # Let the Dataset tab's background peek land (it re-infers the same shapes).
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_model_tab(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_train_tab(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def show_train(pilot: Pilot) -> None:
        await settle(pilot)
        pilot.app.query_one("#tabs").active = "train-tab"
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=show_train)


def test_help_screen(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path), press=["question_mark"], run_before=settle)


def test_invalid_layer(snap_compare, tmp_path: Path) -> None:
    async def break_layer_two(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        field = pilot.app.screen.query_one("#arg-kernel_size", Input)
        field.value = "50"
        field.focus()
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), run_before=break_layer_two)


def test_layer_form(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path), press=["enter"], run_before=settle)


class GradientGrid(App[None]):
    """Four colour gradients in a grid, as the app draws with ``color``."""

    def __init__(self, color: str) -> None:
        super().__init__()
        apply_color_choice(self.console, color)

    def compose(self) -> ComposeResult:
        ramp = np.linspace(0.0, 1.0, 32)
        images = np.empty((4, 32, 32, 3), dtype=np.uint8)
        for k in range(4):
            images[k, ..., 0] = np.rint(40 + 180 * ramp[None, :])
            images[k, ..., 1] = np.rint(30 + 150 * ramp[:, None])
            images[k, ..., 2] = 60 + 40 * k
        yield ImageGrid(images, [f"blue {60 + 40 * k}" for k in range(4)], min_shown=4)


@pytest.mark.parametrize("color", ["truecolor", "256"])
def test_image_grid(snap_compare, color: str) -> None:
    """Native size (32 columns x 16 rows a tile) at 80x36; dithered in 256 colours."""
    assert snap_compare(GradientGrid(color), terminal_size=(80, 36))


@pytest.fixture(scope="module")
def column_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_column_run(tmp_path_factory.mktemp("snapshot-inspect"))


@pytest.mark.parametrize("size", SIZES)
def test_inspect_tab(snap_compare, tmp_path: Path, column_run: Path, size: tuple[int, int]
                     ) -> None:
    async def inspect_the_run(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("i")  # the only run
        panel = pilot.app.query_one("#inspect-panel")
        await wait_until(pilot, lambda: panel.loaded is not None, what="the run to load")
        await settle(pilot)

    assert snap_compare(make_app(tmp_path, runs_dir=column_run.parent), terminal_size=size,
                        run_before=inspect_the_run)
