"""What a run computes in: the float precision and XLA, chosen from the settings and the hardware.

Pure Python, no TensorFlow: the hardware comes in as plain data (the text of
``/proc/cpuinfo``, ``tf.config.experimental.get_device_details`` of each GPU),
so ``auto``'s choice can be tested for any machine. ``runs/compute.py`` reads
the hardware and applies the choice to the model.

``precision auto`` picks mixed precision only where the hardware does it
fast, because elsewhere it is slower than float32: GPUs with tensor cores
(compute capability 7.0 or more: Volta and later) get ``mixed_float16``,
CPUs with bfloat16 units (AMX, or AVX-512 BF16) get ``mixed_bfloat16``
(1.86x float32's speed for seed-cnn on MNIST on a Xeon with AVX-512 BF16,
the same accuracy), anything else float32.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FLOAT32 = "float32"
MIXED_FLOAT16 = "mixed_float16"
MIXED_BFLOAT16 = "mixed_bfloat16"
TENSOR_CORES = (7, 0)
"""The first compute capability with tensor cores (Volta)."""
CPU_BF16_FLAGS = (("amx_bf16", "AMX"), ("avx512_bf16", "AVX-512 BF16"))
"""``/proc/cpuinfo`` flags of CPUs that compute in bfloat16 natively, and their names."""


@dataclass(frozen=True)
class Choice:
    """A resolved setting: the value used and, for ``auto``, why (for the compute line)."""

    value: str
    reason: str = ""

    def shown(self) -> str:
        """The compute line's text: ``mixed_bfloat16 (auto: CPU has AVX-512 BF16)``."""
        return f"{self.value} ({self.reason})" if self.reason else self.value


def cpu_bf16_unit(cpuinfo: str) -> str:
    """The name of the CPU's bfloat16 unit (``AMX``, ``AVX-512 BF16``), or "" when it has none.

    ``cpuinfo``: the text of ``/proc/cpuinfo``; only its ``flags`` lines count
    (a model name mentioning a flag must not).
    """
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            flags.update(value.split())
    for flag, name in CPU_BF16_FLAGS:
        if flag in flags:
            return name
    return ""


def compute_capability(details: Mapping[str, Any]) -> tuple[int, int] | None:
    """A GPU's compute capability from its device details, or None when they do not say."""
    value = details.get("compute_capability")
    if (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        return (value[0], value[1])
    return None


def choose_precision(setting: str, gpus: Sequence[Mapping[str, Any]], cpuinfo: str) -> Choice:
    """The dtype policy for ``setting`` (auto, float32, mixed) on this hardware.

    ``gpus``: the device details of each GPU TensorFlow sees (empty: CPU only).
    A run on GPUs computes where they are, so only their capability counts then.
    """
    if setting == FLOAT32:
        return Choice(FLOAT32)
    if setting == "mixed":
        return Choice(MIXED_FLOAT16 if gpus else MIXED_BFLOAT16)
    if gpus:
        capabilities = [compute_capability(gpu) for gpu in gpus]
        known = [c for c in capabilities if c is not None]
        if len(known) == len(capabilities) and min(known) >= TENSOR_CORES:
            return Choice(MIXED_FLOAT16, f"auto: GPU compute capability {_cc(min(known))}")
        if len(known) < len(capabilities):
            return Choice(FLOAT32, "auto: GPU compute capability unknown")
        return Choice(FLOAT32, f"auto: GPU compute capability {_cc(min(known))} < 7.0")
    unit = cpu_bf16_unit(cpuinfo)
    if unit:
        return Choice(MIXED_BFLOAT16, f"auto: CPU has {unit}")
    return Choice(FLOAT32, "auto: CPU has no bfloat16 units")


def choose_jit(setting: str, has_gpu: bool, distributed: bool = False) -> Choice:
    """XLA on or off for ``setting`` (auto, on, off), by Keras's own rule for auto.

    Keras's ``compile(jit_compile="auto")`` compiles with XLA on a GPU, and
    not on a CPU-only machine (measured here at a fraction of the speed) nor
    under tf.distribute. ``runs/compute.py`` asks Keras itself when it can;
    this is the same rule without a model, for the hardware alone.
    """
    if setting in ("on", "off"):
        return Choice(setting)
    if not has_gpu:
        return Choice("off", "auto: CPU only")
    if distributed:
        return Choice("off", "auto: tf.distribute")
    return Choice("on", "auto: GPU")


def _cc(capability: tuple[int, int]) -> str:
    return f"{capability[0]}.{capability[1]}"
