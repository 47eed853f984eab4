"""Meeting the other workers before TensorFlow does, so that a missing one is named.

``MultiWorkerMirroredStrategy``'s constructor blocks until every worker has
started its own, and it holds Python's GIL while it waits (measured with TF
2.21: no ``CommunicationOptions`` or coordination-service timeout ends it,
and no other Python thread runs meanwhile). So the workers meet first here,
in plain Python, on the very ports TensorFlow will use: each listens on its
own port (answering in a thread of its own) and says hello to every other
until it has reached them all and all have reached it, answers a little
longer (an answer may have come too late for its asker, who asks again),
then closes its listener and hands the port to TensorFlow. Past
``timeout_s``, ``ClusterError`` names the first worker that could not be
reached, and how to start it.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.cluster import Cluster

HELLO = b"cnn-tui worker "
RETRY_S = 0.2
"""How often an unreachable worker is tried again."""
CONNECT_S = 1.0
"""How long one connection attempt may take."""
REPLY_S = 5.0
"""How long a hello waits for its answer: the other worker answers between its own
hellos, and on a loaded machine (two workers starting TensorFlow on one CPU) that
took more than a second, in the tests."""
LINGER_S = 2.0
"""How long a worker that has met everyone still answers hellos before it hands its
port to TensorFlow. Its answer to a worker may come too late for that worker's wait:
the one answered already counts it as met, the other must be able to ask again, or
it would time out while the first waited in TensorFlow for ever."""


class ClusterError(CnnTuiError):
    """The workers could not start or go on together; the message names who and why."""


def meet(cluster: Cluster, timeout_s: float, flags: str = "") -> None:
    """Return once every worker reached this one and this one reached every worker.

    ``flags``: the run's other flags, for the message that says how to start a
    missing worker. Raises ClusterError (a port in use, or the timeout).
    """
    listener = _listen(cluster)
    others = {i for i in range(cluster.size) if i != cluster.index}
    heard: set[int] = set()
    done = threading.Event()
    # Hellos are answered in a thread of their own: answered only between this
    # worker's own hellos, two workers each waiting for the other's answer
    # could keep missing each other.
    answering = threading.Thread(target=_answer_until, args=(listener, heard, done),
                                 name="cnn-tui-meet", daemon=True)
    answering.start()
    try:
        reached: set[int] = set()
        deadline = time.monotonic() + timeout_s
        while reached != others or not heard >= others:
            if time.monotonic() > deadline:
                raise ClusterError(_missing(cluster, others - reached or others - heard,
                                            timeout_s, flags))
            for index in sorted(others - reached):
                if _hello(cluster, index):
                    reached.add(index)
            time.sleep(RETRY_S)
        time.sleep(LINGER_S)
    finally:
        done.set()
        answering.join()
        listener.close()


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
        peer.settimeout(REPLY_S)
        peer.sendall(HELLO + str(cluster.index).encode() + b"\n")
        return peer.recv(16).startswith(b"ok")
    return False


def _answer_until(listener: socket.socket, heard: set[int], done: threading.Event) -> None:
    """Answer every hello that arrives, adding its worker to ``heard``, until ``done``."""
    while not done.is_set():
        ready, _, _ = select.select([listener], [], [], RETRY_S)
        if not ready:
            continue
        with contextlib.suppress(OSError, ValueError):
            peer, _ = listener.accept()
            with peer:
                peer.settimeout(CONNECT_S)
                line = peer.recv(64)
                if line.startswith(HELLO):
                    peer.sendall(b"ok\n")
                    heard.add(int(line[len(HELLO):].strip()))


def _missing(cluster: Cluster, missing: set[int], timeout_s: float, flags: str) -> str:
    index = min(missing)
    return (f"worker {index} at {cluster.workers[index]} did not answer within {timeout_s:g} s; "
            f"start it with cnn-tui train --cluster {','.join(cluster.workers)} "
            f"--worker-index {index}{flags} (the same flags as this one).")
