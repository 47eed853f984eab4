"""core/backend.py: the backend read as Keras reads it, and what JAX/torch refuse yet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cnn_tui.core.backend import check_backend_settings, configured_backend
from cnn_tui.core.errors import ConfigError


def _read_in_fresh_interpreter(environ: dict[str, str]) -> str:
    """configured_backend where Keras is not imported (this test process imports it)."""
    script = "from cnn_tui.core.backend import configured_backend; print(configured_backend())"
    env = {**environ, "PYTHONPATH": str(Path.cwd())}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=60, check=True)
    return result.stdout.strip()


def test_keras_backend_names_it_and_keras_json_is_the_fallback(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "KERAS_HOME")}
    base["KERAS_HOME"] = str(tmp_path)
    assert _read_in_fresh_interpreter(base) == "tensorflow"  # no keras.json
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "torch"}), encoding="utf-8")
    assert _read_in_fresh_interpreter(base) == "torch"
    assert _read_in_fresh_interpreter({**base, "KERAS_BACKEND": "jax"}) == "jax"
    (tmp_path / "keras.json").write_text("{not json", encoding="utf-8")
    assert _read_in_fresh_interpreter(base) == "tensorflow"


def test_reading_it_imports_no_keras() -> None:
    script = ("import sys; from cnn_tui.core.backend import configured_backend; "
              "configured_backend(); print('keras' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(Path.cwd()), "KERAS_BACKEND": "jax"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=60, check=True)
    assert result.stdout.strip() == "False"


def test_once_keras_is_imported_its_choice_wins() -> None:
    import keras

    assert configured_backend({"KERAS_BACKEND": "torch"}) == keras.backend.backend()


def test_tensorflow_takes_every_setting() -> None:
    check_backend_settings("tensorflow", cluster=True, augment=True)


@pytest.mark.parametrize(("cluster", "augment", "words"), [
    (True, False, "cluster run needs the tensorflow backend"),
    (False, True, "augmentation on the host"),
])
def test_jax_refuses_what_is_not_there_yet(cluster: bool, augment: bool, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        check_backend_settings("jax", cluster=cluster, augment=augment, augment_on="host")
    check_backend_settings("jax", cluster=False, augment=False)
    check_backend_settings("jax", cluster=False, augment=True, augment_on="device")


def test_an_unknown_backend_is_bad_input() -> None:
    with pytest.raises(ConfigError, match="KERAS_BACKEND=mlx"):
        check_backend_settings("mlx", cluster=False, augment=False)
