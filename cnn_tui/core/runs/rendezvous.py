"""Meeting the other workers before TensorFlow does, so that a missing one is named.

``MultiWorkerMirroredStrategy``'s constructor blocks until every worker has
started its own, and it holds Python's GIL while it waits (measured with TF
2.21: no ``CommunicationOptions`` or coordination-service timeout ends it,
and no other Python thread runs meanwhile). So the workers meet first here,
in plain Python, on the very ports TensorFlow will use: each listens on its
own port and says hello to every other until it has reached them all and
all have reached it, then closes its listener and hands the port to
TensorFlow. Past ``timeout_s``, ``ClusterError`` names the first worker that
could not be reached, and how to start it.
"""

from __future__ import annotations

import contextlib
import select
import socket
import time

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.cluster import Cluster

HELLO = b"cnn-tui worker "
RETRY_S = 0.2
"""How often an unreachable worker is tried again."""
CONNECT_S = 1.0
"""How long one connection attempt may take."""


class ClusterError(CnnTuiError):
    """The workers could not start or go on together; the message names who and why."""


def meet(cluster: Cluster, timeout_s: float, flags: str = "") -> None:
    """Return once every worker reached this one and this one reached every worker.

    ``flags``: the run's other flags, for the message that says how to start a
    missing worker. Raises ClusterError (a port in use, or the timeout).
    """
    listener = _listen(cluster)
    others = {i for i in range(cluster.size) if i != cluster.index}
    reached: set[int] = set()
    heard: set[int] = set()
    deadline = time.monotonic() + timeout_s
    with listener:
        while reached != others or heard != others:
            if time.monotonic() > deadline:
                raise ClusterError(_missing(cluster, others - reached or others - heard,
                                            timeout_s, flags))
            for index in sorted(others - reached):
                if _hello(cluster, index):
                    reached.add(index)
            heard |= _answer(listener, RETRY_S)


def _listen(cluster: Cluster) -> socket.socket:
    """This worker's port, on every interface as TensorFlow's server will take it."""
    address = cluster.workers[cluster.index]
    port = int(address.rpartition(":")[2])
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("", port))
    except OSError as error:
        listener.close()
        raise ClusterError(f"this worker (--worker-index {cluster.index}) cannot listen on "
                           f"port {port} of {address} ({error.strerror or error}); another "
                           "program holds it: pick a free port in --cluster.") from None
    listener.listen(cluster.size * 2)
    return listener


def _hello(cluster: Cluster, index: int) -> bool:
    """Whether worker ``index`` answered this one's hello."""
    host, _, port = cluster.workers[index].rpartition(":")
    with contextlib.suppress(OSError), \
            socket.create_connection((host.strip("[]"), int(port)), CONNECT_S) as peer:
        peer.settimeout(CONNECT_S)
        peer.sendall(HELLO + str(cluster.index).encode() + b"\n")
        return peer.recv(16).startswith(b"ok")
    return False


def _answer(listener: socket.socket, wait_s: float) -> set[int]:
    """The workers whose hello arrived within ``wait_s``; each is answered."""
    heard: set[int] = set()
    end = time.monotonic() + wait_s
    while (left := end - time.monotonic()) > 0:
        ready, _, _ = select.select([listener], [], [], left)
        if not ready:
            break
        with contextlib.suppress(OSError, ValueError):
            peer, _ = listener.accept()
            with peer:
                peer.settimeout(CONNECT_S)
                line = peer.recv(64)
                if line.startswith(HELLO):
                    heard.add(int(line[len(HELLO):].strip()))
                    peer.sendall(b"ok\n")
    return heard


def _missing(cluster: Cluster, missing: set[int], timeout_s: float, flags: str) -> str:
    index = min(missing)
    return (f"worker {index} at {cluster.workers[index]} did not answer within {timeout_s:g} s; "
            f"start it with cnn-tui train --cluster {','.join(cluster.workers)} "
            f"--worker-index {index}{flags} (the same flags as this one).")
