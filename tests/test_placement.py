"""The ``devices`` setting: its grammar (pure), its checks, and its resolution on this machine."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cnn_tui.cli import main
from cnn_tui.core.errors import ConfigError
from cnn_tui.core.runs.config import (
    SETTING,
    TrainConfig,
    check_combination,
    config_from_dict,
    config_to_dict,
)
from cnn_tui.core.runs.placement import (
    Placement,
    check_batch_split,
    cpu_split,
    device_list,
    gpu_indices,
    named_replicas,
    parse_devices,
    place,
)
from cnn_tui.core.runs.resume import plan_resume


@pytest.mark.parametrize(("text", "canonical"), [
    ("auto", "auto"), (" AUTO ", "auto"), ("cpu", "cpu"), ("cpu:1", "cpu"), ("cpu:2", "cpu:2"),
    ("CPU:16", "cpu:16"), ("0", "gpu:0"), ("0,1", "gpu:0,1"), ("gpu:1,0", "gpu:1,0"),
    ("gpu:0-3", "gpu:0,1,2,3"), ("0, 2-3", "gpu:0,2,3"), ("gpu:63", "gpu:63"),
])
def test_devices_text_reads_to_one_canonical_form(text: str, canonical: str) -> None:
    assert parse_devices(text) == canonical
    assert parse_devices(canonical) == canonical  # what config.json keeps reads back as itself


@pytest.mark.parametrize("text", [
    "", "gpu", "cpus", "cpu:0", "cpu:65", "cpu:x", "0,0", "0-1,1", "3-1", "64", "gpu:", "1,",
    "-1", "0;1", "gpu:0,cpu", "1" * 40,
])
def test_a_bad_devices_text_is_one_sentence_saying_what_to_type(text: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_devices(text)
    message = str(raised.value)
    assert message.startswith("devices ") and message.endswith(".")
    assert "\n" not in message and repr(text) in message


def test_the_setting_helpers_read_the_canonical_form() -> None:
    assert [cpu_split(d) for d in ("auto", "cpu", "cpu:4", "gpu:0,1")] == [1, 1, 4, 1]
    assert [gpu_indices(d) for d in ("auto", "cpu:2", "gpu:1,0")] == [None, None, [1, 0]]
    assert [named_replicas(d) for d in ("auto", "cpu", "cpu:4", "gpu:0-2")] == [None, 1, 4, 3]


def test_the_global_batch_must_split_evenly_between_the_replicas() -> None:
    check_batch_split(256, 2, "cpu:2")
    check_batch_split(7, 1, "cpu")
    with pytest.raises(ConfigError) as raised:
        check_batch_split(33, 2, "cpu:2")
    assert str(raised.value) == ("batch size 33 does not split evenly between the 2 replicas "
                                 "of devices cpu:2; use a multiple of 2 (e.g. 32 or 34).")
    with pytest.raises(ConfigError, match=r"multiple of 4 \(e.g. 4\)"):
        check_batch_split(3, 4, "gpu:0-3")
    # Known without TensorFlow for named devices: the Train tab says it as it is typed.
    with pytest.raises(ConfigError, match="does not split evenly"):
        check_combination({"devices": "gpu:0,1,2", "batch_size": 256})
    check_combination({"devices": "auto", "batch_size": 255})  # decided on the machine
    with pytest.raises(ConfigError, match="does not split evenly"):
        TrainConfig(devices="cpu:2", batch_size=255).validate()


def test_a_split_smaller_than_a_batch_must_split_evenly_too() -> None:
    two = Placement("cpu:2", None, "mirrored", ("CPU:0", "CPU:1"), 64)
    two.check_first_batches(1001, 64)  # more than a batch: the first one is full
    two.check_first_batches(40, 10)
    with pytest.raises(ConfigError, match="the 9 validation images are fewer than one batch"):
        two.check_first_batches(100, 9)


def test_devices_is_a_setting_of_the_compute_group_with_a_flag_and_a_field() -> None:
    setting = SETTING["devices"]
    assert (setting.default, setting.group, setting.label, setting.cli_flag) == (
        "auto", "compute", "devices", "--devices")
    assert setting.parse("0,1") == "gpu:0,1"
    assert setting.check("cpu:2") == "cpu:2"
    for hostile in ("0,1", 2, None, ["cpu"]):  # only the canonical text is a value
        with pytest.raises(ConfigError):
            setting.check(hostile)


def test_devices_round_trip_through_config_json_and_old_runs_mean_auto() -> None:
    config = TrainConfig(devices="gpu:0,2")
    data = json.loads(json.dumps(config_to_dict(config)))
    assert data["devices"] == "gpu:0,2" and config_from_dict(data) == config
    del data["devices"]  # a run made before the setting existed
    assert config_from_dict(data).devices == "auto"
    with pytest.raises(ConfigError, match="devices"):
        config_from_dict({**data, "devices": "gpu:0,0"})
    with pytest.raises(ConfigError, match="devices"):
        replace(config, devices="0,1").validate()


def test_a_bad_devices_flag_fails_before_tensorflow_with_the_flag_named(capsys: Any) -> None:
    assert main(["train", "--devices", "gpu:1,1", "--epochs", "1"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: --devices: devices must be auto, cpu, cpu:N")
    assert len(error.splitlines()) == 1


def test_the_description_is_short_and_names_the_per_replica_batch() -> None:
    two = Placement("cpu:2", None, "mirrored", ("CPU:0", "CPU:1"), 256)
    assert (two.replicas, two.per_replica_batch) == (2, 128)
    assert two.describe() == "2 x 128 images (CPU:0, CPU:1)"
    assert two.record() == {"devices_setting": "cpu:2", "strategy": "mirrored", "replicas": 2,
                            "replica_devices": ["CPU:0", "CPU:1"], "per_replica_batch": 128}
    eight = tuple(f"GPU:{i}" for i in range(8))
    assert device_list(eight) == "GPU:0-7"
    assert device_list(("GPU:3", "GPU:1", "GPU:0", "GPU:2")) == "GPU:3, GPU:1, GPU:0, GPU:2"


def test_place_names_what_exists_when_a_gpu_does_not() -> None:
    with pytest.raises(ConfigError) as raised:
        place("gpu:63", 256)
    message = str(raised.value)
    assert message.startswith("devices gpu:63 names GPU 63, but TensorFlow sees ")
    assert "GPU" in message.split("sees ")[1]  # "no GPU", "GPU 0 only" or "GPUs 0-N"


def test_place_resolves_one_device_without_a_strategy_of_its_own() -> None:
    import tensorflow as tf

    cpu = place("cpu", 32)
    assert (cpu.replicas, cpu.devices, cpu.per_replica_batch) == (1, ("CPU:0",), 32)
    has_gpu = bool(tf.config.list_physical_devices("GPU"))
    # The CPU is TensorFlow's own choice only where there is no GPU.
    assert cpu.kind == ("one-device" if has_gpu else "default")
    auto = place("auto", 32)
    assert auto.replicas == max(1, len(tf.config.list_physical_devices("GPU")))
    assert auto.kind in ("default", "mirrored")


def test_resume_may_change_the_devices_but_nothing_else(tmp_path: Path) -> None:
    from tests.tiny_runs import load_tiny_mnist, train

    data = load_tiny_mnist(100, 20)
    outcome = train(tmp_path, data, epochs=1, devices="cpu")
    assert outcome.state == "finished" and outcome.run_dir is not None
    config, _ = plan_resume(outcome.run_dir, epochs=2, given={"devices": "cpu:2"})
    assert config.devices == "cpu:2"
    config, _ = plan_resume(outcome.run_dir, epochs=2)
    assert config.devices == "cpu"
    with pytest.raises(ConfigError, match="--batch-size"):
        plan_resume(outcome.run_dir, epochs=2, given={"batch_size": 7})


def test_a_missing_gpu_is_bad_input_that_leaves_no_run_folder(tmp_path: Path) -> None:
    from tests.tiny_runs import load_tiny_mnist, train

    outcome = train(tmp_path, load_tiny_mnist(100, 20), epochs=1, devices="gpu:63")
    assert outcome.state == "failed" and outcome.bad_input and outcome.run_dir is None
    assert "names GPU 63" in outcome.message
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_a_cpu_split_after_tensorflow_started_says_to_start_again() -> None:
    import tensorflow as tf

    tf.config.list_logical_devices()  # the runtime runs from here on, with its CPU split fixed
    have = len(tf.config.list_logical_devices("CPU"))
    with pytest.raises(ConfigError) as raised:
        place("cpu:64", 256)
    assert str(raised.value) == (
        "devices cpu:64 needs the CPU split into 64 devices before TensorFlow starts, but it "
        f"started with {have}; start again with --devices cpu:64 (cnn-tui train or the app).")


def test_xla_on_is_refused_for_replicas_of_one_cpu() -> None:
    with pytest.raises(ConfigError) as raised:
        TrainConfig(devices="cpu:2", jit="on").validate()
    assert str(raised.value) == ("XLA (--jit on) cannot train the replicas of devices cpu:2, "
                                 "which share one CPU; use --jit auto or off with cpu:N.")
    for fine in ({"devices": "cpu:2", "jit": "auto"}, {"devices": "cpu", "jit": "on"},
                 {"devices": "gpu:0,1", "jit": "on"}):
        check_combination(fine)
