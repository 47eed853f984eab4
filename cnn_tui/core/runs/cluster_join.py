"""Joining the other workers, and agreeing with them before the first step.

``join_cluster`` meets the other workers (``rendezvous.py``: a missing one is
named after ``cluster_timeout`` seconds), then creates TensorFlow's
``MultiWorkerMirroredStrategy``, which connects them.

``check_agreement`` all-gathers a fingerprint of each setting (and of the
data's sizes) and names the first that differs from the chief's.
``from_chief`` hands the chief's values (its resumed weights, the epoch it
goes on from, its learning rate) to every worker: an all-reduce of the chief's
values and zeros elsewhere, so the others need not see the chief's disk.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from cnn_tui.core.errors import first_line
from cnn_tui.core.runs.cluster import Cluster, fingerprint
from cnn_tui.core.runs.rendezvous import ClusterError, meet


def join_cluster(cluster: Cluster, timeout_s: float, flags: str) -> Any:
    """The strategy, once every worker has joined (raises ClusterError after ``timeout_s``).

    Must come before TensorFlow runs any op in this process. ``flags``: how
    to start a missing worker, for the message.
    """
    import tensorflow as tf

    meet(cluster, timeout_s, flags)  # TensorFlow's own wait cannot be bounded: see there
    resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
        tf.train.ClusterSpec({"worker": list(cluster.workers)}), task_type="worker",
        task_id=cluster.index, rpc_layer="grpc")
    try:
        strategy = tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=resolver)
    except tf.errors.OpError as error:
        raise ClusterError(f"could not join the cluster as worker {cluster.index} at "
                           f"{cluster.workers[cluster.index]} ({type(error).__name__}: "
                           f"{first_line(error, 200)}).") from error
    _take_back_sigterm()
    return strategy


def _take_back_sigterm() -> None:
    """Give SIGTERM back to Python's handler (the CLI's: stop at the next step).

    TensorFlow's coordination service installs its own SIGTERM handler (a
    preemption notice) when the strategy starts, and that one does nothing
    here: ``kill`` would no longer stop a worker. Re-installing the handler
    Python holds puts Python's back in front. Only the main thread may.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    handler = signal.getsignal(signal.SIGTERM)
    if handler is not None:
        signal.signal(signal.SIGTERM, handler)


def from_chief(strategy: Any, values: Sequence[Any]) -> list[Any]:
    """The chief's ``values`` (numpy arrays or numbers) on every worker, as numpy arrays.

    Every worker passes arrays of the same shapes and dtypes; only the chief's
    contents count (global replica 0 is the chief's first device).
    """
    import numpy as np
    import tensorflow as tf

    arrays = [np.asarray(value) for value in values]
    if not arrays:
        return []
    # One float64 vector (exact for float32 weights and counts below 2**53): the
    # strategy reduces one tensor at a time, and one collective is the quickest.
    flat = np.concatenate([a.astype(np.float64).ravel() for a in arrays])

    def contribute() -> Any:
        first = tf.equal(tf.distribute.get_replica_context().replica_id_in_sync_group, 0)
        return tf.where(first, tf.constant(flat), tf.zeros(flat.shape, tf.float64))

    summed = np.asarray(strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(contribute),
                                        axis=None))
    out, start = [], 0
    for a in arrays:
        out.append(summed[start:start + a.size].reshape(a.shape).astype(a.dtype))
        start += a.size
    return out


def gather_rows(strategy: Any, cluster: Cluster, row: Sequence[float]) -> Any:
    """Every worker's ``row`` (float64), one per worker in index order."""
    import numpy as np
    import tensorflow as tf

    local = strategy.num_replicas_in_sync // cluster.size
    table = np.zeros((cluster.size, len(row)), dtype=np.float64)
    table[cluster.index] = np.asarray(row, dtype=np.float64) / local  # each local replica adds

    def contribute() -> Any:
        return tf.constant(table)

    summed = strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.run(contribute), axis=None)
    return np.asarray(summed)


def check_agreement(strategy: Any, cluster: Cluster, agreed: Mapping[str, Any],
                    titles: Mapping[str, str]) -> None:
    """ClusterError naming the first setting where a worker differs from the chief.

    ``agreed``: this worker's settings and data sizes (``cluster.agreement``);
    ``titles``: how to name a setting in the message.
    """
    names = sorted(agreed)
    numbers = [_number(agreed[name]) for name in names]
    rows = gather_rows(strategy, cluster, [*map(fingerprint, (agreed[n] for n in names)),
                                           *numbers])
    count = len(names)
    for worker in range(1, cluster.size):
        for i, name in enumerate(names):
            if round(rows[worker][i]) != round(rows[0][i]):
                theirs, chiefs = rows[worker][count + i], rows[0][count + i]
                values = (f" ({_shown(theirs)} vs {_shown(chiefs)})"
                          if (theirs, chiefs) != (0.0, 0.0) else "")
                who = "this worker's" if worker == cluster.index else f"worker {worker}'s"
                raise ClusterError(
                    f"{who} {titles.get(name, name.replace('_', ' '))} differs from the "
                    f"chief's{values}; start every worker with the same flags (and the same "
                    "data).")


def _number(value: Any) -> float:
    """The value itself when it is a number (0 when it is not, NaN for None)."""
    if value is None:
        return float("nan")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return 0.0


def _shown(value: float) -> str:
    if value != value:
        return "none"
    return f"{value:g}"
