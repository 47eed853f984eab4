"""CIFAR-10/100 "python version" batches (data_batch_1..5 + test_batch, or train + test).

These files are pickles, the format the CIFAR authors publish. Pickle can run
code, so they are read with an unpickler that refuses every global except the
few numpy needs to rebuild an array (as Keras's own loader does); the result
must then be the CIFAR dict (data: N x 3072 uint8, labels: N ints) or we stop.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from cnn_tui.core.errors import DatasetError

CIFAR10_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR10_TEST = "test_batch"
CIFAR100_TRAIN = "train"
CIFAR100_TEST = "test"

_ALLOWED_GLOBALS = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy.core.numeric", "_frombuffer"),
        ("_codecs", "encode"),  # how Python 3 writes bytes at protocol 2
    }
)


class _ArrayOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def batch_folder(folder: Path) -> Path | None:
    """The folder holding CIFAR batches: ``folder`` itself or its extracted subfolder."""
    for candidate in (folder, folder / "cifar-10-batches-py", folder / "cifar-100-python"):
        if (candidate / CIFAR10_TEST).is_file() or (candidate / "data_batch_1").is_file():
            return candidate
        if (candidate / CIFAR100_TRAIN).is_file() and (candidate / "meta").is_file():
            return candidate
    return None


def _unpickle(path: Path) -> dict[str, object]:
    try:
        with open(path, "rb") as stream:
            loaded = _ArrayOnlyUnpickler(stream, encoding="bytes").load()
    except (OSError, EOFError, ValueError, pickle.UnpicklingError) as error:
        raise DatasetError(
            f"{path} is not a readable CIFAR batch ({error}); replace it with the original file."
        ) from error
    if not isinstance(loaded, dict):
        raise DatasetError(f"{path} is not a CIFAR batch (no dict inside); replace the file.")
    return {(k.decode() if isinstance(k, bytes) else str(k)): v for k, v in loaded.items()}


def read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(N, 32, 32, 3) uint8 images and (N,) labels of one batch file."""
    batch = _unpickle(path)
    data = batch.get("data")
    labels = batch.get("labels", batch.get("fine_labels"))
    if not isinstance(data, np.ndarray) or labels is None:
        raise DatasetError(
            f"{path} has keys {sorted(batch)}; a CIFAR batch needs data and labels "
            "(or fine_labels)."
        )
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise DatasetError(
            f"{path} holds data {data.dtype} {data.shape}; a CIFAR batch holds uint8 (N, 3072)."
        )
    x = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    y = np.asarray(labels)
    if len(y) != len(x):
        raise DatasetError(f"{path} has {len(x)} images but {len(y)} labels; replace the file.")
    return np.ascontiguousarray(x), y


def split_files(folder: Path) -> tuple[list[Path], Path | None]:
    if (folder / CIFAR100_TRAIN).is_file():
        test = folder / CIFAR100_TEST
        return [folder / CIFAR100_TRAIN], (test if test.is_file() else None)
    train = [folder / name for name in CIFAR10_TRAIN if (folder / name).is_file()]
    if not train:
        raise DatasetError(f"{folder} has no data_batch_1..5; add CIFAR-10's training batches.")
    test = folder / CIFAR10_TEST
    return train, (test if test.is_file() else None)


def label_names(folder: Path) -> tuple[str, ...] | None:
    """Class names from batches.meta (CIFAR-10) or meta (CIFAR-100), when present."""
    for meta_name, key in (("batches.meta", "label_names"), ("meta", "fine_label_names")):
        meta = folder / meta_name
        if meta.is_file():
            names = _unpickle(meta).get(key)
            if isinstance(names, list) and names:
                return tuple(n.decode() if isinstance(n, bytes) else str(n) for n in names)
    return None
