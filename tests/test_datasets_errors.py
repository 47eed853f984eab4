"""Bad dataset input gives one DatasetError whose message names the file and what to do."""

from __future__ import annotations

import gzip
import pickle
import time
from pathlib import Path

import numpy as np
import pytest
from dataset_files import (
    cyclic_labels,
    idx_bytes,
    random_images,
    write_cifar_batch,
    write_idx_folder,
)

from cnn_tui.core.datasets import load_dataset, peek_dataset
from cnn_tui.core.errors import DatasetError


def _both(source: Path | str, match: str) -> None:
    """peek and load both refuse ``source`` with a message matching ``match``."""
    with pytest.raises(DatasetError, match=match):
        peek_dataset(source)
    with pytest.raises(DatasetError, match=match):
        load_dataset(source)


def test_missing_path() -> None:
    _both("no/such/folder", "no/such/folder does not exist")


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(DatasetError) as caught:
        load_dataset("imagenet")
    message = str(caught.value)
    assert "'imagenet'" in message and "path" in message
    assert all(name in message for name in ("mnist", "fashion_mnist", "cifar10", "cifar100"))


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    _both(tmp_path / "empty", "empty folder")


def test_unrecognised_folder_and_file(tmp_path: Path) -> None:
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "readme.txt").write_text("hi")
    _both(tmp_path / "junk", "junk holds no dataset")
    _both(tmp_path / "junk" / "readme.txt", "readme.txt is not a dataset file")


def test_truncated_gzip_idx(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "t", random_images(50, (8, 8)), cyclic_labels(50, 2))
    images = folder / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:-200])
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte.gz is corrupt or truncated"):
        load_dataset(folder)


def test_raw_idx_size_mismatch(tmp_path: Path) -> None:
    folder = write_idx_folder(
        tmp_path / "r", random_images(5, (4, 4)), cyclic_labels(5, 2), gz=False
    )
    images = folder / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:-3])
    _both(folder, "train-images-idx3-ubyte is 93 bytes but its header promises 96")


def test_gzip_idx_with_fewer_values_than_header(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "g", random_images(5, (4, 4)), cyclic_labels(5, 2))
    short = idx_bytes(random_images(5, (4, 4)))[:-10]  # a valid gzip of a short IDX
    (folder / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(short))
    with pytest.raises(DatasetError, match=r"holds 70 values but its header promises 80"):
        load_dataset(folder)


def test_bad_magic_number(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "m", random_images(5, (4, 4)), cyclic_labels(5, 2))
    # labels where images should be: magic 0x00000801 instead of 0x00000803
    (folder / "train-images-idx3-ubyte.gz").write_bytes(
        gzip.compress(idx_bytes(cyclic_labels(5, 2)))
    )
    _both(folder, "train-images-idx3-ubyte.gz has magic number 0x00000801")


def test_idx_image_and_label_counts_differ(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "n", random_images(6, (4, 4)), cyclic_labels(5, 2))
    with pytest.raises(DatasetError, match="6 images but .*train-labels-idx1-ubyte.gz has 5"):
        load_dataset(folder)


def test_npz_missing_keys_lists_what_it_has(tmp_path: Path) -> None:
    path = tmp_path / "odd.npz"
    np.savez(path, images=random_images(3, (4, 4)), targets=np.arange(3))
    _both(path, r"odd.npz has arrays \['images', 'targets'\]; expected x_train")


def test_npz_half_a_test_split(tmp_path: Path) -> None:
    path = tmp_path / "half.npz"
    np.savez(path, x_train=random_images(3, (4, 4)), y_train=np.arange(3), x_test=np.zeros(1))
    _both(path, "half.npz has x_test but no y_test")


def test_npz_mismatched_lengths(tmp_path: Path) -> None:
    path = tmp_path / "len.npz"
    np.savez(path, x=random_images(10, (4, 4)), y=cyclic_labels(9, 2))
    with pytest.raises(DatasetError, match="len.npz has 10 images but 9 labels"):
        load_dataset(path)


def test_npz_negative_labels(tmp_path: Path) -> None:
    path = tmp_path / "neg.npz"
    np.savez(path, x=random_images(4, (4, 4)), y=np.array([0, 1, -1, 1]))
    with pytest.raises(DatasetError, match="neg.npz include -1"):
        load_dataset(path)


def test_labels_out_of_range_for_known_classes(tmp_path: Path) -> None:
    path = tmp_path / "cifar10_bad.npz"
    np.savez(path, x=random_images(4, (32, 32, 3)), y=np.array([0, 3, 10, 1]))
    _both(path, "cifar10_bad.npz go up to 10 but the dataset has 10 classes")


def test_cifar_labels_out_of_range_for_meta(tmp_path: Path) -> None:
    write_cifar_batch(tmp_path / "data_batch_1", random_images(3, (32, 32, 3)), np.array([0, 1, 4]))
    meta = {b"label_names": [b"a", b"b", b"c"]}
    (tmp_path / "batches.meta").write_bytes(pickle.dumps(meta, protocol=2))
    with pytest.raises(DatasetError, match="go up to 4 but the dataset has 3 classes"):
        load_dataset(tmp_path)


def test_images_with_wrong_ndim(tmp_path: Path) -> None:
    path = tmp_path / "flat.npz"
    np.savez(path, x=random_images(4, (16,)), y=cyclic_labels(4, 2))
    _both(path, r"flat.npz have shape \(4, 16\)")


def test_float_images_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "float.npz"
    np.savez(path, x=np.zeros((4, 3, 3), np.float32), y=cyclic_labels(4, 2))
    with pytest.raises(DatasetError, match="float.npz are float32, not uint8"):
        load_dataset(path)


def test_corrupt_npz(tmp_path: Path) -> None:
    path = tmp_path / "broken.npz"
    path.write_bytes(b"PK\x03\x04 garbage")
    _both(path, "broken.npz is not a readable .npz")


def test_npz_folder_file_without_split_in_name(tmp_path: Path) -> None:
    np.savez(tmp_path / "part_train.npz", x=random_images(2, (3, 3)), y=cyclic_labels(2, 2))
    np.savez(tmp_path / "mystery.npz", x=random_images(2, (3, 3)), y=cyclic_labels(2, 2))
    _both(tmp_path, "mystery.npz does not say whether it is training or test data")


def test_cifar_pickle_with_other_globals_is_refused(tmp_path: Path) -> None:
    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (print, ("this must never run",))

    (tmp_path / "data_batch_1").write_bytes(pickle.dumps({b"data": Exploit()}, protocol=2))
    with pytest.raises(DatasetError, match="data_batch_1 is not a readable CIFAR batch"):
        load_dataset(tmp_path)


def test_cifar_pickle_of_the_wrong_shape(tmp_path: Path) -> None:
    batch = {b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}
    (tmp_path / "data_batch_1").write_bytes(pickle.dumps(batch, protocol=2))
    with pytest.raises(DatasetError, match=r"data_batch_1 holds data uint8 \(2, 100\)"):
        load_dataset(tmp_path)


def test_image_size_on_array_data(tmp_path: Path) -> None:
    folder = write_idx_folder(tmp_path / "s", random_images(4, (4, 4)), cyclic_labels(4, 2))
    with pytest.raises(DatasetError, match="image size applies only to image folders"):
        load_dataset(folder, image_size=8)


@pytest.mark.parametrize("val_split", [0.0, 1.0, -0.1, 1.5])
def test_val_split_out_of_range(val_split: float) -> None:
    with pytest.raises(DatasetError, match="between 0 and 1"):
        load_dataset("mnist", val_split=val_split)


@pytest.mark.parametrize("limit", [0, -5])
def test_limit_below_one(limit: int) -> None:
    with pytest.raises(DatasetError, match="at least 1"):
        load_dataset("mnist", limit=limit)


def test_offline_named_dataset_fails_fast_with_the_cache_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cnn_tui.core.datasets import named

    # Offline whatever this machine can reach: the message is what is tested.
    monkeypatch.setattr(named, "_reachable", lambda url, *args, **kwargs: False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert not peek_dataset("mnist").available_offline
    started = time.monotonic()
    with pytest.raises(DatasetError) as caught:
        load_dataset("mnist")
    assert time.monotonic() - started < 10
    message = str(caught.value)
    assert str(tmp_path / "datasets" / "mnist.npz") in message
    assert "mnist.npz" in message and "instead" in message


def test_offline_fashion_and_cifar_name_their_cache_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    # monkeypatched so the test is about the message, never about the network
    monkeypatch.setattr("cnn_tui.core.datasets.named._reachable", lambda url: False)
    with pytest.raises(DatasetError, match="fashion-mnist/train-labels-idx1-ubyte.gz is missing"):
        load_dataset("fashion_mnist")
    with pytest.raises(DatasetError, match="cifar-10-batches-py-target_archive is missing"):
        load_dataset("cifar10")


def test_cached_named_dataset_is_available_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "mnist.npz").write_bytes(b"")
    assert peek_dataset("mnist").available_offline
    assert not peek_dataset("cifar100").available_offline
