"""Augmentation on the device (core/augment_place.py): the augmenter as the model's first
layer, active in training only, saved, resumed, and chosen by ``augment_on``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cnn_tui.core.augment_config import parse_augment
from cnn_tui.core.augment_place import (
    DEVICE,
    HOST,
    RESUME_STRIDE,
    check_augment_on,
    choose_augment_on,
    has_augmenter,
    reseed_augmenter,
    without_augmenter,
)
from cnn_tui.core.backend import check_backend_settings
from cnn_tui.core.errors import ConfigError
from tests.tiny_runs import load_tiny_mnist, resume, train

EVERY_TRANSFORM = parse_augment("rotation_range=20,width_shift_range=0.1,height_shift_range=0.1,"
                                "shear_range=15,zoom_range=0.1,horizontal_flip=true")
CONV_SPEC = {"layers": [{"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
                        {"type": "Flatten"},
                        {"type": "Dense", "units": 10, "activation": "softmax"}]}


@pytest.fixture(scope="module")
def mnist() -> Any:
    return load_tiny_mnist(200, n_val=100)


def test_auto_follows_the_backend_and_the_device() -> None:
    assert choose_augment_on("auto", "jax", gpus=False).value == DEVICE
    assert choose_augment_on("auto", "torch", gpus=True).value == DEVICE
    assert choose_augment_on("auto", "tensorflow", gpus=True).value == DEVICE
    on_cpu = choose_augment_on("auto", "tensorflow", gpus=False)
    assert on_cpu.value == HOST and on_cpu.shown().startswith("host (auto: ")
    for setting in (HOST, DEVICE):
        assert choose_augment_on(setting, "tensorflow", gpus=False).shown() == setting


def test_host_is_refused_without_tensorflow_and_device_is_not() -> None:
    with pytest.raises(ConfigError, match="--augment-on device or auto"):
        check_augment_on(HOST, "jax")
    with pytest.raises(ConfigError, match="the torch backend does not use"):
        check_augment_on(HOST, "torch")
    with pytest.raises(ConfigError, match="the jax backend does not use"):
        check_backend_settings("jax", cluster=False, augment=True, augment_on=HOST)
    check_backend_settings("jax", cluster=False, augment=True, augment_on=DEVICE)
    check_backend_settings("jax", cluster=False, augment=True)  # auto
    check_backend_settings("jax", cluster=False, augment=False, augment_on=HOST)  # no effect
    check_augment_on(HOST, "tensorflow")


def test_every_layer_is_identity_outside_training(mnist: Any) -> None:
    import keras

    from cnn_tui.core.augment import build_augmenter

    augmenter = build_augmenter(EVERY_TRANSFORM, seed=5)
    assert augmenter is not None
    assert {type(layer).__name__ for layer in augmenter.layers} >= {"RandomCenteredShear",
                                                                    "RandomRotation"}
    images = mnist.x_train[:16].astype("float32")
    for layer in augmenter.layers:
        assert np.array_equal(keras.ops.convert_to_numpy(layer(images, training=False)), images)
        assert not np.array_equal(keras.ops.convert_to_numpy(layer(images, training=True)),
                                  images), type(layer).__name__


def _generator_states(model: Any) -> list[Any]:
    import keras

    return [keras.ops.convert_to_numpy(value.state) for layer in model.layers[0].layers
            for value in vars(layer).values() if isinstance(value, keras.random.SeedGenerator)]


def _config(run_dir: Path) -> dict[str, Any]:
    return dict(json.loads((run_dir / "config.json").read_text(encoding="utf-8")))


def test_device_placement_trains_saves_and_predicts_like_the_plain_model(
        tmp_path: Path, mnist: Any) -> None:
    from cnn_tui.core.inspect.features import FeatureExtractor, first_filters
    from cnn_tui.core.inspect.loading import _load_keras_file
    from cnn_tui.core.runs.checkpoint import load_model

    outcome = train(tmp_path, mnist, epochs=2, model=CONV_SPEC, augment=EVERY_TRANSFORM,
                    augment_on=DEVICE, precision="mixed", jit="on")
    assert outcome.state == "finished", outcome.message
    compute = _config(outcome.run_dir)["compute"]
    assert compute["augment"] == DEVICE
    # Keras turns XLA off for its affine augmentation layers; the compute line says why.
    assert compute["xla"] == "off (on: Keras does not compile augmentation layers)"
    model = load_model(outcome.run_dir / "model.keras")  # safe mode, with the shear layer
    assert has_augmenter(model)
    # The augmenter computes in float32 whatever the layers after it do.
    assert {layer.dtype_policy.name for layer in model.layers[0].layers} == {"float32"}
    assert model.layers[1].dtype_policy.name.startswith("mixed")
    plain = _load_keras_file(outcome.run_dir / "model.keras", "run")  # what inspect sees
    assert [layer.name for layer in plain.layers] == ["conv2d", "flatten", "dense"]
    images = mnist.x_val[:32].astype("float32") / 255.0
    assert np.array_equal(model.predict(images, verbose=0), plain.predict(images, verbose=0))
    assert without_augmenter(plain) is plain
    # The Inspect tab's views: feature maps per layer and the first conv's filters.
    inside = FeatureExtractor(plain).inside(mnist.x_val[0])
    assert [feature.layer for feature in inside.maps] == ["conv2d"]
    # bfloat16 layers: a direct call and predict() round a little differently.
    assert np.allclose(inside.probabilities, plain.predict(images[:1], verbose=0)[0], atol=2e-3)
    filters = first_filters(plain)
    assert filters is not None and filters.weights.shape == (4, 3, 3, 1)


def test_a_seed_repeats_a_device_augmented_run(tmp_path: Path, mnist: Any) -> None:
    first, second = (train(tmp_path / name, mnist, epochs=2, augment=EVERY_TRANSFORM,
                           augment_on=DEVICE, precision="float32") for name in ("a", "b"))
    assert first.history["loss"] == second.history["loss"]


def test_a_resumed_run_goes_on_augmenting_where_it_began(tmp_path: Path, mnist: Any) -> None:
    stopped = train(tmp_path, mnist, epochs=3, stop_after=1, augment=EVERY_TRANSFORM,
                    augment_on=DEVICE, precision="float32")
    assert stopped.state == "stopped"
    resumed = resume(stopped.run_dir, mnist)
    assert resumed.state == "finished", resumed.message
    assert resumed.history["epoch"] == [1, 2, 3]
    assert _config(resumed.run_dir)["compute"]["augment"] == "device (as checkpointed)"
    # Keras saves no SeedGenerator state: a loaded augmenter starts at its seed again,
    # and a resume moves it past the finished epochs' draws.
    from cnn_tui.core.runs.checkpoint import load_model

    model = load_model(resumed.run_dir / "model.keras")
    assert {int(state[1]) for state in _generator_states(model)} == {0}
    seeds = [int(state[0]) for state in _generator_states(model)]
    reseed_augmenter(model, 2)
    assert [int(state[0]) for state in _generator_states(model)] == seeds
    assert {int(state[1]) for state in _generator_states(model)} == {2 * RESUME_STRIDE}

    host = train(tmp_path / "host", mnist, epochs=2, stop_after=1, augment=EVERY_TRANSFORM,
                 augment_on=HOST, precision="float32")
    assert resume(host.run_dir, mnist).state == "finished"
    assert _config(host.run_dir)["compute"]["augment"] == "host (as checkpointed)"


JAX_SCRIPT = """
import json, sys, threading
from pathlib import Path
from cnn_tui.core.augment_config import parse_augment
from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.runner import run_training
from tests.tiny_runs import TINY_SPEC, load_tiny_mnist

data = load_tiny_mnist(200, n_val=100)
augment = parse_augment("rotation_range=10,shear_range=10,horizontal_flip=true")
out = {}
for where in ("host", "auto"):
    config = TrainConfig(dataset="t", model=TINY_SPEC, augment=augment, augment_on=where,
                         epochs=2, batch_size=50, seed=2, runs_dir=Path(sys.argv[1]))
    outcome = run_training(config, lambda event: None, threading.Event(), dataset=data)
    out[where] = {"state": outcome.state, "message": outcome.message,
                  "loss": outcome.history.get("loss") if outcome.history else None}
    if outcome.run_dir is not None and (outcome.run_dir / "config.json").exists():
        out[where]["compute"] = json.loads((outcome.run_dir / "config.json").read_text())[
            "compute"]
print(json.dumps(out))
"""


def test_jax_refuses_host_and_trains_with_device_augmentation(tmp_path: Path) -> None:
    env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": str(Path.cwd())}
    result = subprocess.run([sys.executable, "-c", JAX_SCRIPT, str(tmp_path)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["host"]["state"] == "failed"
    assert "--augment-on device or auto" in out["host"]["message"]
    assert out["auto"]["state"] == "finished", out["auto"]["message"]
    assert out["auto"]["compute"]["augment"] == "device (auto: jax has no tf.data pipeline)"
    assert len(out["auto"]["loss"]) == 2
