"""The checkpoint file: Keras's archive plus the run's state, written atomically."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cnn_tui.core.runs.checkpoint import (
    STATE_ENTRY,
    SaveFailed,
    load_model,
    read_state,
    save_model,
)

SPEC = {"layers": [{"type": "Conv2D", "filters": 2, "kernel_size": 3}, {"type": "Flatten"},
                   {"type": "Dense", "units": 3, "activation": "softmax"}]}


@pytest.fixture(scope="module")
def model():
    import keras
    import numpy as np

    from cnn_tui.core.keras_model import build_keras_model

    built = build_keras_model(SPEC, (8, 8, 1), 3)
    built.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    x = np.zeros((4, 8, 8, 1), "float32")
    built.fit(x, keras.utils.to_categorical([0, 1, 2, 0], 3), verbose=0)
    return built


def test_state_and_optimizer_come_back(model, tmp_path: Path) -> None:
    rows = [{"epoch": 1, "loss": 0.5}]
    save_model(model, tmp_path / "checkpoint.keras", {"epochs_done": 1, "history": rows})
    assert read_state(tmp_path / "checkpoint.keras")["history"] == rows
    loaded = load_model(tmp_path / "checkpoint.keras")
    assert int(loaded.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy())
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.keras"]  # no temporary left


def test_a_failed_save_keeps_the_previous_file(model, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "checkpoint.keras"
    save_model(model, path, {"epochs_done": 1, "history": [{"epoch": 1}]})
    before = path.read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model, "save", full_disk)
    with pytest.raises(SaveFailed, match="No space left on device.*--resume"):
        save_model(model, path, {"epochs_done": 2, "history": [{"epoch": 1}, {"epoch": 2}]})
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_damaged_or_stateless_file_has_no_state(model, tmp_path: Path) -> None:
    (tmp_path / "junk.keras").write_bytes(b"not a zip")
    assert read_state(tmp_path / "junk.keras") is None
    plain = tmp_path / "plain.keras"
    model.save(plain)
    assert read_state(plain) is None
    with zipfile.ZipFile(plain, "a") as archive:
        archive.writestr(STATE_ENTRY, '{"epochs_done": "two", "history": []}')
    assert read_state(plain) is None


def test_keras_reuses_its_attribute_sets_between_saves(model, tmp_path: Path) -> None:
    from keras.src.backend.common import global_state

    save_model(model, tmp_path / "a.keras", {"epochs_done": 0, "history": []})
    # The name Keras 3.15 reads its cache from now holds what it computed.
    for kind in ("Layer", "Sequential", "Optimizer"):
        assert global_state.get_global_attribute(f"saving_attr_skiplist_{kind}") is not None
