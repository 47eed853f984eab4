"""Every dataset format, on the real files in ../shared/data and on generated ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from dataset_files import (
    cyclic_labels,
    random_images,
    write_cifar_batch,
    write_idx_folder,
    write_image_folder,
    write_png,
)

from cnn_tui.core.datasets import load_dataset, peek_dataset
from cnn_tui.core.datasets.catalog import CIFAR10_CLASSES, CIFAR100_CLASSES

# --- real data -------------------------------------------------------------------------


def test_real_mnist_idx(shared_data: Path) -> None:
    folder = shared_data / "mnist"
    info = peek_dataset(folder)
    assert (info.input_shape, info.n_train, info.n_test) == ((28, 28, 1), 60_000, 10_000)
    assert info.source == "idx" and info.available_offline
    assert info.class_names == tuple("0123456789")

    dataset = load_dataset(folder)
    assert dataset.x_train.shape == (60_000, 28, 28, 1)
    assert dataset.x_val.shape == (10_000, 28, 28, 1)
    assert dataset.x_train.dtype == np.uint8 and dataset.y_train.dtype == np.int64
    assert dataset.y_val[0] == 7  # the first MNIST test digit
    assert dataset.val_source == "test split"
    assert np.bincount(dataset.y_train).tolist()[:2] == [5923, 6742]  # published counts


def test_real_cifar10_npz_folder(shared_data: Path) -> None:
    dataset = load_dataset(shared_data / "cifar10")
    assert dataset.info.source == "npz"
    assert dataset.info.class_names == CIFAR10_CLASSES
    assert dataset.x_train.shape == (2000, 32, 32, 3) and dataset.x_val.shape == (1000, 32, 32, 3)
    assert dataset.y_val[:10].tolist() == [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]
    # the train files are concatenated in name order
    first = np.load(shared_data / "cifar10" / "cifar10_train_0000_0999.npz")
    second = np.load(shared_data / "cifar10" / "cifar10_train_1000_1999.npz")
    np.testing.assert_array_equal(dataset.x_train[:1000], first["x"])
    np.testing.assert_array_equal(dataset.x_train[1000:], second["x"])


def test_real_cifar100_npz_file(shared_data: Path) -> None:
    path = shared_data / "cifar100" / "cifar100_test_first20_fine.npz"
    info = peek_dataset(path)
    assert (info.input_shape, info.num_classes, info.n_train, info.n_test) == (
        (32, 32, 3), 100, 20, None,
    )  # fmt: skip
    assert info.class_names == CIFAR100_CLASSES
    dataset = load_dataset(path, val_split=0.1)
    assert len(dataset.y_train) + len(dataset.y_val) == 20 and len(dataset.y_val) == 2
    assert dataset.val_source == "10% held out of train"


def test_paths_never_import_tensorflow(shared_data: Path) -> None:
    code = (
        "import sys\n"
        "from cnn_tui.core.datasets import load_dataset, peek_dataset\n"
        f"peek_dataset({str(shared_data / 'mnist')!r}); peek_dataset('cifar10')\n"
        f"load_dataset({str(shared_data / 'cifar10')!r}, limit=10)\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- IDX -------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "raw"])
def test_idx_folder_with_test_split(tmp_path: Path, gz: bool) -> None:
    x, y = random_images(30, (6, 5)), cyclic_labels(30, 3)
    xt, yt = random_images(9, (6, 5), seed=1), cyclic_labels(9, 3)
    folder = write_idx_folder(tmp_path / "digits", x, y, xt, yt, gz=gz)
    info = peek_dataset(folder)
    assert (info.input_shape, info.num_classes, info.n_train, info.n_test) == ((6, 5, 1), 3, 30, 9)
    dataset = load_dataset(folder)
    np.testing.assert_array_equal(dataset.x_train[..., 0], x)
    np.testing.assert_array_equal(dataset.y_val, yt)
    assert dataset.x_train.flags.writeable


def test_idx_folder_without_test_holds_out(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "d", random_images(40, (4, 4)), cyclic_labels(40, 4))
    dataset = load_dataset(folder, val_split=0.25)
    assert (len(dataset.y_train), len(dataset.y_val)) == (30, 10)
    assert dataset.val_source == "25% held out of train"
    assert peek_dataset(folder).n_test is None


def test_idx_other_spellings(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "k", random_images(8, (3, 3)), cyclic_labels(8, 2))
    (folder / "train-images-idx3-ubyte.gz").rename(folder / "train-images.idx3-ubyte.gz")
    assert load_dataset(folder).info.n_train == 8


def test_idx_fashion_folder_gets_fashion_names(tmp_path: Path) -> None:
    folder = tmp_path / "fashion-mnist"
    write_idx_folder(folder, random_images(20, (28, 28)), cyclic_labels(20, 10))
    assert peek_dataset(folder).class_names[0] == "T-shirt/top"


# --- npz -------------------------------------------------------------------------------


def test_npz_keras_layout(tmp_path: Path) -> None:
    x, y = random_images(12, (5, 5, 3)), cyclic_labels(12, 3).reshape(-1, 1)
    xt, yt = random_images(6, (5, 5, 3), seed=2), cyclic_labels(6, 3).reshape(-1, 1)
    path = tmp_path / "set.npz"
    np.savez(path, x_train=x, y_train=y, x_test=xt, y_test=yt)
    info = peek_dataset(path)
    assert (info.input_shape, info.n_train, info.n_test, info.num_classes) == ((5, 5, 3), 12, 6, 3)
    dataset = load_dataset(path)
    assert dataset.y_train.shape == (12,) and dataset.y_train.dtype == np.int64
    np.testing.assert_array_equal(dataset.x_val, xt)


def test_npz_xy_layout_grayscale(tmp_path: Path) -> None:
    path = tmp_path / "xy.npz"
    np.savez(path, x=random_images(20, (7, 7)), y=cyclic_labels(20, 2).astype(np.int32))
    dataset = load_dataset(path, val_split=0.2)
    assert dataset.x_train.shape == (16, 7, 7, 1) and dataset.x_val.shape == (4, 7, 7, 1)
    assert dataset.x_train.dtype == np.uint8


def test_npz_folder_concatenates_train_then_test(tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    folder.mkdir()
    parts = [random_images(4, (3, 3, 3), seed=s) for s in range(3)]
    np.savez(folder / "b_train_2.npz", x=parts[1], y=cyclic_labels(4, 2))
    np.savez(folder / "a_train_1.npz", x=parts[0], y=cyclic_labels(4, 2))
    np.savez(folder / "c_test.npz", x=parts[2], y=cyclic_labels(4, 2))
    assert peek_dataset(folder).n_train == 8
    dataset = load_dataset(folder)
    np.testing.assert_array_equal(dataset.x_train, np.concatenate(parts[:2]))
    np.testing.assert_array_equal(dataset.x_val, parts[2])


# --- CIFAR python batches --------------------------------------------------------------


def test_cifar10_batches(tmp_path: Path) -> None:
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batches = [random_images(10, (32, 32, 3), seed=s) for s in range(3)]
    write_cifar_batch(folder / "data_batch_1", batches[0], cyclic_labels(10, 10))
    write_cifar_batch(folder / "data_batch_2", batches[1], cyclic_labels(10, 10))
    write_cifar_batch(folder / "test_batch", batches[2], cyclic_labels(10, 10)[::-1])
    # the extracted archive's parent folder works too
    dataset = load_dataset(tmp_path)
    assert dataset.info.source == "cifar-batches"
    np.testing.assert_array_equal(dataset.x_train, np.concatenate(batches[:2]))
    np.testing.assert_array_equal(dataset.x_val, batches[2])
    assert dataset.y_val[0] == 9
    assert dataset.info.class_names == CIFAR10_CLASSES
    assert peek_dataset(folder).n_test == 10


def test_cifar100_files_use_meta_names(tmp_path: Path) -> None:
    import pickle

    x = random_images(6, (32, 32, 3))
    write_cifar_batch(tmp_path / "train", x, np.array([0, 1, 2, 0, 1, 2]), key="fine_labels")
    write_cifar_batch(tmp_path / "test", x[:3], np.array([2, 1, 0]), key="fine_labels")
    meta = {b"fine_label_names": [b"alpha", b"beta", b"gamma"]}
    (tmp_path / "meta").write_bytes(pickle.dumps(meta, protocol=2))
    dataset = load_dataset(tmp_path)
    assert dataset.info.class_names == ("alpha", "beta", "gamma")
    assert dataset.y_val.tolist() == [2, 1, 0]


# --- image folders ---------------------------------------------------------------------


def test_image_folder_rgb(tmp_path: Path) -> None:
    written = write_image_folder(tmp_path / "pets", 10, (9, 8, 3))
    info = peek_dataset(tmp_path / "pets")
    assert (info.input_shape, info.class_names, info.n_train) == ((9, 8, 3), ("cat", "dog"), 20)
    dataset = load_dataset(tmp_path / "pets", val_split=0.2, seed=3)
    assert dataset.info.source == "image-folder"
    assert (len(dataset.y_train), len(dataset.y_val)) == (16, 4)
    everything = {image.tobytes() for images in written.values() for image in images}
    assert all(image.tobytes() in everything for image in dataset.x_train)  # PNG is lossless


def test_image_folder_grayscale_stays_one_channel(tmp_path: Path) -> None:
    write_image_folder(tmp_path / "g", 5, (6, 6, 1), classes=("a", "b", "c"))
    dataset = load_dataset(tmp_path / "g", val_split=0.2)
    assert dataset.x_train.shape[1:] == (6, 6, 1)
    assert peek_dataset(tmp_path / "g").input_shape == (6, 6, 1)


def test_image_folder_rgba_becomes_rgb(tmp_path: Path) -> None:
    for label in ("x", "y"):
        for i in range(3):
            write_png(tmp_path / "r" / label / f"{i}.png", random_images(1, (4, 4, 4))[0])
    assert load_dataset(tmp_path / "r", val_split=0.3).x_train.shape[1:] == (4, 4, 3)


def test_image_folder_train_test(tmp_path: Path) -> None:
    write_image_folder(tmp_path / "s" / "train", 4, (5, 5, 3))
    write_image_folder(tmp_path / "s" / "test", 2, (5, 5, 3))
    info = peek_dataset(tmp_path / "s")
    assert (info.n_train, info.n_test) == (8, 4)
    dataset = load_dataset(tmp_path / "s")
    assert dataset.val_source == "test split" and sorted(dataset.y_val.tolist()) == [0, 0, 1, 1]


def test_image_folder_sizes_must_agree_or_be_given(tmp_path: Path) -> None:
    from cnn_tui.core.errors import DatasetError

    write_image_folder(tmp_path / "m", 3, (8, 8, 3))
    write_png(tmp_path / "m" / "dog" / "big.png", random_images(1, (12, 10, 3))[0])
    with pytest.raises(DatasetError, match="big.png.*--image-size"):
        load_dataset(tmp_path / "m")
    dataset = load_dataset(tmp_path / "m", image_size=(16, 20), val_split=0.3)
    assert dataset.x_train.shape[1:] == (16, 20, 3)
    assert peek_dataset(tmp_path / "m", image_size=16).input_shape == (16, 16, 3)


def test_image_folder_skips_corrupt_and_stray_files(tmp_path: Path) -> None:
    write_image_folder(tmp_path / "c", 5, (6, 6, 3))
    (tmp_path / "c" / "cat" / "broken.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "c" / "dog" / "notes.txt").write_text("hello")
    dataset = load_dataset(tmp_path / "c", val_split=0.2)
    assert len(dataset.y_train) + len(dataset.y_val) == 10
    assert any("broken.png" in w and "skipped" in w for w in dataset.warnings)
    assert any("notes.txt" in w for w in dataset.warnings)


def test_progress_reports_fractions(tmp_path: Path) -> None:
    write_image_folder(tmp_path / "p", 60, (4, 4, 3))
    seen: list[tuple[float, str]] = []
    load_dataset(tmp_path / "p", progress=lambda f, t: seen.append((f, t)))
    fractions = [f for f, _ in seen]
    assert fractions[-1] == 1.0 and all(0.0 <= f <= 1.0 for f in fractions)
    assert fractions == sorted(fractions) and len(seen) >= 3
