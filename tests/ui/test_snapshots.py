"""SVG snapshots of the main screens at 80x24 and 120x40 (pytest-textual-snapshot).

The app is built with ``load_tensorflow=False`` so the header never depends on
how fast TensorFlow imports, and on the "mnist" name, whose shapes are known
without files. Update with ``pytest tests/ui/test_snapshots.py --snapshot-update``
after a deliberate change, and look at the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.options import LaunchOptions

SIZES = [(80, 24), (120, 40)]


def make_app(tmp_path: Path, model: str = "seed-cnn") -> CnnTuiApp:
    options = LaunchOptions(dataset="mnist", model=model, runs_dir=tmp_path / "runs")
    return CnnTuiApp(options, load_tensorflow=False)


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
