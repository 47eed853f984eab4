"""Finding out what a dataset source is, and reading each path format.

``detect`` names the format of a path; ``read_<format>`` returns the raw train
and test arrays; ``peek_<format>`` returns shapes and counts from headers only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from cnn_tui.core.datasets import arrays, catalog, cifar_batches, idx, image_folder, npz
from cnn_tui.core.datasets.types import RawSplits
from cnn_tui.core.errors import DatasetError

Report = Callable[[float, str], None]


def detect(path: Path) -> str:
    """The format: npz, npz-folder, idx, cifar-batches or image-folder; else a DatasetError."""
    if path.is_file():
        if path.suffix.lower() == ".npz":
            return "npz"
        raise DatasetError(
            f"{path} is not a dataset file cnn-tui reads; pass an .npz file, or the folder "
            "that holds IDX files, CIFAR batches or class subfolders of images."
        )
    if not any(path.iterdir()):
        raise DatasetError(f"{path} is an empty folder; put the dataset's files in it.")
    if idx.find_idx_files(path):
        return "idx"
    if cifar_batches.batch_folder(path) is not None:
        return "cifar-batches"
    if any(path.glob("*.npz")):
        return "npz-folder"
    if image_folder.looks_like_image_folder(path):
        return "image-folder"
    raise DatasetError(
        f"{path} holds no dataset cnn-tui recognises; expected IDX files (train-images-idx3-ubyte"
        "...), .npz files, CIFAR python batches, or class subfolders of images."
    )


def class_names_for(
    path: Path,
    shape: tuple[int, ...],
    labels: Sequence[np.ndarray | None],
    known: tuple[str, ...] | None,
) -> tuple[str, ...]:
    """Names from the files' metadata, the path's name, or numbers 0..K-1 for labels 0..K-1.

    Numbered classes need labels 0..K-1 with no gap (``arrays.count_classes``).
    """
    image_shape = (*shape, 1) if len(shape) == 2 else tuple(shape)
    names = known or catalog.known_class_names(path.name, image_shape)
    if names is not None:
        return names
    return catalog.numbered_class_names(max(arrays.count_classes(labels, str(path)), 2))


# IDX ---------------------------------------------------------------------------


def _idx_files(path: Path) -> tuple[Path, Path, Path | None, Path | None]:
    files = idx.find_idx_files(path)
    for kind in ("images", "labels"):
        if ("train", kind) not in files:
            raise DatasetError(
                f"{path} has no train-{kind}-idx{3 if kind == 'images' else 1}-ubyte[.gz]; "
                "add the training split's IDX files."
            )
    test_images, test_labels = files.get(("test", "images")), files.get(("test", "labels"))
    if (test_images is None) != (test_labels is None):
        present = test_images or test_labels
        assert present is not None  # exactly one of the two is there
        raise DatasetError(f"{path} has {present.name} but not its partner; add it or remove it.")
    return files[("train", "images")], files[("train", "labels")], test_images, test_labels


def peek_idx(path: Path) -> tuple[tuple[int, ...], int, int | None, list[np.ndarray]]:
    train_images, train_labels, test_images, test_labels = _idx_files(path)
    dims = idx.read_idx_shape(train_images, 3)
    labels = [idx.read_idx(train_labels, 1)]
    n_test = None
    if test_images is not None and test_labels is not None:
        n_test = idx.read_idx_shape(test_images, 3)[0]
        labels.append(idx.read_idx(test_labels, 1))
    # labels has no test entry when there is no test split: zip stops at the train pair.
    for images, count, y in zip((train_images, test_images), (dims[0], n_test), labels,
                                strict=False):
        if count != len(y):  # as read_idx_pair checks when loading
            raise DatasetError(f"{images} has {count} images but its labels file has {len(y)}; "
                               "they must come from the same split.")
    return (*dims[1:], 1), dims[0], n_test, labels


def read_idx(path: Path, report: Report) -> RawSplits:
    train_images, train_labels, test_images, test_labels = _idx_files(path)
    x_train, y_train = idx.read_idx_pair(
        train_images, train_labels, lambda n: report(0.1, f"reading {n}")
    )
    x_test = y_test = None
    if test_images is not None and test_labels is not None:
        x_test, y_test = idx.read_idx_pair(
            test_images, test_labels, lambda n: report(0.7, f"reading {n}")
        )
    names = class_names_for(path, (*x_train.shape[1:], 1), [y_train, y_test], None)
    return RawSplits(x_train, y_train, x_test, y_test, names)


# npz ---------------------------------------------------------------------------


def peek_npz(path: Path) -> tuple[tuple[int, ...], int, int | None, list[np.ndarray]]:
    train_keys, test_keys = npz.split_keys(path)
    shape = npz.member_shape(path, train_keys[0])
    labels = [npz.load_array(path, train_keys[1])]
    n_test = None
    if test_keys:
        n_test = npz.member_shape(path, test_keys[0])[0]
        labels.append(npz.load_array(path, test_keys[1]))
    return shape[1:], shape[0], n_test, labels


def read_npz(path: Path, report: Report) -> RawSplits:
    train_keys, test_keys = npz.split_keys(path)
    report(0.1, f"reading {path.name}")
    x_train, y_train = (npz.load_array(path, key) for key in train_keys)
    x_test = y_test = None
    if test_keys:
        x_test, y_test = (npz.load_array(path, key) for key in test_keys)
    names = class_names_for(path, x_train.shape[1:], [y_train, y_test], None)
    return RawSplits(x_train, y_train, x_test, y_test, names)


def peek_npz_folder(path: Path) -> tuple[tuple[int, ...], int, int | None, list[np.ndarray]]:
    train, test = npz.folder_files(path)
    shapes = [npz.member_shape(p, "x") for p in train]
    labels = [npz.load_array(p, "y") for p in train + test]
    n_test = sum(npz.member_shape(p, "x")[0] for p in test) if test else None
    return shapes[0][1:], sum(s[0] for s in shapes), n_test, labels


def read_npz_folder(path: Path, report: Report) -> RawSplits:
    train, test = npz.folder_files(path)
    report(0.1, f"{len(train)} training files")
    x_train, y_train = npz.concatenate_files(train)
    x_test = y_test = None
    if test:
        report(0.6, f"{len(test)} test files")
        x_test, y_test = npz.concatenate_files(test)
    names = class_names_for(path, x_train.shape[1:], [y_train, y_test], None)
    return RawSplits(x_train, y_train, x_test, y_test, names)


# CIFAR python batches ----------------------------------------------------------


def read_cifar_batches(path: Path, report: Report) -> RawSplits:
    folder = cifar_batches.batch_folder(path) or path
    train_files, test_file = cifar_batches.split_files(folder)
    parts = []
    for number, file in enumerate(train_files):
        report(0.05 + 0.7 * number / len(train_files), f"reading {file.name}")
        parts.append(cifar_batches.read_batch(file))
    x_train = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
    y_train = np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
    x_test = y_test = None
    if test_file is not None:
        report(0.8, f"reading {test_file.name}")
        x_test, y_test = cifar_batches.read_batch(test_file)
    known = cifar_batches.label_names(folder)
    if known is None and train_files[0].name == cifar_batches.CIFAR100_TRAIN:
        known = catalog.CIFAR100_CLASSES  # the "train" file is CIFAR-100's
    names = class_names_for(folder, (32, 32, 3), [y_train, y_test], known)
    return RawSplits(x_train, y_train, x_test, y_test, names)


# image folders -----------------------------------------------------------------


def read_image_folder(path: Path, image_size: tuple[int, int] | None, report: Report) -> RawSplits:
    layout = image_folder.scan(path)
    total = len(layout.train.paths) + (len(layout.test.paths) if layout.test else 0)

    def train_progress(done: int, _count: int) -> None:
        report(done / total, f"decoding image {done} of {total}")

    x_train, y_train = image_folder.decode(
        layout.train, image_size, layout.skipped, train_progress
    )
    x_test = y_test = None
    if layout.test is not None:
        offset = len(layout.train.paths)

        def test_progress(done: int, _count: int) -> None:
            report((offset + done) / total, f"decoding image {offset + done} of {total}")

        x_test, y_test = image_folder.decode(
            layout.test, image_size, layout.skipped, test_progress
        )
        if x_test.shape[1:3] != x_train.shape[1:3]:
            (h, w), (th, tw) = x_train.shape[1:3], x_test.shape[1:3]
            raise DatasetError(
                f"The test images in {path} are {tw}x{th} but the training images are {w}x{h}; "
                "pass an image size (--image-size) to resize them all."
            )
        if x_test.shape[-1] != x_train.shape[-1]:  # one split gray, the other colour
            x_train, x_test = (np.repeat(x, 3, axis=-1) if x.shape[-1] == 1 else x
                               for x in (x_train, x_test))  # fmt: skip
    names = layout.class_names
    return RawSplits(x_train, y_train, x_test, y_test, names, layout.skipped.lines())


def peek_image_folder(
    path: Path, image_size: tuple[int, int] | None
) -> tuple[tuple[int, int, int], int, int | None, tuple[str, ...], list[str]]:
    layout = image_folder.scan(path)
    height, width, channels = image_folder.peek_image(layout.train.paths[0])
    if image_size is not None:
        height, width = image_size
    n_test = len(layout.test.paths) if layout.test else None
    shape = (height, width, channels)
    return shape, len(layout.train.paths), n_test, layout.class_names, layout.skipped.lines()
