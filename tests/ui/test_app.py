"""The app shell: launch options, help, command palette, messages, failures as messages."""

from __future__ import annotations

from pathlib import Path

from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.events import BatchProgress, EpochEnded
from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.messages import TrainingBatch, TrainingEpoch, message_for
from cnn_tui.ui.options import LaunchOptions
from cnn_tui.ui.screens.help import HelpScreen
from tests.ui.settle import panels_ready


def make_app(tmp_path: Path, **options) -> CnnTuiApp:
    return CnnTuiApp(LaunchOptions(runs_dir=tmp_path / "runs", **options), load_keras=False)


def test_launch_defaults_are_the_tutorial_and_the_runner_defaults() -> None:
    options, config = LaunchOptions(), TrainConfig(dataset="mnist")
    assert (options.dataset, options.model, options.augment) == ("mnist", "seed-cnn", None)
    assert (options.optimizer, options.learning_rate, options.batch_size, options.epochs) == (
        config.optimizer, config.learning_rate, config.batch_size, config.epochs)
    assert (options.optimizer, options.learning_rate, options.batch_size) == (
        "rmsprop", 0.001, 256)


def test_batch_progress_messages_replace_each_other() -> None:
    batch = BatchProgress(1, 2, 3, 8, {"loss": 1.0}, 100.0, 1.0, 2.0)
    newer, older = message_for(batch), message_for(batch)
    assert isinstance(newer, TrainingBatch)
    assert newer.can_replace(older)
    epoch = message_for(EpochEnded(1, 2, {"loss": 1.0}, 3.0))
    assert isinstance(epoch, TrainingEpoch)
    assert not epoch.can_replace(older)  # an epoch's point is never dropped


async def test_help_lists_the_keys_of_every_tab(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(f"{heading}\n" + "\n".join(f"{keys} {what}" for keys, what in rows)
                         for heading, rows in app.screen.sections)
        for expected in ("start training", "stop the run", "quit", "Model tab",
                         "add a layer before the cursor", "ctrl+up, K", "Runs tab",
                         "Augment tab", "Dataset tab"):
            assert expected in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_offers_the_app_actions(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await panels_ready(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for expected in ("Start training", "Stop training", "Export history", "Keys",
                         "Save spec", "Undo"):
            assert expected in titles


async def test_keys_typed_in_a_field_are_text_not_commands(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await panels_ready(pilot)
        app.query_one("#tabs").active = "train-tab"
        field = app.query_one("#seed")
        field.value = ""
        field.focus()
        await pilot.press("t", "s", "q")
        await pilot.pause()
        assert field.value == "tsq"
        assert app.is_running and not app.training


async def test_a_failed_run_is_a_message_and_the_app_stays_up(tmp_path: Path) -> None:
    app = make_app(tmp_path, model="seed-mlp")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.dataset_source = str(tmp_path / "no-such-dataset")
        await pilot.press("t")
        for _ in range(100):
            await pilot.pause(0.05)
            if not app.training:
                break
        state = str(app.query_one("#train-state").render())
        assert "no-such-dataset" in state
        assert app.is_running and not app.training
        assert any(n.severity == "error" for n in app._notifications)


async def test_bad_launch_options_are_notified_not_fatal(tmp_path: Path) -> None:
    app = make_app(tmp_path, model="no-such-model", augment="rotation=1000")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        messages = " ".join(n.message for n in app._notifications)
        assert "no-such-model" in messages
        assert "rotation" in messages
        assert app.query_one("#model-panel").spec["name"] == "seed-cnn"


async def test_the_train_tab_shows_the_learning_rate_of_the_progress_events(
    tmp_path: Path,
) -> None:
    from cnn_tui.ui.panels.train_panel import TrainPanel

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()  # the Dataset tab's peek, which picks a tab
        await pilot.pause()
        app.query_one("#tabs").active = "train-tab"
        await pilot.pause()
        app.query_one(TrainPanel).batch_progress(BatchProgress(
            2, 5, 3, 8, {"loss": 0.5, "accuracy": 0.8}, 100.0, 1.0, 2.0, learning_rate=0.00025))
        await pilot.pause()
        state = str(app.query_one("#train-state").render())
        assert "epoch 2/5" in state and "lr 0.00025" in state


async def test_a_run_that_early_stopping_ended_shows_finished_with_the_reason(
    tmp_path: Path,
) -> None:
    from cnn_tui.core.runs.events import RunFinished

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.query_one("#tabs").active = "train-tab"
        await pilot.pause()
        run_dir = tmp_path / "runs" / "20260101-120000-seed-cnn-mnist"
        app.post_message(message_for(RunFinished(
            run_dir, {"accuracy": 0.9812, "loss": 0.07}, 9,
            reason="early stop at epoch 9; best epoch 6 restored")))
        await pilot.pause()
        state = str(app.query_one("#train-state").render())
        assert state.startswith("finished: early stop at epoch 9; best epoch 6 restored; "
                                "val acc 0.9812")
