"""The Train tab's fields are the settings table's: same defaults and same messages as the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Input, Select

from cnn_tui.cli import main
from cnn_tui.cli.parser import (
    APP_SETTINGS,
    TRAIN_SETTINGS,
    given_settings,
    parse_args,
    resolve_settings,
)
from cnn_tui.core.errors import ConfigError
from cnn_tui.core.runs.config import SETTING, TUI_FIELDS
from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.options import LaunchOptions
from cnn_tui.ui.panels.train_panel import TrainPanel
from cnn_tui.ui.train_config import values_from_run_config
from cnn_tui.ui.widgets.settings_form import field_id
from tests.ui.settle import panels_ready

BAD_TEXTS = [("epochs", "0"), ("epochs", "ten"), ("batch_size", "-3"),
             ("learning_rate", "abc"), ("val_split", "1"), ("limit", "0"),
             ("image_size", "0x5"), ("seed", "-1"), ("seed", "[b]x")]


def cli_defaults() -> dict:
    """What ``cnn-tui train`` (run settings) and ``cnn-tui`` (the app's own, ``--on-hangup``)
    use when no flag is given, by setting name: one entry per Train-tab field."""
    run_fields = tuple(s.name for s in TUI_FIELDS if s.name in TRAIN_SETTINGS)
    app_fields = tuple(s.name for s in TUI_FIELDS if s.name not in TRAIN_SETTINGS)
    assert set(app_fields) <= set(APP_SETTINGS)
    return {**resolve_settings(parse_args(["train"]), run_fields),
            **resolve_settings(parse_args([]), app_fields)}


def launched_like_the_cli(tmp_path: Path) -> CnnTuiApp:
    """The app as ``cnn-tui`` with no flags but --runs-dir opens it (commands.open_app)."""
    given = given_settings(parse_args(["--runs-dir", str(tmp_path / "runs")]), APP_SETTINGS)
    return CnnTuiApp(LaunchOptions(**given), load_keras=False)


async def test_every_cli_flag_that_is_a_field_has_the_same_default(tmp_path: Path) -> None:
    expected = cli_defaults()
    assert expected["seed"] is None  # empty: a random seed, recorded in config.json
    app = launched_like_the_cli(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await panels_ready(pilot)
        panel = app.query_one(TrainPanel)
        assert app.train_settings.values == expected
        for setting in TUI_FIELDS:
            widget = panel.query_one(f"#{field_id(setting.name)}")
            if setting.choices:
                assert isinstance(widget, Select) and widget.value == setting.default
            else:
                assert isinstance(widget, Input)
                assert widget.value == setting.format(setting.default)
                assert widget.placeholder == setting.empty_means
        assert panel.query_one("#seed", Input).value == ""
        assert panel.query_one("#seed", Input).placeholder == "random"


@pytest.mark.parametrize(("name", "text"), BAD_TEXTS)
async def test_a_bad_value_typed_in_a_field_shows_the_cli_message(
    tmp_path: Path, name: str, text: str, capsys
) -> None:
    with pytest.raises(ConfigError) as caught:
        SETTING[name].parse(text)
    message = str(caught.value)
    assert main(["train", SETTING[name].cli_flag, text]) == 2  # the CLI says the same
    assert capsys.readouterr().err.strip() == f"error: {SETTING[name].cli_flag}: {message}"

    app = launched_like_the_cli(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await panels_ready(pilot)
        app.query_one("#tabs").active = "train-tab"
        await pilot.pause()
        field = app.query_one(f"#{field_id(name)}", Input)
        field.value = ""
        field.focus()
        await pilot.press(*text)
        await pilot.pause()
        assert field.value == text and field.has_class("-invalid")
        assert str(app.query_one("#settings-error").render()) == message
        app.query_one("#start", Button).focus()
        await pilot.press("t")
        await pilot.pause()
        assert not app.training
        assert [n.message for n in app._notifications] == [message]


async def test_choice_settings_are_selects_that_feed_the_values(tmp_path: Path) -> None:
    app = launched_like_the_cli(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await panels_ready(pilot)
        panel = app.query_one(TrainPanel)
        panel.query_one("#optimizer", Select).value = "adam"
        panel.query_one("#on-hangup", Select).value = "stop"
        panel.query_one("#image-size", Input).value = "20"
        await pilot.pause()
        values = app.train_settings.values
        assert (values["optimizer"], values["on_hangup"], values["image_size"]) == (
            "adam", "stop", (20, 20))


def test_a_runs_config_json_is_read_through_the_table() -> None:
    from cnn_tui.core.runs.config import TUI_FIELDS, TrainConfig, config_to_dict

    config = TrainConfig(optimizer="sgd", learning_rate=0.02, batch_size=64, epochs=7,
                         limit=500, val_split=0.2, image_size=(16, 16), seed=42,
                         precision="mixed", jit="off")
    values = values_from_run_config({"options": config_to_dict(config)})
    given = {"optimizer": "sgd", "learning_rate": 0.02, "batch_size": 64, "epochs": 7,
             "limit": 500, "val_split": 0.2, "image_size": (16, 16), "seed": 42,
             "precision": "mixed", "jit": "off"}
    # Every other run field of the Train tab comes back as the table's default.
    assert values == {s.name: s.default for s in TUI_FIELDS if s.scope == "run"} | given
    assert values["lr_schedule"] == "constant" and values["restore_best"] == "yes"
    # Runs written before config.json had options: their top-level settings.
    legacy = values_from_run_config({"optimizer": "adam", "epochs": 3, "seed": 1})
    assert (legacy["optimizer"], legacy["epochs"], legacy["seed"]) == ("adam", 3, 1)
    with pytest.raises(ConfigError):
        values_from_run_config({"options": {**config_to_dict(config), "epochs": "many"}})


GROUPED_BAD_TEXTS = [("warmup_epochs", "0"), ("lr_decay", "2"), ("plateau_patience", "x"),
                     ("early_stop_min_delta", "-1")]


@pytest.mark.parametrize(("name", "text"), GROUPED_BAD_TEXTS)
async def test_a_bad_value_in_a_folded_group_shows_the_cli_message(
    tmp_path: Path, name: str, text: str, capsys
) -> None:
    from textual.widgets import Collapsible

    with pytest.raises(ConfigError) as caught:
        SETTING[name].parse(text)
    message = str(caught.value)
    assert main(["train", SETTING[name].cli_flag, text]) == 2
    assert capsys.readouterr().err.strip() == f"error: {SETTING[name].cli_flag}: {message}"

    app = launched_like_the_cli(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await panels_ready(pilot)
        await app.workers.wait_for_complete()  # the Dataset tab's peek, which picks a tab
        await pilot.pause()
        app.query_one("#tabs").active = "train-tab"
        await pilot.pause()
        group = app.query_one(f"#{SETTING[name].group}-group", Collapsible)
        assert group.collapsed
        await pilot.click(group.query_one("CollapsibleTitle"))
        await pilot.pause()
        assert not group.collapsed
        field = app.query_one(f"#{field_id(name)}", Input)
        field.value = ""
        field.focus()
        await pilot.press(*text)
        await pilot.pause()
        assert field.has_class("-invalid")
        assert str(app.query_one("#settings-error").render()) == message


async def test_settings_that_do_not_go_together_are_refused_like_the_cli(
    tmp_path: Path, capsys
) -> None:
    from textual.widgets import Collapsible

    assert main(["train", "--lr-schedule", "cosine", "--plateau-patience", "2"]) == 2
    cli_message = capsys.readouterr().err.strip().removeprefix("error: ")
    assert cli_message.startswith("plateau wait (--plateau-patience) needs lr schedule constant")

    app = launched_like_the_cli(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await panels_ready(pilot)
        app.query_one("#tabs").active = "train-tab"
        await pilot.pause()
        schedule = app.query_one("#schedule-group", Collapsible)
        monitors = app.query_one("#monitors-group", Collapsible)
        assert (schedule.title, monitors.title) == ("lr schedule: constant",
                                                    "plateau, early stop: off")
        app.query_one("#lr-schedule", Select).value = "cosine"
        app.query_one("#plateau-patience", Input).value = "2"
        await pilot.pause()
        assert (schedule.title, monitors.title) == ("lr schedule: cosine", "plateau 2")
        assert str(app.query_one("#settings-error").render()) == cli_message
        assert app.train_settings.problem == cli_message
        app.query_one("#start", Button).focus()
        await pilot.press("t")
        await pilot.pause()
        assert not app.training
        assert [n.message for n in app._notifications] == [cli_message]
        # Either one alone is fine, and the group titles say what is set.
        app.query_one("#lr-schedule", Select).value = "constant"
        app.query_one("#warmup-epochs", Input).value = ""
        app.query_one("#early-stop-patience", Input).value = "3"
        await pilot.pause()
        assert app.train_settings.problem == ""
        assert monitors.title == "early stop 3 · plateau 2"


def test_the_compute_group_title_names_devices_other_than_auto() -> None:
    from cnn_tui.ui.widgets.settings_form import group_title

    assert group_title("compute", {"devices": "auto"}) == "precision auto · XLA auto"
    title = group_title("compute", {"devices": "gpu:0,1", "precision": "float32", "jit": "on"})
    assert title == "gpu:0,1 · float32 · XLA on" and len(title) <= 29
