"""Which Keras backend a run trains with, its devices, and what it cannot do yet.

Keras picks its backend once, when it is first imported, from
``KERAS_BACKEND`` or ``~/.keras/keras.json`` (default ``tensorflow``).
``configured_backend`` reads the same places *without* importing Keras, so
that ``prepare_run`` can refuse settings a backend cannot train with before
anything heavy starts (importing Keras under TensorFlow imports TensorFlow,
which must not happen before a cluster is joined).

With TensorFlow, everything stays as it was (tf.data, tf.distribute). With
JAX or torch a run trains on the backend's default device with the
PyDataset pipeline of ``batches.py`` and augment on the device
(``augment_place.py``); clusters, several devices and augmentation on the
host are refused with a ConfigError until they exist (issue 10).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from cnn_tui.core.errors import ConfigError

TENSORFLOW = "tensorflow"
BACKENDS = (TENSORFLOW, "jax", "torch")
BACKEND_NAMES = {TENSORFLOW: "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
"""How the app and the CLI name each backend."""


def configured_backend(environ: dict[str, str] | None = None) -> str:
    """The backend Keras uses (or will use once imported) in this process."""
    keras = sys.modules.get("keras")
    if keras is not None:  # imported already (its choice is made), or being imported
        try:
            return str(keras.backend.backend())
        except AttributeError:  # another thread is importing it: it reads what follows
            pass
    environ = dict(os.environ) if environ is None else environ
    name = environ.get("KERAS_BACKEND")
    if name:
        return name
    # Keras's own fallback: keras.json under KERAS_HOME, else ~/.keras.
    home = Path(environ.get("KERAS_HOME") or Path.home() / ".keras")
    try:
        config = json.loads((home / "keras.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return TENSORFLOW
    name = config.get("backend") if isinstance(config, dict) else None
    return name if isinstance(name, str) and name else TENSORFLOW


def is_tensorflow(environ: dict[str, str] | None = None) -> bool:
    return configured_backend(environ) == TENSORFLOW


def backend_name(backend: str | None = None) -> str:
    """``TensorFlow``, ``JAX``, ``PyTorch``: the configured backend as people name it."""
    backend = backend or configured_backend()
    return BACKEND_NAMES.get(backend, backend)


_FLAG = "--xla_force_host_platform_device_count"


def ask_for_cpu_devices(count: int) -> None:
    """Have XLA split the host into ``count`` devices, if JAX has not started yet
    (afterwards ``runs/jax_placement.py`` compares what it got)."""
    if count <= 1 or "jax" in sys.modules:
        return
    flags = os.environ.get("XLA_FLAGS", "")
    if _FLAG not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} {_FLAG}={count}".strip()


def start_keras(cpu_devices: int = 1) -> tuple[str, list[str]]:
    """Import Keras and start its backend now: ``(backend, devices)``, GPUs first.

    Under TensorFlow its runtime starts (``tf_setup.start_runtime``, which also
    splits the CPU into ``cpu_devices``); other backends list their devices and
    never import TensorFlow, which on a GPU box would hold memory the backend needs.
    """
    backend = configured_backend()
    if backend == TENSORFLOW:
        from cnn_tui.core.tf_setup import start_runtime

        names = start_runtime(cpu_devices)
    else:
        if backend == "jax":
            ask_for_cpu_devices(cpu_devices)
        names = backend_devices(backend)
    import keras  # noqa: F401 - imported now so that the first run does not wait for it

    return backend, names


def ready_backend() -> None:
    """Before Keras makes a model: TensorFlow's devices set up (GPU memory growth,
    its loggers routed) under TensorFlow; nothing under the others."""
    if configured_backend() == TENSORFLOW:
        from cnn_tui.core.tf_setup import import_tensorflow

        import_tensorflow()


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and Keras's random numbers (and TensorFlow's or torch's).

    Keras's ``set_random_seed`` imports TensorFlow whenever it is installed, to
    seed tf.data; a JAX run has no tf.data, so it seeds what that function seeds
    but TensorFlow, through the same Keras state.
    """
    import keras

    if keras.backend.backend() != "jax":
        keras.utils.set_random_seed(seed)
        return
    import random

    import numpy as np

    try:  # Keras-internal names (3.x); if they move, seed the documented way
        from keras.src.backend.common import global_state
        from keras.src.random import seed_generator
        from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED
    except ImportError:
        keras.utils.set_random_seed(seed)
        return
    global_state.set_global_attribute(GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)


def check_installed(backend: str) -> None:
    """ConfigError unless ``backend`` is one cnn-tui trains with and is installed."""
    import importlib.util

    if backend not in BACKENDS:
        raise ConfigError(f"KERAS_BACKEND={backend} is not one cnn-tui trains with; use "
                          f"{', '.join(BACKENDS)}.")
    if importlib.util.find_spec(backend) is None:
        extra = "tensorflow" if backend == TENSORFLOW else f"'cnn-tui[{backend}]'"
        raise ConfigError(f"the {backend} backend is not installed here; install it with "
                          f"pip install {extra}, or choose another with --backend.")


def check_backend_settings(backend: str, *, cluster: bool, augment: bool,
                           augment_on: str = "auto") -> None:
    """ConfigError for what ``backend`` cannot train with yet (TensorFlow: nothing)."""
    if backend == TENSORFLOW:
        return
    check_installed(backend)
    if cluster:
        raise ConfigError(f"a cluster run needs the tensorflow backend (tf.distribute); "
                          f"this process uses {backend}: unset KERAS_BACKEND.")
    if augment:
        from cnn_tui.core.augment_place import check_augment_on

        check_augment_on(augment_on, backend)


def backend_devices(backend: str) -> list[str]:
    """The devices ``backend`` sees, accelerators first: ``GPU:0``, ``CPU:0``
    (imports the backend's library)."""
    if backend == "jax":
        import jax

        return [f"{device.platform.upper()}:{device.id}" for device in jax.devices()]
    if backend == "torch":
        import torch

        gpus = [f"GPU:{i}" for i in range(torch.cuda.device_count())]
        return [*gpus, "CPU:0"]
    raise ValueError(f"not a non-TensorFlow backend: {backend}")


def backend_gpu_details(backend: str) -> list[dict[str, object]]:
    """Each GPU's name and compute capability as JAX or torch reports them, in the
    shape of TensorFlow's device details (``precision.compute_capability`` reads it)."""
    details: list[dict[str, object]] = []
    if backend == "jax":
        import jax

        for device in jax.devices():
            if device.platform == "gpu":
                capability = capability_from_text(getattr(device, "compute_capability", ""))
                details.append({"device_name": str(device.device_kind),
                                **({"compute_capability": capability} if capability else {})})
    elif backend == "torch":
        import torch

        for index in range(torch.cuda.device_count()):
            details.append({"device_name": torch.cuda.get_device_name(index),
                            "compute_capability": tuple(
                                torch.cuda.get_device_capability(index))})
    return details


def capability_from_text(text: object) -> tuple[int, int] | None:
    """``"9.0"`` (JAX's form) as ``(9, 0)``; None for anything else."""
    major, dot, minor = str(text).partition(".")
    if not (dot and major.isdigit() and minor.isdigit()):
        return None
    return (int(major), int(minor))


def backend_version(backend: str) -> str:
    """The version of ``backend``'s library (imports it)."""
    module = __import__(backend)
    return str(getattr(module, "__version__", "unknown"))


class DefaultDevice:
    """Stands in for a tf.distribute strategy: the model is made where the
    backend puts it by itself (``build.py`` calls ``scope()``)."""

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        yield


def backend_device(backend: str, devices: str) -> str:
    """The one device a torch run trains on: the backend's default. ``auto`` takes
    it; ``cpu`` only where it is the CPU; other settings are refused (ConfigError).
    (JAX runs take any devices: ``runs/jax_placement.py``.)"""
    default = backend_devices(backend)[0]
    if devices == "cpu" and not default.startswith("CPU"):
        raise ConfigError(f"devices cpu with the {backend} backend is not there yet (its "
                          f"default device is {default}); use devices auto.")
    if devices not in ("auto", "cpu"):
        raise ConfigError(f"devices {devices} with the {backend} backend is not there yet: "
                          "it trains on one device; use devices auto.")
    return default
