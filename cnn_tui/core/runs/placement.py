"""Where a run computes: the ``devices`` setting, read and turned into a strategy.

The setting (its grammar is pure, checked without TensorFlow):

* ``auto``: every visible GPU, else the CPU;
* ``cpu``: the CPU alone, even where GPUs exist;
* ``cpu:N``: the CPU split into N logical devices, one replica each, so that
  a machine without GPUs can run (and the tests can check) the mirrored path;
* GPU indices, ``0,1``, ``gpu:0,1`` or a range ``gpu:0-3``.

``place`` resolves the setting against the devices TensorFlow sees: more
than one device trains under ``tf.distribute.MirroredStrategy`` (one replica
per device, gradients summed across them every step); one device uses the
default strategy, with no overhead, unless it is not the device TensorFlow
picks by itself (the CPU on a GPU box, or a second GPU), which
``OneDeviceStrategy`` pins the run to. ``batch_size`` stays the global batch:
every step takes that many images and splits them between the replicas, so
it must be a multiple of their number (``check_batch_split``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from cnn_tui.core.errors import ConfigError

MAX_DEVICES = 64
"""The most devices (GPU index + 1, or CPU splits) the setting names: more is a typo."""

DEVICES_EXPECTED = ("auto, cpu, cpu:N (the CPU split into N devices), or GPU indices "
                    "such as 0,1, gpu:0,1 or gpu:0-3")

T = TypeVar("T")

_CPU_SPLIT = re.compile(r"cpu:(\d{1,3})")
_INDEX = re.compile(r"(\d{1,3})(?:-(\d{1,3}))?")


def parse_devices(text: str) -> str:
    """The setting's canonical form of ``text`` (``cpu:1`` -> ``cpu``, ``0,1`` ->
    ``gpu:0,1``); ConfigError naming what it must be."""
    given = text
    text = text.strip().lower().replace(" ", "")
    if text in ("auto", "cpu"):
        return text
    split = _CPU_SPLIT.fullmatch(text)
    if split:
        count = int(split.group(1))
        if not 1 <= count <= MAX_DEVICES:
            raise ConfigError(f"devices cpu:N splits the CPU into N devices, N from 1 to "
                              f"{MAX_DEVICES}; got {given!r}.")
        return "cpu" if count == 1 else f"cpu:{count}"
    indices = _gpu_indices(text.removeprefix("gpu:"))
    if indices is None:
        raise ConfigError(f"devices must be {DEVICES_EXPECTED}; got {given!r}.")
    return "gpu:" + ",".join(str(i) for i in indices)


def _gpu_indices(text: str) -> list[int] | None:
    """``0,1`` or ``0-3`` as a list of distinct indices in their order; None if unreadable."""
    indices: list[int] = []
    for part in text.split(","):
        match = _INDEX.fullmatch(part)
        if match is None:
            return None
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        if last < first or last >= MAX_DEVICES:
            return None
        indices.extend(range(first, last + 1))
    if len(set(indices)) != len(indices):
        return None  # 0,0 would put two replicas on one GPU: a typo, not a plan
    return indices


def cpu_split(devices: str) -> int:
    """How many logical CPU devices ``devices`` (canonical) needs: N for ``cpu:N``, else 1."""
    match = _CPU_SPLIT.fullmatch(devices)
    return int(match.group(1)) if match else 1


def named_replicas(devices: str) -> int | None:
    """The replicas ``devices`` (canonical) trains with when that is known without
    TensorFlow: None for ``auto``, which depends on the machine."""
    indices = gpu_indices(devices)
    if indices is not None:
        return len(indices)
    return None if devices == "auto" else cpu_split(devices)


def check_batch_split(batch_size: int, replicas: int, devices: str) -> None:
    """ConfigError unless a batch of ``batch_size`` splits evenly between ``replicas``.

    Keras 3.15's ``fit`` under a strategy averages the first batch's
    per-replica parts element-wise to learn the input shapes, which fails when
    the parts differ in size; later batches (the last, short one) may be uneven.
    """
    if batch_size % replicas:
        lower = batch_size - batch_size % replicas
        higher = lower + replicas
        example = f"{lower} or {higher}" if lower else str(higher)
        raise ConfigError(
            f"batch size {batch_size} does not split evenly between the {replicas} replicas "
            f"of devices {devices}; use a multiple of {replicas} (e.g. {example}).")


def gpu_indices(devices: str) -> list[int] | None:
    """The GPU indices ``devices`` (canonical) names, or None when it names none."""
    if not devices.startswith("gpu:"):
        return None
    return _gpu_indices(devices.removeprefix("gpu:"))


@dataclass(frozen=True)
class Placement:
    """The strategy a run trains under and what it means for its batches."""

    setting: str
    strategy: Any
    """A ``tf.distribute.Strategy`` (under JAX a Keras distribution); its ``scope()`` is
    where the model is made."""
    kind: str
    """default, one-device, mirrored (TensorFlow) or data-parallel (JAX)."""
    devices: tuple[str, ...]
    """Short device names, one per replica: ``GPU:0``, ``CPU:1``."""
    batch_size: int
    """The global batch: images per step across all replicas."""

    @property
    def replicas(self) -> int:
        return len(self.devices)

    @property
    def per_replica_batch(self) -> int:
        """One replica's share of every full batch (the global batch splits evenly)."""
        return self.batch_size // self.replicas

    def describe(self) -> str:
        """The Train tab's ``replicas`` value: ``2 x 128 images (CPU:0, CPU:1)``."""
        return f"{self.replicas} x {self.per_replica_batch} images ({device_list(self.devices)})"

    def check_first_batches(self, n_train: int, n_val: int) -> None:
        """ConfigError when a split smaller than one batch does not split evenly: its
        first (only) batch is what Keras averages between the replicas."""
        for count, what in ((n_train, "training"), (n_val, "validation")):
            if 0 < count < self.batch_size and count % self.replicas:
                raise ConfigError(
                    f"the {count} {what} images are fewer than one batch and do not split "
                    f"evenly between the {self.replicas} replicas of devices {self.setting}; "
                    f"use a multiple of {self.replicas} images or a smaller batch size.")

    def record(self) -> dict[str, Any]:
        """What config.json keeps of it."""
        return {"devices_setting": self.setting, "strategy": self.kind,
                "replicas": self.replicas, "replica_devices": list(self.devices),
                "per_replica_batch": self.per_replica_batch}


def device_list(devices: tuple[str, ...]) -> str:
    """``CPU:0, CPU:1``; a long run of one kind as ``GPU:0-7`` (the line must stay short)."""
    kinds = {name.split(":")[0] for name in devices}
    numbers = [int(name.split(":")[1]) for name in devices]
    contiguous = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    if len(devices) > 3 and len(kinds) == 1 and contiguous:
        return f"{kinds.pop()}:{numbers[0]}-{numbers[-1]}"
    return ", ".join(devices)


def choose_devices(devices: str, gpus: Sequence[T], cpus: Sequence[T], runtime: str
                   ) -> list[T]:
    """What ``devices`` (canonical) names among the ``gpus`` and the CPU devices
    ``cpus`` that ``runtime`` (TensorFlow, JAX) has; ConfigError for ones it lacks."""
    wanted = gpu_indices(devices)
    if devices == "auto":
        return list(gpus) or list(cpus[:1])
    if wanted is not None:
        missing = [i for i in wanted if i >= len(gpus)]
        if missing:
            have = (f"GPUs 0-{len(gpus) - 1}" if len(gpus) > 1 else
                    "GPU 0 only" if gpus else "no GPU")
            raise ConfigError(f"devices {devices} names GPU {missing[0]}, but {runtime} "
                              f"sees {have} here; use auto, cpu, or the GPUs that exist.")
        return [gpus[i] for i in wanted]
    count = cpu_split(devices)
    if len(cpus) < count:
        raise ConfigError(
            f"devices {devices} needs the CPU split into {count} devices before "
            f"{runtime} starts, but it started with {len(cpus)}; start again with "
            f"--devices {devices} (cnn-tui train or the app).")
    return list(cpus[:count])


def place(devices: str, batch_size: int) -> Placement:
    """Resolve ``devices`` (canonical) on this machine (imports TensorFlow).

    Raises ConfigError when it names devices that do not exist, when the CPU
    cannot be split any more (TensorFlow started with fewer CPU devices), or
    when the global batch is smaller than the replicas.
    """
    from cnn_tui.core.backend import TENSORFLOW, DefaultDevice, backend_device, configured_backend
    from cnn_tui.core.tf_setup import import_tensorflow, split_cpu

    backend = configured_backend()
    if backend == "jax":
        from cnn_tui.core.runs.jax_placement import jax_device_lists, jax_strategy, short_name

        gpus_seen, cpus_seen = jax_device_lists(cpu_split(devices))
        on_jax = choose_devices(devices, gpus_seen, cpus_seen, "JAX")
        check_batch_split(batch_size, len(on_jax), devices)
        kind, distribution = jax_strategy(on_jax)
        return Placement(devices, distribution, kind, tuple(map(short_name, on_jax)),
                         batch_size)
    if backend != TENSORFLOW:  # torch: its default device, alone
        device = backend_device(backend, devices)
        return Placement(devices, DefaultDevice(), "default", (device,), batch_size)
    tf = import_tensorflow()
    gpus = [_short(d.name) for d in tf.config.list_physical_devices("GPU")]
    count = cpu_split(devices)
    split = split_cpu(count) if count > 1 else 1
    chosen = choose_devices(devices, gpus, [f"CPU:{i}" for i in range(split)], "TensorFlow")
    check_batch_split(batch_size, len(chosen), devices)
    return _strategy_for(tf, devices, tuple(chosen), batch_size, bool(gpus))


def _strategy_for(tf: Any, setting: str, chosen: tuple[str, ...], batch_size: int,
                  has_gpu: bool) -> Placement:
    names = [f"/device:{name}" for name in chosen]
    if len(chosen) > 1:
        strategy = tf.distribute.MirroredStrategy(devices=names)
        return Placement(setting, strategy, "mirrored", chosen, batch_size)
    # TensorFlow places ops on GPU:0 when there is one, else on CPU:0: that one
    # device needs no strategy at all.
    default_device = "GPU:0" if has_gpu else "CPU:0"
    if chosen[0] == default_device:
        return Placement(setting, tf.distribute.get_strategy(), "default", chosen, batch_size)
    return Placement(setting, tf.distribute.OneDeviceStrategy(names[0]), "one-device",
                     chosen, batch_size)


def _short(name: str) -> str:
    """``/physical_device:GPU:1`` -> ``GPU:1``."""
    return ":".join(name.split(":")[-2:])
