"""Where a JAX run computes: the ``devices`` setting as a Keras distribution.

The same setting as TensorFlow's (``placement.py``), resolved against the
devices JAX sees. More than one device trains under Keras's
``DataParallel``: the weights are replicated on every device, each batch is
split between them along its first axis, and JAX's compiler sums the
gradients; the run enters the distribution's ``scope()`` to build and to fit
(Keras keeps it per thread). One device that JAX uses by itself (the first
GPU, else the CPU) needs nothing. Another single device (the CPU on a GPU
box, a second GPU) is a one-device ``DataParallel``, which places the model
there.

``cpu:N``: XLA makes N host devices only when asked before JAX starts
(``XLA_FLAGS=--xla_force_host_platform_device_count=N``), as TensorFlow's
split must come before its runtime starts; ``backend.ask_for_cpu_devices``
sets it.
"""

from __future__ import annotations

from typing import Any

from cnn_tui.core.backend import ask_for_cpu_devices
from cnn_tui.core.errors import ConfigError


def jax_devices(devices: str, count: int, wanted: list[int] | None) -> list[Any]:
    """The JAX devices ``devices`` (canonical; ``count`` its CPU split, ``wanted`` its
    GPU indices) names here; ConfigError for devices that do not exist."""
    ask_for_cpu_devices(count)
    import jax

    gpus = [device for device in jax.devices() if device.platform == "gpu"]
    cpus = jax.devices("cpu")
    if devices == "auto":
        return gpus or cpus[:1]
    if wanted is not None:
        missing = [i for i in wanted if i >= len(gpus)]
        if missing:
            have = (f"GPUs 0-{len(gpus) - 1}" if len(gpus) > 1 else
                    "GPU 0 only" if gpus else "no GPU")
            raise ConfigError(f"devices {devices} names GPU {missing[0]}, but JAX sees "
                              f"{have} here; use auto, cpu, or the GPUs that exist.")
        return [gpus[i] for i in wanted]
    if len(cpus) < count:
        raise ConfigError(
            f"devices {devices} needs the CPU split into {count} devices before JAX "
            f"starts, but it started with {len(cpus)}; start again with --devices "
            f"{devices} (cnn-tui train or the app).")
    return cpus[:count]


def jax_strategy(chosen: list[Any]) -> tuple[str, Any]:
    """``(kind, what the model is made and fitted in the scope of)`` for ``chosen``."""
    import jax

    from cnn_tui.core.backend import DefaultDevice

    if len(chosen) == 1 and chosen[0] == jax.devices()[0]:
        return "default", DefaultDevice()
    import keras

    distribution = keras.distribution.DataParallel(
        devices=[f"{device.platform}:{device.id}" for device in chosen])
    return ("data-parallel" if len(chosen) > 1 else "one-device"), distribution


def short_name(device: Any) -> str:
    """``CPU:0``, ``GPU:1``: as the compute line and config.json name devices."""
    return f"{device.platform.upper()}:{device.id}"
