"""Several machines, on one: worker processes on 127.0.0.1 train real MNIST together.

Each worker is ``tests/cluster_worker.py`` in its own process (TensorFlow
allows one cluster per process), on free ports, killed if it outlives its
time. Small slices (200 images, a linear model) keep each case to seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cnn_tui.core.runs.history import read_history
from tests.tiny_runs import load_tiny_mnist

pytestmark = pytest.mark.tf_only("clusters train with tf.distribute's MultiWorkerMirroredStrategy")

ROOT = Path(__file__).resolve().parents[1]
LIMIT_S = 120


@pytest.fixture(autouse=True)
def _real_mnist() -> None:
    load_tiny_mnist(10, 10)  # skips (fails in CI) without ../shared/data


def free_cluster(size: int = 2) -> str:
    sockets = [socket.socket() for _ in range(size)]
    with contextlib.ExitStack() as stack:
        for s in sockets:
            stack.enter_context(s)
            s.bind(("127.0.0.1", 0))
        return ",".join(f"127.0.0.1:{s.getsockname()[1]}" for s in sockets)


@contextlib.contextmanager
def workers(tmp_path: Path, cluster: str, *each: dict[str, Any]) -> Iterator[list[Any]]:
    """Start one process per dict of ``each`` (worker i gets index i); kill any left over."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("TF_CONFIG", None)
    procs = []
    stack = contextlib.ExitStack()
    try:
        for index, args in enumerate(each):
            scratch = tmp_path / f"tmp{index}"
            scratch.mkdir(exist_ok=True)
            args = {"cluster": cluster, "index": index, "runs_dir": str(tmp_path / f"runs{index}"),
                    "weights": str(tmp_path / f"weights{index}.npy"), **args}
            log = open(tmp_path / f"worker{index}.log", "a")  # noqa: SIM115 - the child's
            stack.callback(log.close)
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "tests.cluster_worker", json.dumps(args)], cwd=ROOT,
                env={**env, "TMPDIR": str(scratch)}, stdout=subprocess.PIPE,
                stderr=log, text=True))
            procs[-1].log_path = tmp_path / f"worker{index}.log"  # type: ignore[attr-defined]
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        stack.close()


def outcome(proc: Any) -> dict[str, Any]:
    try:
        out, _ = proc.communicate(timeout=LIMIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        tail = proc.log_path.read_text(errors="replace")[-3000:]
        raise AssertionError(f"a worker still ran after {LIMIT_S} s; its stderr:\n{tail}") from None
    lines = out.strip().splitlines()
    assert lines, f"worker exited {proc.returncode} without an outcome"
    return dict(json.loads(lines[-1]))


def test_two_workers_train_to_the_end_with_identical_weights(tmp_path: Path) -> None:
    with workers(tmp_path, free_cluster(), {}, {}) as procs:
        chief, other = (outcome(p) for p in procs)
    assert chief["state"] == "finished", chief
    assert other["state"] == "finished", other
    assert other["run_dir"] is None
    run_dir = Path(chief["run_dir"])
    history = read_history(run_dir)
    assert history["epoch"] == [1.0, 2.0]
    assert history["val_accuracy"][-1] > 0.3  # chance is 0.1
    config = json.loads((run_dir / "config.json").read_text())
    assert config["compute"]["workers"] == "2 (this is the chief)"
    assert len(config["cluster"]["workers"]) == 2
    # Only the chief's history exists: the other wrote into a folder it removed.
    assert not (tmp_path / "runs1").exists()
    assert list((tmp_path / "tmp1").iterdir()) == []
    weights = [np.load(tmp_path / f"weights{i}.npy") for i in range(2)]
    np.testing.assert_array_equal(weights[0], weights[1])


def test_a_missing_worker_is_named_within_the_timeout(tmp_path: Path) -> None:
    cluster = free_cluster()
    with workers(tmp_path, cluster, {"timeout": 3}) as procs:
        chief = outcome(procs[0])
    assert chief["state"] == "failed"
    missing = cluster.split(",")[1]
    assert f"worker 1 at {missing} did not answer within 3 s" in chief["message"]
    assert "--worker-index 1" in chief["message"]


def test_workers_with_different_settings_stop_with_a_message(tmp_path: Path) -> None:
    with workers(tmp_path, free_cluster(), {}, {"options": {"batch_size": 25}}) as procs:
        chief, other = (outcome(p) for p in procs)
    assert chief["state"] == other["state"] == "failed"
    assert "worker 1's batch size differs from the chief's (25 vs 50)" in chief["message"]
    assert "this worker's batch size differs" in other["message"]


def test_a_stopped_cluster_run_resumes_on_the_cluster(tmp_path: Path) -> None:
    cluster = free_cluster()
    # The chief is asked to stop after epoch 1: the other worker stops with it.
    with workers(tmp_path, cluster, {"stop_after": 1, "epochs": 3}, {"epochs": 3}) as procs:
        chief, other = (outcome(p) for p in procs)
    assert chief["state"] == other["state"] == "stopped", (chief, other)
    run_dir = Path(chief["run_dir"])
    assert read_history(run_dir)["epoch"] == [1.0]
    # Only the chief sees the run; the other worker starts with the run's flags.
    with workers(tmp_path, free_cluster(), {"resume": str(run_dir)}, {"epochs": 3}) as procs:
        chief, other = (outcome(p) for p in procs)
    assert chief["state"] == other["state"] == "finished", (chief, other)
    assert read_history(run_dir)["epoch"] == [1.0, 2.0, 3.0]
    weights = [np.load(tmp_path / f"weights{i}.npy") for i in range(2)]
    np.testing.assert_array_equal(weights[0], weights[1])
