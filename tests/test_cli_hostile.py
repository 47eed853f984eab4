"""Hostile input through the real command line: exit 2, one error line, nothing written."""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from tests.dataset_files import idx_bytes, random_images, write_image_folder
from tests.run_files import write_good_run, write_hostile_runs
from tests.test_cli import run_cli


def assert_refused(argv: list[str], *words: str, runs: Path | None = None) -> str:
    result = run_cli(*argv)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    if runs is not None:
        assert not runs.exists(), "a refused command must not create the runs folder"
    return lines[0]


# -- export ---------------------------------------------------------------------


def test_export_refuses_to_write_into_a_run_directory(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    run = write_good_run(runs)
    (tmp_path / "link.csv").symlink_to(run / "history.csv")
    files = {p.name: p.read_bytes() for p in run.iterdir()}
    for target in (run / "history.csv", run / "sub" / ".." / "config.json",
                   tmp_path / "link.csv", runs / run.name / "new.csv"):
        assert_refused(["export", str(run), "-o", str(target)], "inside the run directory")
        assert_refused(["export", run.name, "--runs-dir", str(runs), "-o", str(target)],
                       "inside the run directory")
    assert {p.name: p.read_bytes() for p in run.iterdir()} == files


def test_export_into_a_missing_folder_or_onto_a_folder_is_refused(tmp_path: Path) -> None:
    run = write_good_run(tmp_path / "runs")
    assert_refused(["export", str(run), "-o", str(tmp_path / "nope" / "x.csv")], "does not exist")
    assert_refused(["export", str(run), "-o", str(tmp_path)], "is a folder")
    assert not (tmp_path / "nope").exists()


# -- runs -----------------------------------------------------------------------


def test_runs_lists_hostile_folders_as_unreadable(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    good = write_good_run(runs)
    expected = write_hostile_runs(runs)
    result = run_cli("runs", "--runs-dir", str(runs))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith(good.name) and line.endswith("finished") for line in lines)
    for name, reason in expected.items():
        assert any(line.startswith(name) and line.endswith("unreadable") for line in lines), name
        assert any(line.startswith(f"{name}: unreadable, ") and reason in line for line in lines)


# -- train and summary ------------------------------------------------------------


def lying_idx_folder(folder: Path) -> Path:
    folder.mkdir()
    images = idx_bytes(random_images(20, (28, 28)))
    images = images[:4] + struct.pack(">I", 4_000_000_000) + images[8:]
    (folder / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(images))
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(
        idx_bytes(np.arange(20) % 10)))
    return folder


def hostile_inputs(root: Path) -> list[tuple[list[str], str]]:
    """(arguments, a word of the error) for each refused input, files written under ``root``."""
    x = random_images(51, (8, 8))
    np.savez(root / "stray.npz", x=x, y=np.concatenate([np.arange(10).repeat(5), [1000]]))
    np.savez(root / "negative.npz", x=x, y=np.arange(51) % 5 - 1)
    n = 100_001
    np.savez(root / "classes.npz", x=np.zeros((n, 1, 1), np.uint8), y=np.arange(n))
    np.savez(root / "no-arrays.npz")
    np.savez(root / "no-images.npz", x=np.zeros((0, 8, 8), np.uint8), y=np.zeros(0, np.int64))
    write_image_folder(root / "folder", 2, (8, 8, 3))
    specs = {
        "filters.json": '{"layers": [{"type": "Conv2D", "filters": 1000000000, "kernel_size": 3},'
                        ' {"type": "Flatten"}, {"type": "Dense", "units": 10}]}',
        "size.json": '{"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 100000},'
                     ' {"type": "Dense", "units": 100000}, {"type": "Dense", "units": 10}]}',
        "nan.json": '{"layers": [{"type": "Flatten"}, {"type": "Dropout", "rate": NaN},'
                    ' {"type": "Dense", "units": 10}]}',
        "deep.json": '{"layers": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "digits.json": '{"layers": [{"type": "Dense", "units": ' + "9" * 5000 + "}]}",
    }
    for name, text in specs.items():
        (root / name).write_text(text)
    mnist = ["--dataset", "mnist"]  # named: its shape is known without files
    return [
        (["--dataset", str(root / "stray.npz")], "stray label(s) 1000"),
        (["--dataset", str(root / "negative.npz")], "include -1"),
        (["--dataset", str(root / "classes.npz")], "100,001 classes"),
        (["--dataset", str(lying_idx_folder(root / "idx"))], "promises"),
        (["--dataset", str(root / "no-arrays.npz")], "has arrays none"),
        (["--dataset", str(root / "no-images.npz")], "holds no images"),
        ([*mnist, "--model", str(root / "filters.json")], "filters=1000000000 is too large"),
        ([*mnist, "--model", str(root / "size.json")], "parameters ("),
        ([*mnist, "--model", str(root / "nan.json")], "rate is NaN"),
        ([*mnist, "--model", str(root / "deep.json")], "nested too deeply"),
        ([*mnist, "--model", str(root / "digits.json")], "5000-digit number"),
        (["--dataset", str(root / "folder"), "--image-size", "100000x100000"], "4096"),
    ]


@pytest.mark.parametrize("command", ["train", "summary"])
def test_hostile_inputs_are_refused_before_anything_is_written(
    tmp_path: Path, command: str
) -> None:
    runs = tmp_path / "runs"
    for options, word in hostile_inputs(tmp_path):
        extra = ["--runs-dir", str(runs), "--epochs", "1"] if command == "train" else []
        message = assert_refused([command, *options, *extra], word, runs=runs)
        assert len(message) < 400, message


def test_summary_json_of_a_refused_model_still_exits_2(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps({"layers": [
        {"type": "Flatten"}, {"type": "Dense", "units": 10**9}, {"type": "Dense", "units": 10}]}))
    result = run_cli("summary", "--dataset", "mnist", "--model", str(tmp_path / "m.json"),
                     "--json")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "units=1000000000 is too large" in json.loads(result.stdout)["errors"][0]
