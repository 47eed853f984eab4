"""The Inspect tab, driven by its keys on runs whose numbers are known.

``column_run`` (inspect_folders.py) is a real run folder and a real Keras CNN
with weights set by hand; what the tab shows is compared with the core's
``Evaluation`` of the same run. The last test trains a tiny CNN on real MNIST.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TabbedContent

from cnn_tui.core.augment_config import NO_AUGMENT
from cnn_tui.core.inspect import Evaluation, cached_evaluation, evaluate_run, load_run, open_run
from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.events import RunFinished
from cnn_tui.core.runs.runner import run_training
from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.messages import TrainingEnded
from cnn_tui.ui.options import LaunchOptions
from cnn_tui.ui.panels.inspect_panel import InspectPanel
from cnn_tui.ui.screens.text_prompt import TextPromptScreen
from cnn_tui.ui.widgets.confusion_text import label_width
from cnn_tui.ui.widgets.inside_view import InsideView
from cnn_tui.ui.widgets.mistakes_gallery import MistakesGallery
from tests.conftest import SHARED_DATA
from tests.dataset_files import write_png
from tests.resources import missing
from tests.ui import run_folders
from tests.ui.inspect_folders import spot, write_column_run
from tests.ui.run_folders import scanned, wait_until


@pytest.fixture(scope="module")
def column_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_column_run(tmp_path_factory.mktemp("inspect-tab"))


@pytest.fixture(scope="module")
def evaluation(column_run: Path) -> Evaluation:
    return evaluate_run(load_run(column_run), use_cache=False)


def make_app(runs_dir: Path) -> CnnTuiApp:
    return CnnTuiApp(LaunchOptions(dataset="mnist", runs_dir=runs_dir), load_keras=False)


def panel_of(app: CnnTuiApp) -> InspectPanel:
    return app.query_one(InspectPanel)


async def press_i_on(pilot: Pilot, run_dir: Path, *, wait: bool = True) -> None:
    """Show the Runs tab, put the cursor on ``run_dir``, press i (and wait for the load)."""
    await pilot.pause()  # the hidden tabs mount just after the first frame
    await pilot.press("5")
    await scanned(pilot)
    table = pilot.app.query_one("#runs-table", DataTable)
    table.move_cursor(row=table.get_row_index(run_dir.name))
    await pilot.press("i")
    if wait:
        await loaded(pilot)


async def loaded(pilot: Pilot) -> None:
    panel = panel_of(pilot.app)
    await wait_until(pilot, lambda: panel.loaded is not None, what="the run to load")
    await pilot.pause()


def text_of(app: CnnTuiApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def shown_matrix(app: CnnTuiApp, evaluation: Evaluation) -> list[list[str]]:
    """The cells of the matrix on screen, row by row, as they read."""
    labels = label_width(evaluation.classes)
    lines = text_of(app, "#confusion-matrix").splitlines()[2:]  # the axis lines
    return [line[labels:].split() for line in lines if line[:labels].strip()]


def as_counts(cells: list[list[str]]) -> list[list[int]]:
    return [[0 if cell == "·" else int(cell.replace(",", "")) for cell in row] for row in cells]


def shown_notes(app: CnnTuiApp) -> list[str]:
    return [note.message for note in app._notifications]


async def test_i_shows_the_runs_confusion_counts_and_percentages(
        column_run: Path, evaluation: Evaluation) -> None:
    app = make_app(column_run.parent)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_i_on(pilot, column_run)
        assert app.query_one(TabbedContent).active == "inspect-tab"
        assert app.inspect_target is not None and app.inspect_target.run_dir == column_run
        title = text_of(app, "#inspect-title")
        assert column_run.name in title and "accuracy 0.7222 (39 of 54 images, test split)" in title
        assert as_counts(shown_matrix(app, evaluation)) == evaluation.confusion.tolist()
        header = text_of(app, "#confusion-matrix").splitlines()[1]
        assert "airp…" in header and "truck" in header  # cut to the cell, "…" when cut
        classes = text_of(app, "#confusion-classes")
        # cat: 3 of its 6 images right; 5 predicted as cat (2 of them birds).
        assert "automobile" in classes and "cat            0.600  0.500 0.545       6" in classes
        assert "cat → deer  3 (50.0%)" in text_of(app, "#confusion-pairs")

        await pilot.press("n")
        rows = evaluation.confusion
        expected = [["·" if count == 0 else "100" if count == row.sum()
                     else f"{100 * count / row.sum():.1f}" for count in row] for row in rows]
        assert shown_matrix(app, evaluation) == expected
        await pilot.press("n")
        assert as_counts(shown_matrix(app, evaluation)) == evaluation.confusion.tolist()


async def test_the_gallery_pages_and_one_mistake_opens_its_maps(
        column_run: Path, evaluation: Evaluation) -> None:
    app = make_app(column_run.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_i_on(pilot, column_run)
        await pilot.press("g")
        gallery = app.query_one(MistakesGallery)
        assert app.focused is gallery
        assert gallery.mistakes.tolist() == evaluation.mistakes().tolist()
        first = int(evaluation.mistakes()[0])
        assert f"image {first}: true " in text_of(app, "#mistakes-detail")
        shown = gallery.grid.shown
        assert 0 < shown < len(gallery.mistakes), "80x24 should need more than one page"
        assert f"mistakes 1-{shown} of 15" in text_of(app, "#mistakes-caption")
        await pilot.press("right_square_bracket")
        assert gallery.first == shown
        assert gallery.chosen_index == int(evaluation.mistakes()[shown])
        await pilot.press("left_square_bracket", "down")
        per_row = gallery.grid.layout_now.per_row
        assert per_row < shown and (gallery.first, gallery.selected) == (0, per_row)
        await pilot.press("up", "right")
        assert (gallery.first, gallery.selected) == (0, 1)
        chosen = gallery.chosen_index
        assert chosen is not None

        await pilot.press("enter")
        inside = app.query_one(InsideView)
        await wait_until(pilot, lambda: inside.tiles is not None, what="the maps")
        await pilot.pause()
        assert app.focused is inside
        assert np.allclose(inside.tiles.probabilities, evaluation.probabilities[chosen],
                           atol=1e-5)
        assert f"image {chosen}: true" in text_of(app, "#inside-verdict")
        caption = text_of(app, "#inside-caption")
        assert "conv2d 10×10×12" in caption and "\nConv2D · ← filters" in caption
        channels = inside.maps_grid.shown
        assert 0 < channels < 12 and f"channels 1-{channels} of 12" in caption
        await pilot.press("right_square_bracket")
        assert inside.first_channel == channels
        assert f"channels {channels + 1}-" in text_of(app, "#inside-caption")
        await pilot.press("right")
        assert "max_pooling2d 5×10×12" in text_of(app, "#inside-caption")
        assert inside.first_channel == 0
        await pilot.press("right")  # the last layer: stays
        assert "max_pooling2d" in text_of(app, "#inside-caption")
        await pilot.press("left", "left")
        assert "filters of conv2d 12 × 3×3×1" in text_of(app, "#inside-caption")
        assert len(inside.maps_grid.images) == 12


async def test_an_image_by_number_and_an_image_file(column_run: Path, evaluation: Evaluation,
                                                    tmp_path: Path) -> None:
    app = make_app(column_run.parent)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_i_on(pilot, column_run)
        inside = app.query_one(InsideView)

        async def answer(key: str, text: str) -> None:
            await pilot.press(key)
            assert isinstance(app.screen, TextPromptScreen)
            app.screen.query_one(Input).value = text
            await pilot.press("enter")
            await pilot.pause()

        await answer("number_sign", "7")
        await wait_until(pilot, lambda: inside.tiles is not None, what="image 7's maps")
        await pilot.pause()
        assert "image 7: true" in text_of(app, "#inside-verdict")
        assert np.allclose(inside.tiles.probabilities, evaluation.probabilities[7], atol=1e-5)

        await answer("number_sign", "54")
        refusal = "54 is not an image number of the split: give one from 0 to 53."
        assert refusal in shown_notes(app)

        png = tmp_path / "lit column 3.png"
        write_png(png, spot(4, 3, 255))
        await answer("o", str(png))
        await wait_until(pilot, lambda: "lit column 3.png" in text_of(app, "#inside-verdict"),
                         what="the file's maps")
        assert "predicted cat" in text_of(app, "#inside-verdict")  # column 3 is class 3

        await answer("o", str(tmp_path / "nowhere.png"))
        await wait_until(pilot, lambda: any("does not exist" in n for n in shown_notes(app)),
                         what="the missing file's message")
        assert "lit column 3.png" in text_of(app, "#inside-verdict")  # kept


async def test_a_run_without_a_model_is_refused_where_i_was_pressed(tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    bare = run_folders.write_run(runs_dir, 0, NO_AUGMENT, [], 3, "stopped")
    app = make_app(runs_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_i_on(pilot, bare, wait=False)
        await pilot.pause()
        notes = shown_notes(app)
        assert any(f"{bare.name} has no saved model yet" in note for note in notes), notes
        assert app.query_one(TabbedContent).active == "runs-tab"
        assert app.inspect_target is None


async def test_the_run_that_ended_is_offered_and_a_newer_choice_replaces_a_load(
        column_run: Path, tmp_path: Path) -> None:
    other = write_column_run(tmp_path, "other-run")
    app = make_app(column_run.parent)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.post_message(TrainingEnded(RunFinished(str(other), {"accuracy": 0.7}, 1)))
        await pilot.press("6")
        panel = panel_of(app)
        assert app.ended_run == other
        assert "other-run has ended: l inspects it." in text_of(app, "#inspect-message")
        await pilot.press("l")
        await loaded(pilot)
        assert panel.run is not None and panel.run.run_dir == other

        await press_i_on(pilot, column_run, wait=False)  # then at once another
        app.inspect(other)
        await wait_until(pilot, lambda: panel.loaded is not None
                         and panel.loaded.run.run_dir == other, what="the newer run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert panel.run is not None and panel.run.run_dir == other
        assert "other-run" in text_of(app, "#inspect-title")


@pytest.fixture(scope="module")
def mnist_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny CNN trained for one epoch on 2,000 real MNIST digits."""
    mnist = SHARED_DATA / "mnist"
    if not mnist.is_dir():
        missing(f"real MNIST not found at {mnist}")
    config = TrainConfig(dataset=str(mnist), model="lenet5", epochs=1, batch_size=128,
                         limit=2000, seed=5, runs_dir=tmp_path_factory.mktemp("mnist-runs"),
                         name="lenet")
    outcome = run_training(config, lambda _event: None, threading.Event())
    assert outcome.state == "finished" and outcome.run_dir is not None, outcome.message
    return outcome.run_dir


async def test_a_real_mnist_run(mnist_run: Path) -> None:
    app = make_app(mnist_run.parent)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_i_on(pilot, mnist_run)
        evaluation = cached_evaluation(open_run(mnist_run))  # the tab's, cached
        assert evaluation is not None and evaluation.confusion.sum() == 10_000
        assert as_counts(shown_matrix(app, evaluation)) == evaluation.confusion.tolist()
        await pilot.press("g", "enter")
        inside = app.query_one(InsideView)
        await wait_until(pilot, lambda: inside.tiles is not None, what="the maps")
        await pilot.pause()
        maps = inside.tiles.maps
        assert [(stack.type, stack.shape) for stack in maps] == [
            ("Conv2D", (28, 28, 6)), ("AveragePooling2D", (14, 14, 6)),
            ("Conv2D", (10, 10, 16)), ("AveragePooling2D", (5, 5, 16))]
        assert maps[0].tiles.shape == (6, 28, 28, 1) and maps[0].tiles.dtype == np.uint8
        assert maps[3].tiles.shape == (16, 15, 15, 1)  # 5x5 maps enlarged 3 times
        assert "conv2d 28×28×6" in text_of(app, "#inside-caption")
        await pilot.press("right")
        caption = text_of(app, "#inside-caption")
        assert f"{maps[1].layer} 14×14×6" in caption and "AveragePooling2D" in caption


async def test_a_model_without_maps_says_so(tmp_path: Path) -> None:
    from tests.inspect_runs import column_model, write_dataset, write_run

    data = write_dataset(tmp_path / "spots", [(1, 1, 255), (1, 2, 255), (2, 2, 90)], [1, 2, 0])
    run = write_run(tmp_path / "runs", "dense", data, column_model())
    app = make_app(run.parent)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_i_on(pilot, run)
        await pilot.press("g", "enter")
        inside = app.query_one(InsideView)
        await wait_until(pilot, lambda: inside.tiles is not None, what="the probabilities")
        await pilot.pause()
        assert inside.tiles.maps == () and inside.filters is None
        assert inside.maps_grid.placeholder == "no convolution or pooling layer: no feature maps"
        assert "image 2: true 0" in text_of(app, "#inside-verdict")
        assert "predicted 2" in text_of(app, "#inside-verdict")
