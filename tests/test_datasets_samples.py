"""The bundled samples: they load offline, are balanced, and are the real images they claim."""

from __future__ import annotations

import ast
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
import pytest

from cnn_tui.core.datasets import BUNDLED_SAMPLES, load_dataset, peek_dataset
from cnn_tui.core.datasets.idx import read_idx
from cnn_tui.core.datasets.samples import DATA_DIR, sample_for
from cnn_tui.core.errors import DatasetError

ROOT = Path(__file__).resolve().parents[1]


def stored(name: str) -> dict[str, np.ndarray]:
    with np.load(BUNDLED_SAMPLES[name].path) as archive:
        return {key: archive[key] for key in archive.files}


@pytest.mark.parametrize(("name", "shape", "first_class", "n"), [
    ("mnist-sample", (28, 28, 1), "0", 10_000),
    ("cifar10-sample", (32, 32, 3), "airplane", 2_000),
])
def test_sample_peeks_and_loads_with_a_stratified_hold_out(name, shape, first_class, n) -> None:
    info = peek_dataset(name)
    assert (info.source, info.input_shape, info.n_train, info.n_test) == ("bundled", shape, n, None)
    assert info.available_offline and info.num_classes == 10
    assert info.class_names[0] == first_class
    dataset = load_dataset(name, val_split=0.1, seed=3)
    assert dataset.val_source == "10% held out of train"
    assert dataset.x_train.dtype == np.uint8 and dataset.x_train.shape[1:] == shape
    assert len(dataset.y_train) + len(dataset.y_val) == n and len(dataset.y_val) == n // 10
    # Stratified: each class gives a tenth of its images (give or take the rounding).
    total = np.bincount(np.concatenate([dataset.y_train, dataset.y_val]), minlength=10)
    held = np.bincount(dataset.y_val, minlength=10)
    assert np.all(np.abs(held - total * 0.1) <= 1)


def test_sample_names_are_forgiving_and_offered_for_their_dataset() -> None:
    assert peek_dataset("MNIST_sample").name == "mnist-sample"
    assert (sample_for("mnist"), sample_for("cifar10"), sample_for("fashion_mnist")) == (
        "mnist-sample", "cifar10-sample", None)


def test_mnist_sample_has_exactly_1000_of_each_digit() -> None:
    arrays = stored("mnist-sample")
    assert np.bincount(arrays["y"]).tolist() == [1_000] * 10
    assert arrays["x"].shape == (10_000, 28, 28) and arrays["x"].dtype == np.uint8


def test_cifar10_sample_is_all_2000_images_nearly_balanced() -> None:
    counts = np.bincount(stored("cifar10-sample")["y"], minlength=10)
    # The first 2,000 of data_batch_1 as they are: 183 to 214 per class (documented).
    assert counts.tolist() == list(BUNDLED_SAMPLES["cifar10-sample"].class_counts)
    assert counts.sum() == 2_000 and counts.min() >= 180 and counts.max() <= 220


def test_mnist_sample_is_the_first_1000_of_each_digit_of_real_mnist(shared_data: Path) -> None:
    arrays = stored("mnist-sample")
    x = read_idx(shared_data / "mnist" / "train-images-idx3-ubyte.gz", 3)
    y = read_idx(shared_data / "mnist" / "train-labels-idx1-ubyte.gz", 1)
    index = arrays["index"]
    expected = np.sort(np.concatenate([np.flatnonzero(y == d)[:1_000] for d in range(10)]))
    assert np.array_equal(index, expected)
    assert np.array_equal(arrays["y"], y[index])
    for row in (0, 1, 4_999, 9_998, 9_999):  # a few images, pixel for pixel
        assert np.array_equal(arrays["x"][row], x[index[row]])
    loaded = load_dataset("mnist-sample")  # and through the loader, as training sees them
    assert any(np.array_equal(loaded.x_val[0, ..., 0], image) for image in x[index])


def test_cifar10_sample_is_the_real_first_2000_training_images(shared_data: Path) -> None:
    arrays = stored("cifar10-sample")
    assert np.array_equal(arrays["index"], np.arange(2_000))
    for part, offset in (("0000_0999", 0), ("1000_1999", 1_000)):
        with np.load(shared_data / "cifar10" / f"cifar10_train_{part}.npz") as real:
            x, y = real["x"], real["y"].reshape(-1)
        assert np.array_equal(arrays["y"][offset:offset + 1_000], y)
        for row in (0, 1, 500, 999):
            assert np.array_equal(arrays["x"][offset + row], x[row])


def test_offline_errors_name_the_sample_to_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr("cnn_tui.core.datasets.named._reachable", lambda url: False)
    for name, sample in (("mnist", "mnist-sample"), ("cifar10", "cifar10-sample")):
        with pytest.raises(DatasetError, match=f"--dataset {sample}"):
            load_dataset(name)
    with pytest.raises(DatasetError) as caught:
        load_dataset("fashion_mnist")
    assert "sample" not in str(caught.value)


def test_samples_and_their_notice_are_package_data() -> None:
    """What pip install . ships: pyproject's package-data globs cover every file."""
    # The line itself (tomllib is Python 3.11+; the project supports 3.10).
    [line] = [line for line in (ROOT / "pyproject.toml").read_text().splitlines()
              if line.startswith('"cnn_tui.core.datasets" = ')]
    globs = ast.literal_eval(line.split(" = ", 1)[1])
    shipped = [p.name for p in DATA_DIR.iterdir()]
    assert sorted(shipped) == sorted({"NOTICE.md", *(s.file for s in BUNDLED_SAMPLES.values())})
    for name in shipped:
        assert any(fnmatch(f"data/{name}", glob) for glob in globs), name
    notice = (DATA_DIR / "NOTICE.md").read_text()
    for words in ("LeCun", "CC BY-SA 3.0", "Krizhevsky", "cifar.html"):
        assert words in notice
