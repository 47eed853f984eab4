"""Hostile dataset files are refused by peek and load alike, before anything large is allocated."""

from __future__ import annotations

import gzip
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from cnn_tui.core.datasets import format_warnings, image_folder, load_dataset, peek_dataset
from cnn_tui.core.datasets.skipped import SkippedFiles
from cnn_tui.core.errors import DatasetError
from cnn_tui.core.limits import MAX_CLASSES
from tests.dataset_files import idx_bytes, random_images, write_image_folder, write_png


def save_npz(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


def refused_by_both(source: Path, *words: str, **options) -> str:
    """The message of the DatasetError that peek and load both raise."""
    messages = []
    for read in (peek_dataset, load_dataset):
        with pytest.raises(DatasetError) as caught:
            read(source, **options)
        messages.append(str(caught.value))
    for message in messages:
        for word in words:
            assert word in message
    return messages[1]


def test_a_stray_label_is_named_instead_of_making_a_thousand_classes(tmp_path: Path) -> None:
    y = np.concatenate([np.arange(10).repeat(5), [1000]])
    npz = save_npz(tmp_path / "stray.npz", x=random_images(51, (8, 8)), y=y)
    message = refused_by_both(npz, "0..9 plus 1 stray label(s) 1000", "1,001 classes")
    assert "renumber the labels 0..K-1" in message


def test_labels_from_one_and_negative_labels_are_refused(tmp_path: Path) -> None:
    x = random_images(20, (8, 8))
    one_based = save_npz(tmp_path / "one.npz", x=x, y=np.arange(20) % 4 + 1)
    refused_by_both(one_based, "start at 1, not 0", "subtract 1")
    negative = save_npz(tmp_path / "neg.npz", x=x, y=np.arange(20) % 4 - 1)
    refused_by_both(negative, "include -1", "0 or more")
    floats = save_npz(tmp_path / "float.npz", x=x, y=(np.arange(20) % 4).astype(float))
    refused_by_both(floats, "float64", "integer class indices")


def test_more_classes_than_the_bound_are_refused(tmp_path: Path) -> None:
    n = MAX_CLASSES + 1  # one 1x1 image per class: contiguous labels, too many of them
    npz = save_npz(tmp_path / "many.npz", x=np.zeros((n, 1, 1), np.uint8), y=np.arange(n))
    refused_by_both(npz, f"{n:,} classes", f"{MAX_CLASSES:,}")


def test_too_many_class_folders_are_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(image_folder, "MAX_CLASSES", 2)  # three folders stand for 100,001
    write_image_folder(tmp_path / "f", 1, (4, 4, 3), classes=("a", "b", "c"))
    refused_by_both(tmp_path / "f", "3 class folders", "more than the 2 classes")


def lying_idx(folder: Path, declared: int, held: int, gz: bool) -> Path:
    """Train IDX files whose image header declares ``declared`` images but holds ``held``."""
    folder.mkdir()
    images = idx_bytes(random_images(held, (28, 28)))
    images = images[:4] + struct.pack(">I", declared) + images[8:]
    labels = idx_bytes(np.arange(held) % 10)
    suffix, pack = (".gz", gzip.compress) if gz else ("", bytes)
    (folder / f"train-images-idx3-ubyte{suffix}").write_bytes(pack(images))
    (folder / f"train-labels-idx1-ubyte{suffix}").write_bytes(pack(labels))
    return folder


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "raw"])
def test_an_idx_header_promising_billions_of_images_is_refused(tmp_path: Path, gz: bool) -> None:
    folder = lying_idx(tmp_path / "idx", 4_000_000_000, 20, gz)  # 3 TB promised
    message = refused_by_both(folder, "train-images-idx3-ubyte", "promises")
    assert "replace" in message


def test_a_lying_gz_header_never_allocates_the_promised_size(tmp_path: Path) -> None:
    from cnn_tui.core.datasets import idx

    folder = lying_idx(tmp_path / "idx", 300_000, 20, gz=True)  # 235 MB promised, 16 kB held
    tracemalloc.start()
    try:
        with pytest.raises(DatasetError, match="holds 15680 values but its header promises"):
            idx.read_idx(folder / "train-images-idx3-ubyte.gz", 3)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, f"allocated {peak:,} bytes for a file holding 16 kB"
    # An honest file still loads, and its array is writable like before.
    honest = lying_idx(tmp_path / "ok", 20, 20, gz=True)
    x = idx.read_idx(honest / "train-images-idx3-ubyte.gz", 3)
    assert x.shape == (20, 28, 28) and x.flags.writeable


def test_empty_npz_files_are_refused(tmp_path: Path) -> None:
    refused_by_both(save_npz(tmp_path / "none.npz"), "has arrays none")
    zero = save_npz(tmp_path / "zero.npz", x=np.zeros((0, 8, 8), np.uint8),
                    y=np.zeros(0, np.int64))
    refused_by_both(zero, "zero.npz holds no images")
    empty_test = save_npz(tmp_path / "t.npz", x_train=random_images(8, (8, 8)),
                          y_train=np.arange(8) % 2, x_test=np.zeros((0, 8, 8), np.uint8),
                          y_test=np.zeros(0, np.int64))
    refused_by_both(empty_test, "holds no images")


def test_an_image_size_beyond_the_bound_is_refused(tmp_path: Path) -> None:
    write_image_folder(tmp_path / "f", 2, (8, 8, 3))
    refused_by_both(tmp_path / "f", "100000x100000 is too large", "4096x4096",
                    image_size=(100_000, 100_000))
    with pytest.raises(DatasetError, match="too large"):
        peek_dataset("mnist", image_size=5000)  # named sets check it too


def test_skipped_files_are_counted_with_their_first_paths(tmp_path: Path) -> None:
    root = tmp_path / "f"
    write_image_folder(root, 4, (6, 6, 3))
    for i in range(7):
        (root / "cat" / f"note{i}.txt").write_text("not an image")
    for i in range(2):
        (root / "dog" / f"broken{i}.png").write_bytes(b"\x89PNG not really")
    (root / "empty").mkdir()
    write_png(root / "dog" / "ok.png", random_images(1, (6, 6, 3))[0])
    dataset = load_dataset(root, val_split=0.2)
    ignored, dropped, skipped = dataset.warnings
    assert ignored.startswith("ignored 7 files that are not PNG, JPEG, BMP or GIF images: ")
    assert ignored.count("note") == 3 and ignored.endswith(", ...")
    assert dropped == f"dropped 1 class folder holding no images: {root / 'empty'}"
    assert skipped.startswith(f"skipped 2 unreadable images: {root / 'dog' / 'broken0.png'} (")
    assert str(root / "dog" / "broken1.png") in skipped
    line = format_warnings(dataset.warnings)
    assert line.startswith("warning: ignored 7 files") and "\n" not in line
    assert format_warnings([]) == ""
    long = format_warnings(["x" * 400, "y"])
    assert len(long) < 320 and long.endswith("(2 warnings in all)")


def test_skipped_files_keep_memory_bounded() -> None:
    skipped = SkippedFiles()
    for i in range(10_000):
        skipped.add("not-image", f"/data/{i}.txt")
    assert skipped.total == 10_000 and len(skipped.examples["not-image"]) == 3
    (line,) = skipped.lines()
    assert line.startswith("ignored 10,000 files") and len(line) < 150
