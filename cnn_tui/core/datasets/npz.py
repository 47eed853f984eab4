"""NumPy ``.npz`` archives: Keras's layout, ``x, y`` files, and folders of them.

A single file holds ``x_train, y_train[, x_test, y_test]`` or ``x, y``. A
folder holds several ``x, y`` files whose names say ``train`` or ``test`` (as
in shared/data/cifar10); the train files are concatenated, then the test ones.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from cnn_tui.core.errors import DatasetError

KERAS_KEYS = ("x_train", "y_train", "x_test", "y_test")
XY_KEYS = ("x", "y")


def member_names(path: Path) -> set[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            return {name.removesuffix(".npy") for name in archive.namelist()}
    except (OSError, zipfile.BadZipFile) as error:
        raise DatasetError(
            f"{path} is not a readable .npz archive ({error}); replace the file."
        ) from error


def member_shape(path: Path, key: str) -> tuple[int, ...]:
    """The shape from the .npy header inside the zip, without reading the array."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(f"{key}.npy") as member:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                shape, _, _ = np.lib.format.read_array_header_1_0(member)
            else:
                shape, _, _ = np.lib.format.read_array_header_2_0(member)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise DatasetError(
            f"{path}: cannot read member {key!r} ({error}); replace the file."
        ) from error
    return tuple(shape)


def split_keys(path: Path) -> tuple[tuple[str, str], tuple[str, str] | None]:
    """(train x/y keys, test x/y keys or None) for a single file, or a DatasetError."""
    names = member_names(path)
    if {"x_train", "y_train"} <= names:
        has_test = {"x_test", "y_test"} & names
        if has_test and has_test != {"x_test", "y_test"}:
            missing = ({"x_test", "y_test"} - names).pop()
            raise DatasetError(
                f"{path} has {has_test.pop()} but no {missing}; add it or drop both."
            )
        return ("x_train", "y_train"), (("x_test", "y_test") if has_test else None)
    if set(XY_KEYS) <= names:
        return ("x", "y"), None
    raise DatasetError(
        f"{path} has arrays {sorted(names) or 'none'}; expected x_train, y_train, x_test, y_test "
        "(Keras's layout) or x, y."
    )


def load_array(path: Path, key: str) -> np.ndarray:
    try:
        with np.load(path, allow_pickle=False) as archive:
            array: np.ndarray = archive[key]
            return array
    except ValueError as error:  # object arrays need pickle, which we refuse
        raise DatasetError(
            f"{path}: array {key!r} cannot be loaded without pickle ({error}); "
            "save plain numeric arrays."
        ) from error
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise DatasetError(
            f"{path} is corrupt or truncated ({error}); replace the file."
        ) from error


def folder_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(train files, test files) in name order, for a folder of ``x, y`` archives."""
    train: list[Path] = []
    test: list[Path] = []
    for path in sorted(folder.glob("*.npz")):
        name = path.stem.lower()
        if "test" in name:
            test.append(path)
        elif "train" in name:
            train.append(path)
        else:
            raise DatasetError(
                f"{path} does not say whether it is training or test data; "
                "put 'train' or 'test' in its name."
            )
    if not train:
        raise DatasetError(
            f"{folder} has no .npz file with 'train' in its name; add one (x, y arrays)."
        )
    for path in train + test:
        if not set(XY_KEYS) <= member_names(path):
            raise DatasetError(
                f"{path} has arrays {sorted(member_names(path))}; every file in an .npz folder "
                "needs x and y."
            )
    return train, test


def concatenate_files(paths: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """x, y of several files, filled into one preallocated array (no double copy)."""
    shapes = [member_shape(path, "x") for path in paths]
    first = shapes[0]
    for path, shape in zip(paths, shapes, strict=True):
        if shape[1:] != first[1:]:
            raise DatasetError(
                f"{path} holds images of shape {shape[1:]} but {paths[0]} holds {first[1:]}; "
                "all files in the folder must match."
            )
    if len(paths) == 1:
        return load_array(paths[0], "x"), load_array(paths[0], "y")
    x_all: np.ndarray | None = None
    y_parts: list[np.ndarray] = []
    row = 0
    total = sum(shape[0] for shape in shapes)
    for path in paths:
        x = load_array(path, "x")
        y = load_array(path, "y")
        if len(x) != len(y):
            raise DatasetError(
                f"{path} has {len(x)} images but {len(y)} labels; every image needs one label."
            )
        if x_all is None:
            x_all = np.empty((total, *x.shape[1:]), dtype=x.dtype)
        x_all[row : row + len(x)] = x
        y_parts.append(y)
        row += len(x)
    assert x_all is not None
    return x_all, np.concatenate(y_parts)
