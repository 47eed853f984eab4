"""Precision and XLA applied to a run's model: the hardware read, the choice made and kept.

``precision.py`` decides from plain data; this module reads the hardware
(TensorFlow's GPU details, ``/proc/cpuinfo``) and applies the decision
without process-global state (the TUI runs several runs in turn, and
threads): the layers get their dtype policy when they are built, the last
(softmax) layer float32, rather than ``keras.mixed_precision.set_global_policy``.
Keras's ``compile`` wraps the optimizer in a ``LossScaleOptimizer`` only when
the *model's* policy is ``mixed_float16``, and a Sequential keeps the global
float32 one, so ``loss_scaled`` wraps it here. A checkpoint keeps each layer's
policy and the wrapped optimizer, so a resume computes as the run began.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cnn_tui.core.precision import (
    FLOAT32,
    MIXED_FLOAT16,
    Choice,
    choose_jit,
    choose_precision,
)

CPUINFO = Path("/proc/cpuinfo")


def read_cpuinfo(path: Path = CPUINFO) -> str:
    """The text of ``/proc/cpuinfo``; "" where there is none (macOS, Windows): no bfloat16 seen."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def gpu_details() -> list[dict[str, Any]]:
    """Each GPU's device details (name, compute capability) from the run's backend.

    Under TensorFlow, TensorFlow's; under JAX or torch, theirs: importing
    TensorFlow there would take GPU memory from them.
    """
    from cnn_tui.core.backend import backend_gpu_details, configured_backend, is_tensorflow
    from cnn_tui.core.tf_setup import import_tensorflow

    if not is_tensorflow():
        return backend_gpu_details(configured_backend())

    tf = import_tensorflow()
    details = []
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            details.append(dict(tf.config.experimental.get_device_details(gpu)))
        except (RuntimeError, ValueError):  # no details: auto counts it as unknown
            details.append({})
    return details


def resolve_precision(setting: str) -> Choice:
    """The dtype policy ``setting`` means on this machine (imports TensorFlow)."""
    return choose_precision(setting, gpu_details(), read_cpuinfo())


def loss_scaled(optimizer: Any, policy: str) -> Any:
    """``optimizer``, wrapped in Keras's dynamic loss scaling when the layers compute in float16.

    bfloat16 has float32's exponent range, so its gradients do not underflow
    and Keras does not scale them either.
    """
    if policy != MIXED_FLOAT16:
        return optimizer
    import keras

    return keras.optimizers.LossScaleOptimizer(optimizer)


def jit_argument(setting: str) -> bool | str:
    """What ``model.compile(jit_compile=...)`` gets for the ``jit`` setting."""
    return {"on": True, "off": False}.get(setting, "auto")


def apply_jit(model: Any, setting: str) -> None:
    """Set a loaded model's XLA by ``setting``; it was compiled with the saving machine's.

    ``auto`` asks Keras's own rule for this model here (``compile``'s
    ``jit_compile="auto"``), so a run begun on a GPU and resumed on a CPU
    stops compiling with XLA.
    """
    argument = jit_argument(setting)
    if argument == "auto":
        resolve = getattr(model, "_resolve_auto_jit_compile", None)
        argument = bool(resolve()) if resolve is not None else (
            choose_jit("auto", bool(gpu_details())).value == "on")
    model.jit_compile = argument


def jit_shown(model: Any, setting: str) -> str:
    """The compute line's ``xla`` text for a compiled model: ``off (auto: CPU only)``."""
    from cnn_tui.core.backend import configured_backend

    value = "on" if model.jit_compile else "off"
    from cnn_tui.core.augment_place import augmenter_blocks_jit

    if value == "off" and setting != "off" and augmenter_blocks_jit(model):
        return Choice(value, f"{setting}: Keras does not compile augmentation layers").shown()
    if setting != "auto":
        return value
    if configured_backend() == "jax" and model.jit_compile:
        return Choice(value, "auto: JAX compiles every step").shown()
    rule = choose_jit("auto", bool(gpu_details()),
                      distributed=getattr(model, "_distribute_strategy", None) is not None)
    return Choice(value, rule.reason if rule.value == value else "auto").shown()


def model_policy(model: Any) -> str:
    """The mixed policy a model's layers compute in, or float32 when none does."""
    for layer in model.layers:
        name = getattr(getattr(layer, "dtype_policy", None), "name", FLOAT32)
        if name != FLOAT32:
            return str(name)
    return FLOAT32
