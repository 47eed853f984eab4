"""Mixed precision on a CPU: runs train, save and resume with their dtype policies.

mixed_bfloat16 is what ``precision mixed`` (and ``auto`` on a CPU with
bfloat16 units) gives on a CPU; mixed_float16, a GPU's, is forced here by
pretending the machine has a tensor-core GPU, to check Keras's loss scaling
through a checkpoint and our callbacks (TensorFlow computes float16 on a CPU
too, slowly).
"""

from __future__ import annotations

import importlib.metadata
import json
import math
from pathlib import Path
from typing import Any

import pytest

from cnn_tui.core.runs import compute
from cnn_tui.core.runs.checkpoint import load_model
from cnn_tui.core.runs.events import RunStarted
from cnn_tui.core.runs.history import read_history
from tests.tiny_runs import load_tiny_mnist, resume, train

CONV_SPEC = {"layers": [
    {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
    {"type": "MaxPooling2D", "pool_size": 2},
    {"type": "Flatten"},
    {"type": "Dense", "units": 10, "activation": "softmax"},
]}


_TENSORFLOW = f"TensorFlow {importlib.metadata.version('tensorflow')}"
"""The compute line's backend entry under the default backend."""


@pytest.fixture(scope="module")
def mnist_tiny() -> Any:
    return load_tiny_mnist()


def _policies(model: Any) -> list[str]:
    return [layer.dtype_policy.name for layer in model.layers]


def _started(events: list[Any]) -> RunStarted:
    return next(event for event in events if isinstance(event, RunStarted))


def test_the_softmax_output_is_float32_in_a_mixed_model() -> None:
    import numpy as np

    from cnn_tui.core.keras_model import build_keras_model

    model = build_keras_model(CONV_SPEC, (28, 28, 1), 10, policy="mixed_bfloat16")
    assert _policies(model) == ["mixed_bfloat16"] * 3 + ["float32"]
    assert model.layers[0].compute_dtype == "bfloat16"
    assert all(weight.dtype == "float32" for weight in model.weights)  # weights stay float32
    assert model.outputs[0].dtype == "float32"
    output = model(np.zeros((2, 28, 28, 1), np.float32), training=False)
    assert np.asarray(output).dtype == np.float32
    assert np.allclose(np.asarray(output).sum(axis=1), 1.0, atol=1e-5)
    plain = build_keras_model(CONV_SPEC, (28, 28, 1), 10)
    assert _policies(plain) == ["float32"] * 4


def test_a_mixed_bfloat16_run_trains_and_resumes(tmp_path: Path, mnist_tiny: Any) -> None:
    events: list[Any] = []
    first = train(tmp_path, mnist_tiny, model=CONV_SPEC, epochs=3, stop_after=1,
                  events=events, precision="mixed", jit="off", devices="cpu")
    assert first.state == "stopped" and first.epochs_done == 1
    one_cpu = "1 x 50 images (CPU:0)"  # the replicas line, first (placement.py)
    assert _started(events).compute == {"replicas": one_cpu, "precision": "mixed_bfloat16",
                                        "xla": "off", "backend": _TENSORFLOW}
    config = json.loads((first.run_dir / "config.json").read_text())
    assert config["options"]["precision"] == "mixed"
    assert config["compute"] == {"replicas": one_cpu, "precision": "mixed_bfloat16",
                                 "xla": "off", "backend": _TENSORFLOW}
    checkpoint = load_model(first.run_dir / "checkpoint.keras")
    assert _policies(checkpoint) == ["mixed_bfloat16"] * 3 + ["float32"]

    events = []
    done = resume(first.run_dir, mnist_tiny, events=events)
    assert done.state == "finished" and done.epochs_done == 3
    assert _started(events).compute["precision"] == "mixed_bfloat16 (as checkpointed)"
    history = read_history(done.run_dir)
    losses = history["loss"]
    assert len(losses) == 3 and all(math.isfinite(loss) for loss in losses)
    assert losses[-1] < losses[0]  # it learns: 3 epochs of 4 steps at a rate of 0.01
    assert done.test_metrics["accuracy"] > 0.3
    final = load_model(done.run_dir / "model.keras")
    assert _policies(final) == ["mixed_bfloat16"] * 3 + ["float32"]
    assert int(final.optimizer.iterations.numpy()) == 3 * 4


def test_mixed_float16_scales_the_loss_through_a_checkpoint(
        tmp_path: Path, mnist_tiny: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import keras

    monkeypatch.setattr(compute, "gpu_details", lambda: [{"compute_capability": (8, 0)}])
    events: list[Any] = []
    # A plateau wait: Keras's ReduceLROnPlateau reads and sets the wrapped rate.
    first = train(tmp_path, mnist_tiny, epochs=2, stop_after=1, events=events,
                  precision="auto", plateau_patience=1, monitor="loss")
    assert first.state == "stopped"
    assert _started(events).compute["precision"] == (
        "mixed_float16 (auto: GPU compute capability 8.0)")
    checkpoint = load_model(first.run_dir / "checkpoint.keras")
    assert isinstance(checkpoint.optimizer, keras.optimizers.LossScaleOptimizer)
    assert _policies(checkpoint) == ["mixed_float16", "float32"]  # Flatten, Dense(softmax)

    done = resume(first.run_dir, mnist_tiny)
    assert done.state == "finished" and done.epochs_done == 2
    history = read_history(done.run_dir)
    assert history["learning_rate"][0] == pytest.approx(0.01)
    assert all(math.isfinite(loss) for loss in history["loss"])
    final = load_model(done.run_dir / "model.keras")
    assert isinstance(final.optimizer, keras.optimizers.LossScaleOptimizer)
    assert int(final.optimizer.iterations.numpy()) == 2 * 4


def test_jit_on_compiles_with_xla_and_a_resume_follows_the_setting(
        tmp_path: Path, mnist_tiny: Any) -> None:
    events: list[Any] = []
    first = train(tmp_path, mnist_tiny, epochs=1, events=events, precision="float32", jit="on",
                  devices="cpu")
    assert first.state == "finished"
    assert _started(events).compute == {"replicas": "1 x 50 images (CPU:0)",
                                        "precision": "float32", "xla": "on",
                                        "backend": _TENSORFLOW}
    model = load_model(first.run_dir / "model.keras")
    assert model.jit_compile is True
    compute.apply_jit(model, "auto")  # Keras's rule on this CPU-only machine
    assert model.jit_compile is False
    assert compute.jit_shown(model, "auto") == "off (auto: CPU only)"
