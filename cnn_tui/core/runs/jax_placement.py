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


def jax_device_lists(count: int) -> tuple[list[Any], list[Any]]:
    """``(GPUs, CPU devices)`` JAX sees, having asked for ``count`` CPU devices
    first (``placement.choose_devices`` picks among them)."""
    ask_for_cpu_devices(count)
    import jax

    gpus = [device for device in jax.devices() if device.platform == "gpu"]
    return gpus, list(jax.devices("cpu"))


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
