"""The table of settings: one declaration makes the CLI flag, the TUI field, the check
and the config.json round trip."""

from __future__ import annotations

import math

import pytest

from cnn_tui.cli import main
from cnn_tui.core.augment_config import parse_augment
from cnn_tui.core.errors import CnnTuiError, ConfigError
from cnn_tui.core.runs.config import (
    RUN_SETTINGS,
    SETTING,
    SETTINGS,
    TUI_FIELDS,
    TrainConfig,
    config_from_dict,
    config_to_dict,
)

ODD_CONFIG = TrainConfig(
    dataset="../shared/data/cifar10", model={"layers": [{"type": "Flatten"}]},
    augment=parse_augment("seed"), optimizer="adam", learning_rate=0.0123, lr_schedule="step",
    warmup_epochs=1, lr_step_epochs=2, lr_decay=0.25, monitor="val_accuracy",
    early_stop_patience=4, early_stop_min_delta=0.001, restore_best="no", batch_size=7,
    epochs=3, limit=500, val_split=0.25, image_size=(20, 24), seed=99, runs_dir="elsewhere",
    name="odd", augment_on="device",
)


PLATEAU_CONFIG = TrainConfig(plateau_patience=3, plateau_factor=0.5, monitor="loss")


@pytest.mark.parametrize("config", [TrainConfig(), ODD_CONFIG, PLATEAU_CONFIG])
def test_every_field_round_trips_through_config_json(config: TrainConfig) -> None:
    import json

    data = json.loads(json.dumps(config_to_dict(config)))
    back = config_from_dict(data)
    assert back == config
    assert {s.name for s in RUN_SETTINGS} == set(data) - {"created"}


def test_config_json_with_a_hostile_value_is_refused() -> None:
    data = config_to_dict(TrainConfig())
    for name, value in (("epochs", "x"), ("batch_size", 10**50), ("image_size", [0, 5]),
                        ("optimizer", ["adam"]), ("learning_rate", math.nan)):
        with pytest.raises(ConfigError):
            config_from_dict({**data, name: value})
    with pytest.raises(ConfigError):
        config_from_dict(["not", "a", "dict"])


def test_the_train_tab_fields_are_settings_with_labels() -> None:
    names = [s.name for s in TUI_FIELDS]
    assert names[:4] == ["optimizer", "learning_rate", "batch_size", "epochs"]
    assert {"val_split", "image_size", "seed", "limit", "on_hangup"} <= set(names)


@pytest.mark.parametrize(
    ("name", "text"),
    [("epochs", "0"), ("epochs", "ten"), ("batch_size", "-3"), ("learning_rate", "abc"),
     ("val_split", "1"), ("val_split", "nan"), ("limit", "0"), ("image_size", "0x5"),
     ("image_size", "100000x100000"), ("seed", "-1"), ("seed", "9" * 5000),
     ("optimizer", "adagrad"), ("on_hangup", "explode"), ("lr_schedule", "linear"),
     ("warmup_epochs", "0"), ("lr_step_epochs", "1.5"), ("lr_decay", "1"), ("lr_decay", "0"),
     ("monitor", "val_auc"), ("plateau_patience", "0"), ("plateau_factor", "1.5"),
     ("early_stop_patience", "-2"), ("early_stop_min_delta", "-0.1"), ("restore_best", "maybe"),
     ("color", "16"), ("color", "TrueColor"), ("backend", "theano"), ("augment_on", "gpu")],
)
def test_a_bad_value_gets_the_same_message_from_cli_and_tui(name: str, text: str,
                                                             capsys) -> None:
    setting = SETTING[name]
    with pytest.raises(ConfigError) as caught:
        setting.parse(text)  # what the TUI's field calls
    message = str(caught.value)
    assert setting.title in message and "must be" in message
    command = ["train"] if setting.scope == "run" else []
    assert main([*command, setting.cli_flag, text]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {setting.cli_flag}: {message}"


def test_valid_text_parses_to_typed_values() -> None:
    assert SETTING["image_size"].parse("32") == (32, 32)
    assert SETTING["image_size"].parse("20x24") == (20, 24)
    assert SETTING["limit"].parse("") is None
    assert SETTING["seed"].parse(" 7 ") == 7
    assert SETTING["learning_rate"].parse("1e-3") == pytest.approx(0.001)
    assert SETTING["augment"].parse("seed").enabled
    with pytest.raises(CnnTuiError):
        SETTING["augment"].parse("twirl=1")


def test_each_setting_is_declared_once_with_help() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    flags = [s.cli_flag for s in SETTINGS]
    assert len(flags) == len(set(flags))
    for setting in SETTINGS:
        assert setting.help
        if setting.default is not None and setting.kind in ("int", "float", "choice"):
            assert setting.check(setting.default) == setting.default


def test_help_lists_every_train_flag(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    for setting in RUN_SETTINGS:
        assert setting.cli_flag in text
    assert "--resume" in text and "--detach" in text


def test_settings_that_do_not_go_together_with_their_boundaries() -> None:
    from cnn_tui.core.runs.config import check_combination

    # Warm-up must leave at least one epoch to the schedule.
    check_combination({"warmup_epochs": 2, "epochs": 3})
    check_combination({"warmup_epochs": 2})  # no epochs given: nothing to compare
    check_combination({"epochs": 3})
    with pytest.raises(ConfigError) as caught:
        check_combination({"warmup_epochs": 3, "epochs": 3})
    assert str(caught.value) == (
        "warm-up must be shorter than the run: 3 warm-up epochs (--warmup-epochs) leave "
        "none of the run's 3 (--epochs) for the schedule; lower one or raise the other.")
    # Reduce-on-plateau only with a constant rate and no warm-up.
    check_combination({"plateau_patience": 2})
    check_combination({"plateau_patience": 2, "lr_schedule": "constant", "warmup_epochs": 0})
    check_combination({"lr_schedule": "cosine", "warmup_epochs": 1, "epochs": 5})
    expected = ("plateau wait (--plateau-patience) needs lr schedule constant without warm-up "
                "(Keras's ReduceLROnPlateau cannot change a scheduled rate); got {}.")
    cases = {
        "lr schedule cosine": {"plateau_patience": 2, "lr_schedule": "cosine"},
        "lr schedule constant with a warm-up": {"plateau_patience": 1, "warmup_epochs": 1},
        "lr schedule step with a warm-up": {"plateau_patience": 1, "lr_schedule": "step",
                                            "warmup_epochs": 2, "epochs": 9},
    }
    for what, values in cases.items():
        with pytest.raises(ConfigError) as caught:
            check_combination(values)
        assert str(caught.value) == expected.format(what)
