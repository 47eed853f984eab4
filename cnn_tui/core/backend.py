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


def configured_backend(environ: dict[str, str] | None = None) -> str:
    """The backend Keras uses (or will use once imported) in this process."""
    keras = sys.modules.get("keras")
    if keras is not None:  # imported already: its choice is made
        return str(keras.backend.backend())
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


def check_backend_settings(backend: str, *, cluster: bool, augment: bool,
                           augment_on: str = "auto") -> None:
    """ConfigError for what ``backend`` cannot train with yet (TensorFlow: nothing)."""
    if backend == TENSORFLOW:
        return
    if backend not in BACKENDS:
        raise ConfigError(f"KERAS_BACKEND={backend} is not one cnn-tui trains with; use "
                          f"{', '.join(BACKENDS)}.")
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
    """The one device a JAX/torch run trains on: the backend's default. ``auto`` takes
    it; ``cpu`` only where it is the CPU; other settings are refused (ConfigError)."""
    default = backend_devices(backend)[0]
    if devices == "cpu" and not default.startswith("CPU"):
        raise ConfigError(f"devices cpu with the {backend} backend is not there yet (its "
                          f"default device is {default}); use devices auto.")
    if devices not in ("auto", "cpu"):
        raise ConfigError(f"devices {devices} with the {backend} backend is not there yet: "
                          "it trains on one device; use devices auto.")
    return default
