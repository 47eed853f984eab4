"""Training settings word for word: each refusal, each field's text, config.json's values."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from cnn_tui.core.augment_config import NO_AUGMENT, parse_augment
from cnn_tui.core.errors import ConfigError
from cnn_tui.core.runs.config import (
    SETTING,
    TrainConfig,
    config_from_dict,
    config_to_dict,
    settings_from_texts,
)


def refusal(name: str, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        SETTING[name].parse(text)
    return str(info.value)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("epochs", "0", "epochs must be a whole number from 1 to 100000; got 0."),
        ("epochs", "100001", "epochs must be a whole number from 1 to 100000; got 100001."),
        ("epochs", " ten ", "epochs must be a whole number from 1 to 100000; got 'ten'."),
        ("epochs", "9" * 31, f"epochs must be a whole number from 1 to 100000; got '{'9' * 31}'."),
        ("batch_size", "65537", "batch size must be a whole number from 1 to 65536; got 65537."),
        ("learning_rate", "abc", "learning rate must be a number of at least 1e-09; got 'abc'."),
        ("learning_rate", "0", "learning rate must be a number of at least 1e-09; got 0."),
        ("learning_rate", "inf", "learning rate must be a number of at least 1e-09; got inf."),
        ("val_split", "1", "val split must be a number between 0 and 1 (not included); got 1."),
        ("val_split", "0", "val split must be a number between 0 and 1 (not included); got 0."),
        ("val_split", "nan",
         "val split must be a number between 0 and 1 (not included); got nan."),
        ("limit", "0", "limit must be a whole number from 1 to 1000000000; got 0."),
        ("seed", "-1", "seed must be a whole number from 0 to 4294967295; got -1."),
        ("image_size", "0x5",
         "image size must be a size HxW with sides from 1 to 4096, e.g. 32x32; got (0, 5)."),
        ("image_size", "32x32x3",
         "image size must be a size HxW with sides from 1 to 4096, e.g. 32x32; got '32x32x3'."),
        ("image_size", "1234567",
         "image size must be a size HxW with sides from 1 to 4096, e.g. 32x32; got '1234567'."),
        ("image_size", "123456", "image size must be a size HxW with sides from 1 to 4096, "
                                 "e.g. 32x32; got (123456, 123456)."),
        ("seed", "9" * 30, f"seed must be a whole number from 0 to 4294967295; got {'9' * 30}."),
        ("optimizer", "adagrad", "optimizer must be one of rmsprop, adam, sgd; got 'adagrad'."),
        ("on_hangup", "x", "on hang-up must be one of finish, stop; got 'x'."),
    ],
)
def test_a_typed_value_is_refused_with_what_to_type(name: str, text: str, message: str) -> None:
    assert refusal(name, text) == message


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("epochs", "1", 1), ("epochs", "100000", 100000), ("batch_size", "65536", 65536),
        ("learning_rate", "1e-9", 1e-9), ("learning_rate", "5", 5.0),
        ("val_split", "0.999", 0.999), ("val_split", "1e-6", 1e-6),
        ("seed", "0", 0), ("seed", str(2**32 - 1), 2**32 - 1), ("seed", "", None),
        ("limit", " ", None), ("image_size", "4096", (4096, 4096)),
        ("image_size", "1x4096", (1, 4096)), ("image_size", " 20 , 24 ", (20, 24)),
        ("optimizer", " adam ", "adam"), ("dataset", " ../data/x ", "../data/x"),
        ("name", "", None),
    ],
)
def test_a_typed_value_within_bounds_is_read(name: str, text: str, value: Any) -> None:
    assert SETTING[name].parse(text) == value


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("epochs", True, "epochs must be a whole number from 1 to 100000; got True."),
        ("epochs", 2.0, "epochs must be a whole number from 1 to 100000; got 2.0."),
        ("learning_rate", True, "learning rate must be a number of at least 1e-09; got True."),
        ("learning_rate", "0.1", "learning rate must be a number of at least 1e-09; got '0.1'."),
        ("learning_rate", math.inf, "learning rate must be a number of at least 1e-09; got inf."),
        ("image_size", [5, True],
         "image size must be a size HxW with sides from 1 to 4096, e.g. 32x32; got [5, True]."),
        ("image_size", (5, 6, 7),
         "image size must be a size HxW with sides from 1 to 4096, e.g. 32x32; got (5, 6, 7)."),
        ("optimizer", 3, "optimizer must be one of rmsprop, adam, sgd; got 3."),
        ("val_split", 2, "val split must be a number between 0 and 1 (not included); got 2."),
        ("val_split", 1e14,
         "val split must be a number between 0 and 1 (not included); got 100000000000000."),
        ("val_split", 1e15,
         "val split must be a number between 0 and 1 (not included); got 1000000000000000.0."),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused(name: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        SETTING[name].check(value)
    assert str(info.value) == message


def test_checked_values_come_back_typed() -> None:
    assert SETTING["learning_rate"].check(1) == 1.0
    assert type(SETTING["learning_rate"].check(1)) is float
    assert SETTING["image_size"].check([3, 4]) == (3, 4)
    assert SETTING["limit"].check(None) is None


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [("learning_rate", 0.001, "0.001"), ("learning_rate", 1e-5, "1e-05"),
     ("learning_rate", 1.0, "1"),
     ("image_size", (20, 24), "20x24"), ("limit", None, ""), ("epochs", 10, "10"),
     ("optimizer", "adam", "adam")],
)
def test_a_field_shows_a_value_as_it_would_be_typed(name: str, value: Any, text: str) -> None:
    setting = SETTING[name]
    assert setting.format(value) == text
    assert setting.parse(text) == value


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("dataset", 3, "dataset must be text; got 3."),
        ("dataset", {"name": "x"}, "dataset must be text; got {'name': 'x'}."),
        ("dataset", None, "dataset must be text; got None."),
        ("model", 3, "model must be text; got 3."),
        ("runs_dir", ["x"], "runs dir must be text; got ['x']."),
        ("epochs", 1.0, "epochs must be a whole number from 1 to 100000; got 1.0."),
        ("learning_rate", False, "learning rate must be a number of at least 1e-09; got False."),
        ("augment", {"twirl": 1}, "augmentation in config.json is not valid: Unknown "
                                  "augmentation setting 'twirl'; use rotation_range, "
                                  "width_shift_range, height_shift_range, shear_range, "
                                  "zoom_range, horizontal_flip, vertical_flip."),
    ],
)
def test_a_hand_edited_config_value_is_refused_by_name(name: str, data: Any,
                                                       message: str) -> None:
    with pytest.raises(ConfigError) as info:
        SETTING[name].from_json(data)
    assert str(info.value) == message


def test_config_json_values_are_read_back_typed() -> None:
    assert SETTING["model"].from_json({"layers": []}) == {"layers": []}
    assert SETTING["name"].from_json(None) is None
    assert SETTING["image_size"].from_json([3, 4]) == (3, 4)
    assert SETTING["image_size"].from_json(None) is None
    assert type(SETTING["learning_rate"].from_json(1)) is float
    assert SETTING["augment"].from_json(None) == NO_AUGMENT
    assert SETTING["runs_dir"].to_json(Path("a/b")) == "a/b"
    assert SETTING["image_size"].to_json((3, 4)) == [3, 4]
    assert SETTING["image_size"].to_json(None) is None


def test_config_json_round_trips_and_is_stamped(tmp_path: Path) -> None:
    config = TrainConfig(augment=parse_augment("seed"), image_size=(20, 24), seed=5,
                         runs_dir=tmp_path, limit=10)
    data = config_to_dict(config)
    assert data["runs_dir"] == str(tmp_path) and data["image_size"] == [20, 24]
    assert data["augment"] == parse_augment("seed").to_dict()
    assert len(data["created"]) == len("2026-01-01T00:00:00")
    back = config_from_dict(data)
    assert back == TrainConfig(augment=parse_augment("seed"), image_size=(20, 24), seed=5,
                               runs_dir=str(tmp_path), limit=10)
    assert config_from_dict({}) == TrainConfig()
    with pytest.raises(ConfigError) as info:
        config_from_dict(None)
    assert str(info.value) == "config.json has no options object; this run cannot be read back."


def test_validation_stops_at_the_first_bad_setting() -> None:
    TrainConfig().validate()
    with pytest.raises(ConfigError) as info:
        TrainConfig(learning_rate=0, epochs=0).validate()
    assert str(info.value) == "learning rate must be a number of at least 1e-09; got 0."
    with pytest.raises(ConfigError, match="^image size must be"):
        TrainConfig(image_size=(0, 1)).validate()
    with pytest.raises(ConfigError, match="^epochs must be"):
        TrainConfig(epochs=0).validate()
    with pytest.raises(ConfigError, match="^optimizer must be"):
        TrainConfig(optimizer="adagrad").validate()
    TrainConfig(dataset="", name="").validate()  # text is checked where it is used


@pytest.mark.parametrize(
    ("config", "name"),
    [
        (TrainConfig(), "seed-cnn-mnist"),
        (TrainConfig(model="specs/My.Model.JSON", dataset="../data/cifar10/"), "My.Model-cifar10"),
        (TrainConfig(model={"name": "tiny", "layers": []}, dataset="/"), "tiny-/"),
        (TrainConfig(model={"layers": []}), "custom-mnist"),
        (TrainConfig(name="mine"), "mine"),
    ],
)
def test_a_run_is_named_after_its_model_and_dataset(config: TrainConfig, name: str) -> None:
    assert config.run_name == name


def test_a_config_without_a_seed_gets_one() -> None:
    seeded = TrainConfig(seed=3)
    assert seeded.resolved() is seeded
    resolved = TrainConfig().resolved()
    assert isinstance(resolved.seed, int) and 0 <= resolved.seed < 2**31
    assert resolved == TrainConfig(seed=resolved.seed)
    seeds = {TrainConfig().resolved().seed for _ in range(20)}
    assert len(seeds) > 1 and max(seeds) >= 2**16  # drawn from the whole range


def test_typed_settings_are_read_by_name() -> None:
    assert settings_from_texts({"epochs": "3", "image_size": "8"}) == {
        "epochs": 3, "image_size": (8, 8)}
    with pytest.raises(ConfigError, match="^epochs must be"):
        settings_from_texts({"batch_size": "2", "epochs": "x"})
