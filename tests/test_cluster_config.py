"""--cluster, --worker-index and TF_CONFIG, read without TensorFlow; the workers' meeting."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

from cnn_tui.core.errors import ConfigError
from cnn_tui.core.runs.cluster import (
    Cluster,
    agreement,
    cluster_from_tf_config,
    cluster_of,
    parse_cluster,
)
from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.rendezvous import ClusterError, meet


def test_a_cluster_lists_its_workers_chief_first() -> None:
    cluster = parse_cluster("10.0.0.1:2222, gpu-box.lan:2222", 1)
    assert cluster.workers == ("10.0.0.1:2222", "gpu-box.lan:2222")
    assert not cluster.is_chief
    assert cluster.role() == "2 (this is worker 1)"
    assert parse_cluster("a:1,b:2", 0).role() == "2 (this is the chief)"
    assert cluster.tf_config() == {"cluster": {"worker": list(cluster.workers)},
                                   "task": {"type": "worker", "index": 1}}


@pytest.mark.parametrize(("text", "index", "words"), [
    ("a:1", 0, "at least two workers"),
    ("a:1,b", 0, "HOST:PORT with a port from 1 to 65535; got 'b'"),
    ("a:1,b:99999", 0, "got 'b:99999'"),
    ("a:1,b:x", 0, "got 'b:x'"),
    ("a:1,bad host:2", 0, "'bad host' is not a host name"),
    ("a:1,-x:2", 0, "'-x' is not a host name"),
    ("a:1,a:1", 0, "lists a worker twice"),
    ("a:1,b:2", None, "--cluster needs --worker-index"),
    ("a:1,b:2", 2, "--worker-index must be from 0 to 1"),
])
def test_a_bad_cluster_is_one_sentence(text: str, index: int | None, words: str) -> None:
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(")", r"\)")):
        parse_cluster(text, index)


def test_tf_config_is_read_with_or_without_a_chief() -> None:
    plain = {"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 1}}
    assert cluster_from_tf_config(json.dumps(plain)) == Cluster(("a:1", "b:2"), 1)
    chief = {"cluster": {"chief": ["c:1"], "worker": ["a:1"]},
             "task": {"type": "worker", "index": 0}}
    assert cluster_from_tf_config(json.dumps(chief)) == Cluster(("c:1", "a:1"), 1)
    chief["task"] = {"type": "chief", "index": 0}
    assert cluster_from_tf_config(json.dumps(chief)).is_chief


@pytest.mark.parametrize(("text", "words"), [
    ("{not json", "TF_CONFIG is not JSON"),
    ("[]", "needs a \"cluster\" and a \"task\""),
    ('{"cluster": {"ps": ["a:1"]}, "task": {}}', "may only hold a \"worker\" list"),
    ('{"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "ps"}}', "task must be"),
    ('{"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 5}}',
     "--worker-index must be from 0 to 1"),
])
def test_a_bad_tf_config_is_one_sentence(text: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words.replace("(", r"\(")):
        cluster_from_tf_config(text)


def test_the_flags_come_before_tf_config() -> None:
    env = {"TF_CONFIG": json.dumps({"cluster": {"worker": ["x:1", "y:2"]},
                                    "task": {"type": "worker", "index": 0}})}
    assert cluster_of("a:1,b:2", 1, env) == Cluster(("a:1", "b:2"), 1)
    assert cluster_of(None, None, env) == Cluster(("x:1", "y:2"), 0)
    assert cluster_of(None, None, {}) is None
    with pytest.raises(ConfigError, match="--worker-index needs --cluster"):
        cluster_of(None, 1, {})


def test_a_config_checks_its_cluster_flags() -> None:
    TrainConfig(cluster="a:1,b:2", worker_index=1).validate()
    with pytest.raises(ConfigError, match="--worker-index must be from 0 to 1"):
        TrainConfig(cluster="a:1,b:2", worker_index=3).validate()


def test_the_agreement_leaves_out_each_workers_own_settings() -> None:
    options = {"batch_size": 128, "cluster": "a:1,b:2", "worker_index": 1, "runs_dir": "r",
               "name": None, "cluster_timeout": 5, "created": "now"}
    assert agreement(options, {"n_train": 10}) == {"batch_size": 128, "n_train": 10}
    assert Cluster(("a:1", "b:2"), 0).default_seed() == Cluster(("a:1", "b:2"), 1).default_seed()


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_workers_meet_and_a_missing_one_is_named() -> None:
    workers = tuple(f"127.0.0.1:{port}" for port in free_ports(3))
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            meet(Cluster(workers[:2], index), 10)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert errors == []
    with pytest.raises(ClusterError, match=f"worker 1 at {workers[2]} did not answer within "
                                           "0.5 s; start it with cnn-tui train --cluster"):
        meet(Cluster((workers[0], workers[2]), 0), 0.5, " --epochs 2")


def test_a_worker_whose_answer_came_too_late_can_ask_again() -> None:
    """Worker 0 counts worker 1 as met once worker 1's hello arrives, even if worker 1
    gave up waiting for the answer (a loaded machine, in CI). Worker 0 then still
    answers for a while, so worker 1's next hello gets through before worker 0 hands
    its port to TensorFlow (else worker 1 timed out while worker 0 waited for ever)."""
    from cnn_tui.core.runs import rendezvous

    workers = tuple(f"127.0.0.1:{port}" for port in free_ports(2))
    met = threading.Thread(target=meet, args=(Cluster(workers, 0), 10))
    with socket.socket() as listener:  # worker 1 answers worker 0's hellos
        listener.bind(("127.0.0.1", int(workers[1].rpartition(":")[2])))
        listener.listen(4)
        met.start()
        peer, _ = listener.accept()
        with peer:
            assert peer.recv(64).startswith(rendezvous.HELLO)
            peer.sendall(b"ok\n")
        hello = rendezvous.HELLO + b"1\n"
        with socket.create_connection(("127.0.0.1", int(workers[0].rpartition(":")[2])),
                                      5) as first:
            first.sendall(hello)  # and gone before the answer
        time.sleep(0.5)  # worker 0 has met everyone by now
        assert met.is_alive()
        with socket.create_connection(("127.0.0.1", int(workers[0].rpartition(":")[2])),
                                      5) as again:
            again.settimeout(5)
            again.sendall(hello)
            assert again.recv(16).startswith(b"ok")
    met.join(10)
    assert not met.is_alive()


def test_a_port_in_use_is_named() -> None:
    with socket.socket() as holder:
        holder.bind(("", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        with pytest.raises(ClusterError, match=f"cannot listen on port {port}"):
            meet(Cluster((f"127.0.0.1:{port}", "127.0.0.1:1"), 0), 1)


def test_a_lost_worker_is_named_from_tensorflows_words() -> None:
    from cnn_tui.core.runs.worker_loop import lost_worker

    cluster = Cluster(("a:1", "b:2"), 0)
    text = ("{{function_node __wrapped__CollectiveReduceV2_device_/job:worker/replica:0/task:0/"
            "device:CPU:0}} Collective ops is aborted by: Error reported from "
            "/job:worker/task:1: The following tasks are unhealthy (stopped sending heartbeats):\n"
            "/job:worker/replica:0/task:1")
    assert lost_worker(text, cluster).startswith("worker 1 at b:2 stopped answering")
    assert "--resume RUN_DIR" in lost_worker("nothing known", cluster)


def test_devices_other_than_auto_are_refused_with_a_cluster(tmp_path: Path) -> None:
    from cnn_tui.core.runs.config import TrainConfig
    from cnn_tui.core.runs.runner import run_training

    config = TrainConfig(dataset=str(tmp_path / "never-read"), devices="cpu:2",
                         cluster="127.0.0.1:5000,127.0.0.1:5001", worker_index=0,
                         runs_dir=tmp_path / "runs")
    outcome = run_training(config, lambda event: None)
    assert outcome.state == "failed" and outcome.bad_input and outcome.run_dir is None
    assert "--devices cpu:2 cannot go with --cluster" in outcome.message
    assert not (tmp_path / "runs").exists()
