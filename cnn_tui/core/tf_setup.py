"""Import TensorFlow once, on demand, and prepare its devices.

Everything in the core that needs TensorFlow calls ``import_tensorflow()``
inside a function, so that importing the core (and ``cnn-tui --help``) stays
instant. GPUs are never hidden: on a machine with NVIDIA GPUs the same code
trains on them, with memory growth switched on so TensorFlow does not take
all GPU memory at start-up.
"""

from __future__ import annotations

import contextlib
import threading
from types import ModuleType

_lock = threading.Lock()
_devices: list[str] | None = None


def import_tensorflow() -> ModuleType:
    """``tensorflow``, imported and set up on the first call (thread-safe)."""
    global _devices
    with _lock:
        import tensorflow as tf

        if _devices is None:
            _devices = _prepare_devices(tf)
            from cnn_tui.core.native_log import route_python_logging

            route_python_logging()
    module: ModuleType = tf
    return module


def start_runtime(cpu_devices: int = 1) -> list[str]:
    """Import TensorFlow and start its runtime now; the device names, GPUs first.

    Starting the runtime creates TensorFlow's thread pools, which keep the
    priority of the thread that starts them (the TUI starts them in a thread of
    lower priority than its own, so that keys come first while a run trains).
    ``cpu_devices``: split the CPU into that many logical devices first
    (``--devices cpu:N``); it cannot change once the runtime has started.
    """
    tf = import_tensorflow()
    if cpu_devices > 1:
        split_cpu(cpu_devices)
    tf.config.list_logical_devices()
    return list(_devices or [])


def split_cpu(count: int) -> int:
    """Split the CPU into ``count`` logical devices unless the runtime has started;
    the number of logical CPU devices the runtime has (or will have).

    TensorFlow fixes its logical devices when its runtime starts: after that
    the split it started with stays, and the caller compares the count.
    """
    tf = import_tensorflow()
    with _lock:
        cpu = tf.config.list_physical_devices("CPU")[0]
        configured = tf.config.get_logical_device_configuration(cpu)
        have = len(configured) if configured else 1
        if have >= count:
            return have  # more is fine: a run uses the first ``count``
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)])
        except RuntimeError:  # "Virtual devices cannot be modified after being initialized"
            return len(tf.config.list_logical_devices("CPU"))
        return count


def _prepare_devices(tf: ModuleType) -> list[str]:
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        # RuntimeError: the GPU was initialised already (memory growth must be
        # set before first use); train anyway.
        with contextlib.suppress(RuntimeError):
            tf.config.experimental.set_memory_growth(gpu, True)
    cpus = tf.config.list_physical_devices("CPU")
    return [f"{device.device_type}:{device.name}" for device in [*gpus, *cpus]]


def device_names() -> list[str]:
    """The physical devices TensorFlow sees, GPUs first (imports TensorFlow)."""
    import_tensorflow()
    return list(_devices or [])
