"""Opening a run's settings (`o`): read through the settings table, and a dataset path the
session has not opened is shown and asked about before it is loaded."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Label

from cnn_tui.core.augment_config import NO_AUGMENT
from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.options import LaunchOptions
from cnn_tui.ui.screens.confirm import ConfirmScreen
from tests.ui.run_folders import scanned, write_run

ONE_EPOCH = [{"loss": 0.9, "accuracy": 0.7, "val_loss": 0.8, "val_accuracy": 0.75}]


async def open_run(pilot, app: CnnTuiApp, run_dir: Path) -> None:
    """Show the Runs tab, put the cursor on ``run_dir`` and press o."""
    await pilot.pause()  # the Runs tab mounts just after the first frame
    await pilot.press("5")
    await scanned(pilot)
    table = app.query_one("#runs-table", DataTable)
    assert app.focused is table
    table.move_cursor(row=table.get_row_index(run_dir.name))
    await pilot.press("o")
    await pilot.pause()


async def test_an_unknown_dataset_path_is_shown_and_asked_about(shared_data: Path,
                                                                tmp_path: Path) -> None:
    mnist = str(shared_data / "mnist")
    strange = str(tmp_path / "[b]elsewhere" / "data")  # never opened here; not markup either
    runs_dir = tmp_path / "runs"
    options = TrainConfig(dataset=strange, model="seed-mlp", optimizer="adam",
                          learning_rate=0.01, batch_size=64, epochs=3, limit=600, seed=7)
    odd = write_run(runs_dir, 0, NO_AUGMENT, ONE_EPOCH, 3, "finished", strange, options)
    known = write_run(runs_dir, 5, NO_AUGMENT, ONE_EPOCH, 2, "finished", mnist,
                      TrainConfig(dataset=mnist, epochs=2, batch_size=32))
    app = CnnTuiApp(LaunchOptions(dataset=mnist, model="seed-mlp", runs_dir=runs_dir),
                    load_keras=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, app, odd)
        assert isinstance(app.screen, ConfirmScreen)
        assert strange in str(app.screen.query_one(Label).render())  # shown as it is
        await pilot.press("n")
        await pilot.pause()
        assert app.dataset_source == mnist  # not loaded
        values = app.train_settings.values
        assert (values["optimizer"], values["learning_rate"], values["batch_size"],
                values["limit"], values["seed"]) == ("adam", 0.01, 64, 600, 7)
        notes = [n.message for n in app._notifications]
        assert any("the dataset was left as it was" in note for note in notes)

        await open_run(pilot, app, odd)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert app.dataset_source == strange
        assert app.query_one("#dataset-input").value == strange

        await open_run(pilot, app, known)  # a path this session opened: no question
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.dataset_source == mnist
        assert app.train_settings.values["batch_size"] == 32
        assert app.query_one("#batch-size", Input).value == "32"  # the Train tab shows it


async def test_a_named_dataset_is_loaded_without_asking(tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    run = write_run(runs_dir, 0, NO_AUGMENT, ONE_EPOCH, 2, "finished", "fashion_mnist",
                    TrainConfig(dataset="fashion_mnist", epochs=2))
    app = CnnTuiApp(LaunchOptions(dataset="mnist", runs_dir=runs_dir), load_keras=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_run(pilot, app, run)
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.dataset_source == "fashion_mnist"
