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


def test_jax_gpus_give_precision_auto_their_compute_capability(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What JAX reports of a GPU (``device_kind``, ``compute_capability`` "9.0") reaches
    precision auto as TensorFlow's details do (a stand-in module: no GPU here)."""
    from types import SimpleNamespace

    from cnn_tui.core.backend import backend_gpu_details, capability_from_text
    from cnn_tui.core.precision import choose_precision

    devices = [SimpleNamespace(platform="gpu", device_kind="NVIDIA H200",
                               compute_capability="9.0"),
               SimpleNamespace(platform="gpu", device_kind="Tesla P100",
                               compute_capability="6.0"),
               SimpleNamespace(platform="cpu", device_kind="cpu")]
    monkeypatch.setitem(sys.modules, "jax", SimpleNamespace(devices=lambda: devices))
    details = backend_gpu_details("jax")
    assert details == [{"device_name": "NVIDIA H200", "compute_capability": (9, 0)},
                       {"device_name": "Tesla P100", "compute_capability": (6, 0)}]
    assert choose_precision("auto", details[:1], "").shown() == (
        "mixed_float16 (auto: GPU compute capability 9.0)")
    assert choose_precision("auto", details, "").value == "float32"  # the P100 has none
    assert capability_from_text("") is None and capability_from_text("8.x") is None


def test_the_backend_flag_picks_it_for_the_whole_command(shared_data: Path,
                                                          tmp_path: Path) -> None:
    pytest.importorskip("jax", reason="JAX is not installed: pip install 'cnn-tui[jax]'")
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env["PYTHONPATH"] = str(Path.cwd())
    command = [sys.executable, "-m", "cnn_tui", "train", "--backend", "jax", "--dataset",
               str(shared_data / "mnist"), "--model", "seed-mlp", "--limit", "300",
               "--epochs", "1", "--runs-dir", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    run_dir = Path(result.stdout.strip().splitlines()[-1])
    config = json.loads((run_dir / "config.json").read_text())
    assert config["versions"]["backend"] == "jax" and "tensorflow" not in config["versions"]
    assert config["compute"]["backend"].startswith("JAX ")
    assert (run_dir / "jax.log").is_file()


def test_a_backend_that_is_not_installed_is_named_with_its_install_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from cnn_tui.core.backend import check_installed

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real(name, *a))
    with pytest.raises(ConfigError, match=r"the torch backend is not installed here; install "
                       r"it with pip install 'cnn-tui\[torch\]'"):
        check_installed("torch")
    check_installed("tensorflow")


def test_in_a_process_where_keras_runs_another_backend_the_flag_is_refused(capsys) -> None:
    import keras

    from cnn_tui.cli import main

    other = "jax" if keras.backend.backend() != "jax" else "tensorflow"
    assert main(["train", "--backend", other, "--epochs", "1"]) == 2
    assert f"--backend {other}: Keras already runs on" in capsys.readouterr().err


def test_while_another_thread_imports_keras_the_settings_answer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's UI thread asks for the backend's name while its loader thread imports
    Keras: a partly imported ``keras`` has no ``backend`` yet (seen: the app crashed)."""
    from types import ModuleType

    monkeypatch.setitem(sys.modules, "keras", ModuleType("keras"))
    assert configured_backend({"KERAS_BACKEND": "jax"}) == "jax"
