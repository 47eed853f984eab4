"""Faults, driven through the real ``cnn-tui train`` in subprocesses on real MNIST.

kill -9 mid-epoch then ``--resume``; SIGTERM and SIGHUP; a second signal; Ctrl-C
while the data loads; a disk that fills during training; ``--detach``, ``runs`` and
``stop``. Each ends in one clear message, a resumable run, and nothing trained lost.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cnn_tui.core.runs.checkpoint import read_state
from cnn_tui.core.runs.history import read_history
from tests.resources import missing
from tests.tiny_runs import DIVERGING_SPEC

TINY_SPEC = {"layers": [
    {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
    {"type": "MaxPooling2D", "pool_size": 2},
    {"type": "Flatten"},
    {"type": "Dense", "units": 10, "activation": "softmax"},
]}
DEADLINE_S = 180


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY_SPEC))
    return path


def _env(tmpdir: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if tmpdir is not None:
        tmpdir.mkdir(exist_ok=True)
        env["TMPDIR"] = str(tmpdir)  # to see that no scratch folder is left behind
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start(shared_data: Path, runs: Path, spec: Path, *extra: str,
          tmpdir: Path | None = None) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "cnn_tui", "train", "--dataset", str(shared_data / "mnist"),
            "--model", str(spec), "--limit", "6000", "--batch-size", "8", "--epochs", "3",
            "--seed", "5", "--runs-dir", str(runs), *extra]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(tmpdir))


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cnn_tui", *argv], capture_output=True,
                          text=True, timeout=DEADLINE_S, env=_env())


def wait_for(condition: Callable[[], object], what: str, timeout: float = DEADLINE_S) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def the_run(runs: Path) -> Path | None:
    found = [p for p in runs.glob("*") if p.is_dir()] if runs.is_dir() else []
    return found[0] if len(found) == 1 else None


def status(run_dir: Path) -> dict:
    try:
        return json.loads((run_dir / "status.json").read_text())
    except (OSError, ValueError):
        return {}


def in_epoch(run_dir: Path, epoch: int) -> bool:
    progress = status(run_dir).get("progress") or {}
    return progress.get("epoch") == epoch and progress.get("step", 0) < progress.get("steps", 0)


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=DEADLINE_S)
    return proc.returncode, out, err


def assert_one_error(err: str, *words: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], err


def test_kill_9_mid_epoch_then_resume_trains_each_epoch_once(shared_data, tmp_path, spec):
    runs = tmp_path / "runs"
    proc = start(shared_data, runs, spec)
    run_dir = wait_for(lambda: the_run(runs), "the run folder")
    wait_for(lambda: in_epoch(run_dir, 2), "epoch 2")
    proc.send_signal(signal.SIGKILL)
    finish(proc)
    assert status(run_dir)["state"] == "running"  # it had no chance to say otherwise
    listing = cli("runs", "--runs-dir", str(runs))
    assert "interrupted (resumable)" in listing.stdout, listing.stdout
    state = read_state(run_dir / "checkpoint.keras")
    assert state is not None and state["epochs_done"] == 1

    resumed = cli("train", "--resume", str(run_dir))
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip().splitlines()[-1] == str(run_dir)
    history = read_history(run_dir)
    assert history["epoch"] == [1, 2, 3]
    assert status(run_dir)["state"] == "finished"
    assert not (run_dir / "checkpoint.keras").exists()  # model.keras holds the end
    config = json.loads((run_dir / "config.json").read_text())
    assert [r["from_epoch"] for r in config["resumes"]] == [1]
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".tmp-")]


def test_kill_9_then_resume_goes_on_with_the_schedule_and_the_early_stopping_counter(
        shared_data, tmp_path, spec):
    """Step decay halves the rate every epoch; early stopping can never see an improvement
    (min delta 10), so it ends the run at epoch 3 with epoch 1's weights, if the resumed
    run kept its best. Forgetting it would take epoch 2 as the new best and stop at 4."""
    runs = tmp_path / "runs"
    proc = start(shared_data, runs, spec, "--epochs", "6", "--lr", "0.001", "--lr-schedule",
                 "step", "--lr-step-epochs", "1", "--lr-decay", "0.5",
                 "--early-stop-patience", "2", "--early-stop-min-delta", "10")
    run_dir = wait_for(lambda: the_run(runs), "the run folder")
    wait_for(lambda: in_epoch(run_dir, 2), "epoch 2")
    proc.send_signal(signal.SIGKILL)
    finish(proc)
    state = read_state(run_dir / "checkpoint.keras")
    assert state is not None and state["epochs_done"] == 1
    assert state["monitors"]["early_stopping"]["best_epoch"] == 0

    resumed = cli("train", "--resume", str(run_dir))
    assert resumed.returncode == 0, resumed.stderr
    lines = resumed.stdout.strip().splitlines()
    assert lines[-1] == str(run_dir)
    assert lines[-2].startswith("finished (early stop at epoch 3; best epoch 1 restored): test ")
    assert any(line.startswith("epoch 3/6") and "lr 0.00025" in line for line in lines)
    history = read_history(run_dir)
    assert history["epoch"] == [1, 2, 3]
    assert history["learning_rate"] == pytest.approx([0.001, 0.0005, 0.00025], rel=1e-6)
    final = status(run_dir)
    assert (final["state"], final["message"]) == (
        "finished", "early stop at epoch 3; best epoch 1 restored")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_at_a_batch_edge_and_the_run_resumes(shared_data, tmp_path, spec,
                                                             signum):
    runs, scratch = tmp_path / "runs", tmp_path / "tmp"
    proc = start(shared_data, runs, spec, tmpdir=scratch)
    run_dir = wait_for(lambda: the_run(runs), "the run folder")
    wait_for(lambda: in_epoch(run_dir, 2), "epoch 2")
    proc.send_signal(signum)
    code, out, err = finish(proc)
    name = signal.Signals(signum).name
    assert code == 128 + signum, err
    assert "Traceback" not in err
    final = status(run_dir)
    assert final["state"] == "stopped" and name in final["message"]
    assert read_history(run_dir)["epoch"] == [1]  # no half epoch
    assert list(scratch.iterdir()) == []
    assert read_state(run_dir / "model.keras")["complete"] is False
    assert read_state(run_dir / "checkpoint.keras")["epochs_done"] == 1
    resumed = cli("train", "--resume", str(run_dir), "--epochs", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert read_history(run_dir)["epoch"] == [1, 2]


def test_a_second_signal_exits_at_once_and_the_checkpoint_stays_valid(shared_data, tmp_path,
                                                                      spec):
    runs, scratch = tmp_path / "runs", tmp_path / "tmp"
    proc = start(shared_data, runs, spec, "--epochs", "50", tmpdir=scratch)
    run_dir = wait_for(lambda: the_run(runs), "the run folder")
    wait_for(lambda: in_epoch(run_dir, 2), "epoch 2")
    proc.send_signal(signal.SIGTERM)
    proc.send_signal(signal.SIGTERM)
    code, _, err = finish(proc)
    assert code == 143 and "Traceback" not in err
    assert list(scratch.iterdir()) == []
    assert read_state(run_dir / "checkpoint.keras")["epochs_done"] >= 1


def test_ctrl_c_while_loading_exits_130_without_a_run(shared_data, tmp_path, spec):
    runs = tmp_path / "runs"
    proc = start(shared_data, runs, spec)
    assert proc.stdout is not None
    for line in proc.stdout:  # the handler is in place once loading is announced
        if line.startswith("reading"):
            break
    proc.send_signal(signal.SIGINT)
    code, _, err = finish(proc)
    assert code == 130, err
    assert "Traceback" not in err
    assert not runs.exists() or not any(runs.iterdir())


def test_a_failure_while_training_exits_1_and_stays_resumable(shared_data, tmp_path):
    runs = tmp_path / "runs"
    spec = tmp_path / "diverging.json"
    spec.write_text(json.dumps(DIVERGING_SPEC))
    result = cli("train", "--dataset", str(shared_data / "mnist"), "--model", str(spec),
                 "--limit", "500", "--epochs", "2", "--lr", "1e30", "--runs-dir", str(runs))
    assert result.returncode == 1, result.stderr
    assert_one_error(result.stderr, "NaN or infinite", "lower the learning rate")
    run_dir = Path(result.stdout.strip().splitlines()[-1])
    assert status(run_dir)["state"] == "failed"
    assert read_state(run_dir / "checkpoint.keras") is not None


def test_bad_resumes_exit_2(shared_data, tmp_path, spec):
    empty = tmp_path / "empty-run"
    empty.mkdir()
    (empty / "config.json").write_text(json.dumps({"options": {"dataset": "mnist"}}))
    (empty / "status.json").write_text(json.dumps({"state": "stopped"}))
    result = cli("train", "--resume", str(empty))
    assert result.returncode == 2
    assert_one_error(result.stderr, "no checkpoint")


def _mount_tmpfs(folder: Path, size: str) -> None:
    if os.geteuid() != 0:
        missing("mounting a small tmpfs to fill needs root")
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        missing(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")


def test_a_full_disk_fails_the_run_cleanly_and_keeps_the_checkpoint(shared_data, tmp_path,
                                                                   spec):
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "2m")
    try:
        runs = disk / "runs"
        proc = start(shared_data, runs, spec)
        run_dir = wait_for(lambda: the_run(runs), "the run folder")
        wait_for(lambda: in_epoch(run_dir, 2), "epoch 2")
        filler = disk / "filler"
        with filler.open("wb") as file:  # take every free byte
            try:
                while True:
                    file.write(b"\0" * 65536)
                    file.flush()
            except OSError:
                pass
        code, out, err = finish(proc)
        assert code == 1, out + err
        assert_one_error(err, "No space left on device", "--resume")
        final = status(run_dir)
        assert final["state"] == "failed" and "No space left" in final["message"]
        assert read_state(run_dir / "checkpoint.keras")["epochs_done"] == 1
        assert read_history(run_dir)["epoch"] == [1]
        assert not [p for p in run_dir.iterdir() if p.name.startswith(".tmp-")]
        filler.unlink()
        resumed = cli("train", "--resume", str(run_dir))
        assert resumed.returncode == 0, resumed.stderr
        assert read_history(run_dir)["epoch"] == [1, 2, 3]
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_detach_runs_then_stop_stops_it(shared_data, tmp_path, spec):
    runs = tmp_path / "runs"
    started = cli("train", "--dataset", str(shared_data / "mnist"), "--model", str(spec),
                  "--limit", "2000", "--batch-size", "16", "--epochs", "200", "--seed", "5",
                  "--runs-dir", str(runs), "--detach")
    assert started.returncode == 0, started.stderr
    run_dir = Path(started.stdout.strip().splitlines()[-1])
    assert run_dir.parent == runs
    listing = cli("runs", "--runs-dir", str(runs))
    assert "running (pid" in listing.stdout, listing.stdout
    wait_for(lambda: in_epoch(run_dir, 1), "training")
    stopped = cli("stop", str(run_dir))
    assert stopped.returncode == 0, stopped.stderr
    wait_for(lambda: status(run_dir).get("state") == "stopped", "the stop", timeout=60)
    assert (run_dir / "model.keras").is_file()
    assert (run_dir / "train.log").is_file()
    again = cli("stop", str(run_dir))
    assert again.returncode == 2
    assert_one_error(again.stderr, "not running")


def test_detach_runs_to_the_end(shared_data, tmp_path, spec):
    runs = tmp_path / "runs"
    started = cli("train", "--dataset", str(shared_data / "mnist"), "--model", str(spec),
                  "--limit", "500", "--epochs", "1", "--runs-dir", str(runs), "--detach")
    assert started.returncode == 0, started.stderr
    run_dir = Path(started.stdout.strip().splitlines()[-1])
    wait_for(lambda: status(run_dir).get("state") == "finished", "the end")
    assert "finished" in cli("runs", "--runs-dir", str(runs)).stdout


def test_skipped_files_are_said_by_train_and_kept_in_config(tmp_path):
    import sys as _sys

    _sys.path.insert(0, str(Path(__file__).resolve().parent))
    from dataset_files import write_image_folder

    folder = tmp_path / "pets"
    write_image_folder(folder, 6, (8, 8, 3))
    (folder / "cat" / "broken.png").write_bytes(b"\x89PNG not really")
    (folder / "dog" / "notes.txt").write_text("hello")
    (folder / "empty-class").mkdir()
    spec = tmp_path / "mlp.json"
    spec.write_text(json.dumps({"layers": [{"type": "Flatten"},
                                           {"type": "Dense", "units": 2,
                                            "activation": "softmax"}]}))
    result = cli("train", "--dataset", str(folder), "--model", str(spec), "--epochs", "1",
                 "--val-split", "0.25", "--runs-dir", str(tmp_path / "runs"))
    assert result.returncode == 0, result.stderr
    warning_lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert warning_lines and all(line.startswith("warning: ") for line in warning_lines)
    said = "\n".join(warning_lines)
    assert "broken.png" in said and "notes.txt" in said and "empty-class" in said
    run_dir = Path(result.stdout.strip().splitlines()[-1])
    recorded = json.loads((run_dir / "config.json").read_text())["dataset"]["warnings"]
    assert any("broken.png" in w for w in recorded)


def test_an_unwritable_runs_folder_is_refused_before_loading(shared_data, tmp_path, spec):
    blocker = tmp_path / "runs"
    blocker.write_text("a file where the runs folder should be")
    result = cli("train", "--dataset", str(shared_data / "mnist"), "--model", str(spec),
                 "--runs-dir", str(blocker))
    assert result.returncode == 2
    assert_one_error(result.stderr, "not a folder", "--runs-dir")
    assert result.stdout == ""  # refused before "Loading ..."
