"""``cnn-tui inspect``, ``predict`` and ``probe`` through the real binary, on real MNIST runs.

Two tiny runs are trained once for the module: seed-mlp on 300 digits
(validated on MNIST's 10,000-image test split) and on an npz without a test
split (validated on a seeded 20% hold-out, which inspection must rebuild).
"""

from __future__ import annotations

import csv
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.history import read_history
from cnn_tui.core.runs.rundir import MODEL_FILE, read_config
from cnn_tui.core.runs.runner import run_training
from tests.conftest import SHARED_DATA
from tests.dataset_files import write_png
from tests.resources import missing
from tests.test_cli import assert_one_error_line, run_cli


def train(dataset: Path, runs: Path, name: str, **settings: object) -> Path:
    config = TrainConfig(dataset=str(dataset), model="seed-mlp", epochs=1, batch_size=64,
                         seed=3, runs_dir=runs, name=name, **settings)
    outcome = run_training(config, lambda _event: None, threading.Event())
    assert outcome.state == "finished", outcome.message
    assert outcome.run_dir is not None
    return outcome.run_dir


@pytest.fixture(scope="module")
def mnist_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(a run validated on the test split, one validated on a hold-out), in one runs folder."""
    mnist = SHARED_DATA / "mnist"
    if not mnist.is_dir():
        missing(f"real MNIST not found at {mnist}")
    root = tmp_path_factory.mktemp("inspect-cli")
    from cnn_tui.core.datasets import load_dataset

    digits = load_dataset(str(mnist), limit=600, seed=0)
    no_test = root / "digits.npz"
    np.savez(no_test, x=digits.x_train[..., 0], y=digits.y_train)
    test_split = train(mnist, root / "runs", "mlp", limit=300)
    held_out = train(no_test, root / "runs", "held-out", val_split=0.2)
    return test_split, held_out


def last_val_accuracy(run: Path) -> float:
    return read_history(run)["val_accuracy"][-1]


def test_inspect_json_and_csv(mnist_runs: tuple[Path, Path], tmp_path: Path) -> None:
    run = mnist_runs[0]
    out = tmp_path / "per-class.csv"
    result = run_cli("inspect", run.name, "--runs-dir", str(run.parent), "--json", "--csv",
                     str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "TensorFlow's log lines must not reach the terminal"
    data = json.loads(result.stdout)
    assert data["classes"] == [str(d) for d in range(10)] and data["split"] == "test split"
    confusion = np.array(data["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == 10_000
    # The same model on the same split as training's last validation: the same accuracy.
    assert data["accuracy"] == pytest.approx(last_val_accuracy(run), abs=1e-6)
    assert data["accuracy"] == pytest.approx(np.trace(confusion) / 10_000)
    assert [row["class"] for row in data["per_class"]] == data["classes"]
    assert all(set(row) == {"class", "precision", "recall", "f1", "support"}
               for row in data["per_class"])
    assert [row["support"] for row in data["per_class"]] == confusion.sum(axis=1).tolist()
    with out.open() as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["class", "precision", "recall", "f1", "support"] and len(rows) == 11
    assert [int(row[4]) for row in rows[1:]] == confusion.sum(axis=1).tolist()

    text = run_cli("inspect", str(run))  # from the cache this time
    assert text.returncode == 0 and text.stderr == ""
    for words in ("accuracy", "confusion matrix (rows: true class", "precision  recall",
                  "most confused pairs"):
        assert words in text.stdout


def test_a_held_out_split_is_rebuilt_exactly(mnist_runs: tuple[Path, Path]) -> None:
    from cnn_tui.core.inspect import evaluate_run, load_run

    run = mnist_runs[1]
    evaluation = evaluate_run(load_run(run), use_cache=False)
    assert evaluation.split == "20% held out of train"
    assert len(evaluation.labels) == read_config(run)["dataset"]["n_val"]
    assert evaluation.accuracy == pytest.approx(last_val_accuracy(run), abs=1e-6)


def test_predict_top_three(mnist_runs: tuple[Path, Path], tmp_path: Path) -> None:
    from cnn_tui.core.datasets import load_dataset

    digits = load_dataset(str(SHARED_DATA / "mnist"), limit=10, seed=0)
    write_png(tmp_path / "grey.png", digits.x_val[0])
    big_rgb = np.repeat(np.kron(digits.x_val[1], np.ones((2, 2, 1), np.uint8)), 3, axis=-1)
    write_png(tmp_path / "big-rgb.png", big_rgb)  # 56x56 colour: shrunk and made grey
    images = [str(tmp_path / "grey.png"), str(tmp_path / "big-rgb.png")]
    result = run_cli("predict", str(mnist_runs[0]), *images, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert [entry["image"] for entry in data] == images
    for entry in data:
        probabilities = [top["probability"] for top in entry["top"]]
        assert len(entry["top"]) == 3 and probabilities == sorted(probabilities, reverse=True)
        assert all(top["class"] in [str(d) for d in range(10)] for top in entry["top"])
        assert 0 < sum(probabilities) <= 1 + 1e-6

    (tmp_path / "broken.png").write_bytes(b"not an image")
    bad = run_cli("predict", str(mnist_runs[0]), images[0], str(tmp_path / "broken.png"))
    assert bad.returncode == 2
    assert_one_error_line(bad.stderr, "broken.png", "cannot be read as an image")


def test_probe_table_and_csv(mnist_runs: tuple[Path, Path], tmp_path: Path) -> None:
    run = mnist_runs[0]
    out = tmp_path / "probe.csv"
    given = [str(run), run.name]
    result = run_cli("probe", *given, "--runs-dir", str(run.parent), "--max-shift", "1",
                     "--csv", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["shift", "(px)", *given] and len(lines) == 3
    with out.open() as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["run", "shift", "accuracy"]
    assert [(row["run"], row["shift"]) for row in rows] == [
        (given[0], "0"), (given[0], "1"), (given[1], "0"), (given[1], "1")]
    assert float(rows[0]["accuracy"]) == pytest.approx(last_val_accuracy(run), abs=1e-6)

    too_far = run_cli("probe", str(run), "--max-shift", "8")
    assert too_far.returncode == 2
    assert_one_error_line(too_far.stderr, "from 0 to 7 pixels")


def test_broken_runs_give_one_line_and_no_traceback(mnist_runs: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    broken = tmp_path / "broken-run"
    shutil.copytree(mnist_runs[0], broken)
    shutil.rmtree(broken / "inspect", ignore_errors=True)
    (broken / MODEL_FILE).write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    for argv, words in [(["inspect", str(broken)], ["damaged"]),
                        (["probe", str(broken)], ["damaged"]),
                        (["inspect", str(tmp_path)], ["no run at"]),
                        (["inspect", str(mnist_runs[0]), "--csv",
                          str(mnist_runs[0] / "x.csv")], ["inside the run directory"])]:
        result = run_cli(*argv)
        assert result.returncode == 2, (argv, result.stdout)
        assert "Traceback" not in result.stdout + result.stderr
        assert_one_error_line(result.stderr, *words)
