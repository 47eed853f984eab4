"""Which machines train one run together, read from ``--cluster`` or ``TF_CONFIG``.

Pure parsing, without TensorFlow: a bad ``--cluster`` or ``TF_CONFIG`` is one
``ConfigError`` sentence before any data is loaded. ``Cluster`` lists every
worker's ``host:port`` (the chief first: index 0) and which one this process
is. ``agreement`` is what every worker must share, by name: the settings a
worker's own flags give (its index, the run's name and folder excepted) and
what its data turned out to be; ``cluster_join.py`` compares them across
workers before the first step.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cnn_tui.core.errors import ConfigError

CLUSTER_SETTINGS = ("cluster", "worker_index", "cluster_timeout")
"""Each worker's own settings: not in the agreement, and a resume takes them afresh."""
NOT_AGREED = (*CLUSTER_SETTINGS, "runs_dir", "name")
"""Where and under which name the chief writes is the chief's affair."""

_HOST = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))$")


@dataclass(frozen=True)
class Cluster:
    """The workers of a run (``host:port`` each, the chief first) and this one's index."""

    workers: tuple[str, ...]
    index: int

    @property
    def is_chief(self) -> bool:
        return self.index == 0

    @property
    def size(self) -> int:
        return len(self.workers)

    def role(self) -> str:
        """How this process takes part, for the Train tab and config.json's compute."""
        who = "the chief" if self.is_chief else f"worker {self.index}"
        return f"{self.size} (this is {who})"

    def default_seed(self) -> int:
        """A seed every worker derives alike when none was given (same workers, same seed)."""
        return zlib.crc32(",".join(self.workers).encode()) % 2**31

    def tf_config(self) -> dict[str, Any]:
        """The ``TF_CONFIG`` that says the same to TensorFlow."""
        return {"cluster": {"worker": list(self.workers)},
                "task": {"type": "worker", "index": self.index}}


def parse_cluster(text: str, index: int | None) -> Cluster:
    """``--cluster HOST:PORT,HOST:PORT,...`` with ``--worker-index I`` (raises ConfigError)."""
    workers = tuple(part.strip() for part in text.split(",") if part.strip())
    if len(workers) < 2:
        raise ConfigError(f"--cluster must list at least two workers as HOST:PORT,HOST:PORT "
                          f"(the chief first); got {text!r}.")
    for worker in workers:
        check_address(worker, "--cluster")
    if len(set(workers)) != len(workers):
        raise ConfigError(f"--cluster lists a worker twice; got {text!r}.")
    if index is None:
        raise ConfigError("--cluster needs --worker-index: 0 for the chief, 1 to "
                          f"{len(workers) - 1} for the others.")
    if not 0 <= index < len(workers):
        raise ConfigError(f"--worker-index must be from 0 to {len(workers) - 1} for a cluster "
                          f"of {len(workers)} workers; got {index}.")
    return Cluster(workers, index)


def check_address(worker: str, where: str) -> None:
    """ConfigError unless ``worker`` is ``host:port`` with a port from 1 to 65535."""
    host, colon, port = worker.rpartition(":")
    if not colon or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ConfigError(f"{where}: every worker must be HOST:PORT with a port from 1 to "
                          f"65535; got {worker!r}.")
    if not _HOST.match(host) or host.startswith("-") or ".." in host:
        raise ConfigError(f"{where}: {host!r} is not a host name or address (in {worker!r}).")


def cluster_from_tf_config(text: str) -> Cluster:
    """The cluster a ``TF_CONFIG`` describes: ``worker`` tasks, or a ``chief`` and workers."""
    try:
        data = json.loads(text)
    except ValueError:
        raise ConfigError("TF_CONFIG is not JSON; it must look like {\"cluster\": {\"worker\": "
                          "[\"HOST:PORT\", ...]}, \"task\": {\"type\": \"worker\", "
                          "\"index\": 0}}.") from None
    cluster = data.get("cluster") if isinstance(data, dict) else None
    task = data.get("task") if isinstance(data, dict) else None
    if not isinstance(cluster, dict) or not isinstance(task, dict):
        raise ConfigError("TF_CONFIG needs a \"cluster\" and a \"task\" object.")
    chiefs, workers = cluster.get("chief", []), cluster.get("worker", [])
    unknown = set(cluster) - {"chief", "worker"}
    if unknown or not isinstance(chiefs, list) or not isinstance(workers, list) \
            or len(chiefs) > 1 or not all(isinstance(w, str) for w in [*chiefs, *workers]):
        raise ConfigError("TF_CONFIG's cluster may only hold a \"worker\" list of HOST:PORT "
                          "(and at most one \"chief\"); got " + json.dumps(cluster)[:200] + ".")
    everyone = (*chiefs, *workers)
    kind, index = task.get("type"), task.get("index", 0)
    if kind not in ("chief", "worker") or isinstance(index, bool) or not isinstance(index, int):
        raise ConfigError("TF_CONFIG's task must be {\"type\": \"worker\", \"index\": N}; got "
                          + json.dumps(task)[:200] + ".")
    # A chief listed apart comes first; the workers follow it.
    position = 0 if kind == "chief" else index + len(chiefs)
    if kind == "chief" and (not chiefs or index != 0):
        raise ConfigError("TF_CONFIG's task is the chief, but its cluster lists no chief.")
    return parse_cluster(",".join(everyone), position)


def cluster_of(cluster: str | None, worker_index: int | None,
               environ: Mapping[str, str]) -> Cluster | None:
    """The run's cluster: ``--cluster``, else ``TF_CONFIG``, else None (one machine)."""
    if cluster:
        return parse_cluster(cluster, worker_index)
    if worker_index is not None:
        raise ConfigError("--worker-index needs --cluster HOST:PORT,HOST:PORT,... (or drop it "
                          "to train on this machine alone).")
    text = environ.get("TF_CONFIG", "").strip()
    return cluster_from_tf_config(text) if text else None


def agreement(options: Mapping[str, Any], data: Mapping[str, int]) -> dict[str, Any]:
    """What every worker must share: ``options`` (config.json's form) but each worker's
    own, and ``data``'s sizes (the same flags can read different files on two machines)."""
    agreed = {name: value for name, value in options.items()
              if name not in NOT_AGREED and name != "created"}
    agreed.update(data)
    return agreed


def fingerprint(value: Any) -> int:
    """A number standing for ``value`` (below 2**32: exact in a float64 collective)."""
    return zlib.crc32(json.dumps(value, sort_keys=True, default=str).encode())
