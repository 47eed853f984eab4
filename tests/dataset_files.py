"""Writers of small dataset files in every format the loaders read, for tests."""

from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np


def random_images(n: int, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(n, *shape), dtype=np.uint8)


def cyclic_labels(n: int, num_classes: int) -> np.ndarray:
    return (np.arange(n) % num_classes).astype(np.uint8)


def idx_bytes(values: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, values.ndim]) + struct.pack(f">{values.ndim}I", *values.shape)
    return header + values.astype(np.uint8).tobytes()


def write_idx_folder(
    folder: Path,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    *,
    gz: bool = True,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    arrays = {"train-images-idx3-ubyte": x_train, "train-labels-idx1-ubyte": y_train}
    if x_test is not None and y_test is not None:
        arrays |= {"t10k-images-idx3-ubyte": x_test, "t10k-labels-idx1-ubyte": y_test}
    for name, values in arrays.items():
        data = idx_bytes(values)
        (folder / (name + suffix)).write_bytes(gzip.compress(data) if gz else data)
    return folder


def write_cifar_batch(path: Path, x: np.ndarray, labels: np.ndarray, key: str = "labels") -> None:
    """A batch as CIFAR publishes it: bytes keys, data (N, 3072) channel-planar, labels a list."""
    data = x.transpose(0, 3, 1, 2).reshape(len(x), -1)
    batch = {b"batch_label": b"test batch", key.encode(): labels.tolist(), b"data": data}
    with open(path, "wb") as stream:
        pickle.dump(batch, stream, protocol=2)


def write_png(path: Path, pixels: np.ndarray) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels.squeeze(-1) if pixels.shape[-1] == 1 else pixels).save(path)


def write_image_folder(
    root: Path,
    per_class: int,
    shape: tuple[int, int, int],
    classes: tuple[str, ...] = ("cat", "dog"),
) -> dict[str, list[np.ndarray]]:
    """root/<class>/<i>.png; returns the pixels written, by class."""
    written: dict[str, list[np.ndarray]] = {}
    for number, name in enumerate(classes):
        images = random_images(per_class, shape, seed=number)
        written[name] = list(images)
        for i, pixels in enumerate(images):
            write_png(root / name / f"{i:03d}.png", pixels)
    return written
