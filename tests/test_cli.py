"""The command line: exit codes, one-line errors, and what each command prints."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cnn_tui.cli import main
from cnn_tui.core.presets import PRESETS
from cnn_tui.core.shapes import infer_shapes


def run_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cnn_tui", *argv], capture_output=True, text=True, timeout=300
    )


def assert_one_error_line(err: str, *words: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    for word in words:
        assert word in lines[0], err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["summary", "--model", "no-such-preset"], ["no-such-preset", "seed-cnn"]),
        (["summary", "--dataset", "imagenet"], ["imagenet", "mnist"]),
        (["summary", "--dataset", "/no/such/folder"], ["/no/such/folder"]),
        (["train", "--epochs", "0"], ["--epochs", "from 1 to"]),
        (["train", "--image-size", "100000x100000"], ["--image-size", "4096"]),
        (["train", "--seed", "9" * 5000], ["--seed"]),
        (["train", "--val-split", "nan"], ["--val-split"]),
        (["train", "--resume", "no-such-run"], ["no-such-run", "not a run directory"]),
        (["stop", "no-such-run"], ["no-such-run"]),
        (["train", "--batch-size", "-3"], ["--batch-size"]),
        (["train", "--lr", "abc"], ["--lr", "abc"]),
        (["train", "--augment", "rotation_range=999"], ["rotation_range"]),
        (["train", "--augment", "twirl=1"], ["twirl"]),
        (["export", "no-such-run", "-o", "out.csv"], ["no-such-run"]),
        (["train", "--lr-schedule", "cosine", "--plateau-patience", "2"],
         ["plateau wait (--plateau-patience) needs lr schedule constant", "got lr schedule "
          "cosine"]),
        (["train", "--warmup-epochs", "10", "--epochs", "10"],
         ["warm-up must be shorter than the run", "--warmup-epochs"]),
        (["train", "--monitor", "val_auc"], ["--monitor", "val_loss, val_accuracy"]),
        (["frobnicate"], ["frobnicate"]),
    ],
)
def test_bad_input_exits_2_with_one_error_line(argv, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert_one_error_line(captured.err, *words)
    assert "Traceback" not in captured.out + captured.err


def test_bad_spec_file_names_the_layer(capsys, tmp_path):
    spec = tmp_path / "big-kernel.json"
    spec.write_text(json.dumps({"layers": [
        {"type": "Conv2D", "filters": 8, "kernel_size": 40},
        {"type": "Flatten"},
        {"type": "Dense", "units": 10, "activation": "softmax"},
    ]}))
    assert main(["train", "--model", str(spec), "--runs-dir", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err
    assert_one_error_line(err, "layer 1", "Conv2D")
    assert not (tmp_path / "runs").exists(), "a rejected spec must not leave a run directory"


def test_summary_json_matches_the_inference(capsys):
    assert main(["summary", "--model", "seed-cnn", "--dataset", "cifar10", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    report = infer_shapes(PRESETS["seed-cnn"], (32, 32, 3), 10)
    assert printed["total_params"] == report.total_params
    assert [layer["output_shape"] for layer in printed["layers"]] == [
        list(row.output_shape) for row in report.rows
    ]
    flatten = next(layer for layer in printed["layers"] if layer["type"] == "Flatten")
    assert flatten["output_shape"] == [256]  # 2x2x64, as the tutorial says
    assert set(printed["layers"][0]) >= {"name", "type", "output_shape", "params"}


def test_summary_json_carries_each_layers_cost_through_the_binary():
    result = run_cli("summary", "--model", "seed-cnn", "--dataset", "cifar10", "--json",
                     "--batch-size", "128", "--optimizer", "adam")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    first = printed["layers"][0]
    assert first["macs"] == 32 * 32 * 3 * 3 * 3 * 32 == 884_736
    assert (first["receptive_field"], first["jump"]) == ([3, 3], [1, 1])
    assert first["activation_bytes"] == 32 * 32 * 32 * 4 * 128
    pool = printed["layers"][2]  # 2x2 max pooling after two 3x3 convs
    assert (pool["macs"], pool["receptive_field"], pool["jump"]) == (0, [6, 6], [2, 2])
    dense = printed["layers"][13]
    assert (dense["macs"], dense["receptive_field"], dense["jump"]) == (256 * 512, "all", None)
    assert printed["total_macs"] == 21_609_472
    assert (printed["batch_size"], printed["optimizer"]) == (128, "adam")
    # Weights, gradients and Adam's two slots, then the input and every output per image.
    assert printed["estimated_training_bytes"] == 276_138 * 4 * 4 + 113_994 * 4 * 128
    default = json.loads(run_cli("summary", "--model", "seed-cnn", "--dataset", "cifar10",
                                 "--json").stdout)
    assert (default["batch_size"], default["optimizer"]) == (256, "rmsprop")


def test_summary_table_shows_the_cost_in_80_columns(capsys):
    assert main(["summary", "--model", "seed-cnn", "--dataset", "cifar10"]) == 0
    printed = capsys.readouterr().out
    assert max(len(line) for line in printed.splitlines()) <= 80
    assert " 1  conv2d           884.7K    3x3     1      33.6 MB" in printed
    assert "Training memory at batch 256 with rmsprop: about 120.0 MB" in printed


def test_help_and_summary_do_not_load_tensorflow_or_textual():
    code = (
        "import sys\n"
        "from cnn_tui.cli import main\n"
        "main(['summary', '--model', 'lenet5', '--dataset', 'mnist'])\n"
        "loaded = [m for m in ('tensorflow', 'keras', 'textual') if m in sys.modules]\n"
        "print('LOADED', loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert "LOADED []" in result.stdout, result.stdout + result.stderr
    help_result = run_cli("--help")
    assert help_result.returncode == 0 and "train" in help_result.stdout


def test_train_export_and_runs_on_real_mnist(shared_data: Path, tmp_path: Path):
    runs = tmp_path / "runs"
    result = run_cli("train", "--dataset", str(shared_data / "mnist"), "--model", "seed-mlp",
                     "--limit", "600", "--epochs", "2", "--batch-size", "64", "--seed", "3",
                     "--runs-dir", str(runs), "--name", "cli-test")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "TensorFlow's log lines must not reach the terminal"
    run_dir = Path(result.stdout.strip().splitlines()[-1])
    assert run_dir.parent == runs and run_dir.name.endswith("-cli-test")
    assert "epoch 2/2" in result.stdout
    with (run_dir / "history.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [row["epoch"] for row in rows] == ["1", "2"]
    assert (run_dir / "model.keras").is_file()
    assert (run_dir / "tensorflow.log").is_file()

    listing = run_cli("runs", "--runs-dir", str(runs))
    assert run_dir.name in listing.stdout and "seed-mlp" in listing.stdout

    out = tmp_path / "all.csv"
    exported = run_cli("export", run_dir.name, "--runs-dir", str(runs), "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    with out.open() as file:
        reader = csv.reader(file)
        header = next(reader)
        body = list(reader)
    assert header[:2] == ["run", "epoch"] and "val_accuracy" in header
    assert [row[0] for row in body] == [run_dir.name, run_dir.name]


def test_cli_flags_come_from_the_settings_table():
    from cnn_tui.cli.parser import build_parser
    from cnn_tui.core.runs.config import RUN_SETTINGS

    train = build_parser()._subparsers._group_actions[0].choices["train"]
    flags = {opt for action in train._actions for opt in action.option_strings}
    for setting in RUN_SETTINGS:
        assert setting.cli_flag in flags


def test_train_infers_the_shapes_once(shared_data: Path, tmp_path: Path, monkeypatch):
    from cnn_tui.core import keras_model, shapes

    calls = []
    real = shapes.infer_shapes

    def counting(*args, **kwargs):
        calls.append(args[1:])
        return real(*args, **kwargs)

    monkeypatch.setattr(shapes, "infer_shapes", counting)
    monkeypatch.setattr(keras_model, "infer_shapes", counting)
    code = main(["train", "--dataset", str(shared_data / "mnist"), "--model", "seed-mlp",
                 "--limit", "200", "--epochs", "1", "--runs-dir", str(tmp_path / "runs")])
    assert code == 0
    assert calls == [((28, 28, 1), 10)]
