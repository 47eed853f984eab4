"""Rebuild the bundled samples (cnn_tui/core/datasets/data/*.npz) from the real datasets.

Usage: python tools/make_samples.py [SHARED_DATA]   (default: ../shared/data)

mnist-sample: the first 1,000 images of each digit, in file order, of MNIST's
60,000 training images. cifar10-sample: all 2,000 CIFAR-10 training images in
shared/data/cifar10 (the first 2,000 of data_batch_1). Each archive holds
``x`` (N, H, W[, C]) uint8, ``y`` (N,) uint8 and ``index`` (N,) int32: the
row each image has in the source's training split, so tests can compare pixels.
The output is deterministic: the same input gives byte-identical archives.
"""

from __future__ import annotations

import sys
import zipfile
from io import BytesIO
from pathlib import Path

import numpy as np

from cnn_tui.core.datasets import idx

PER_DIGIT = 1_000
OUT = Path(__file__).resolve().parents[1] / "cnn_tui" / "core" / "datasets" / "data"


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like np.savez_compressed at deflate level 9, with fixed timestamps (reproducible)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for key, array in arrays.items():
            buffer = BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            member = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, buffer.getvalue(), compresslevel=9)


def mnist_sample(shared: Path) -> dict[str, np.ndarray]:
    x = idx.read_idx(shared / "mnist" / "train-images-idx3-ubyte.gz", 3)
    y = idx.read_idx(shared / "mnist" / "train-labels-idx1-ubyte.gz", 1)
    rows = np.sort(np.concatenate([np.flatnonzero(y == d)[:PER_DIGIT] for d in range(10)]))
    return {"x": x[rows], "y": y[rows].astype(np.uint8), "index": rows.astype(np.int32)}


def cifar10_sample(shared: Path) -> dict[str, np.ndarray]:
    parts = [np.load(shared / "cifar10" / f"cifar10_train_{name}.npz")
             for name in ("0000_0999", "1000_1999")]
    x = np.concatenate([p["x"] for p in parts])
    y = np.concatenate([p["y"] for p in parts]).reshape(-1).astype(np.uint8)
    return {"x": x, "y": y, "index": np.arange(len(y), dtype=np.int32)}


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data")
    OUT.mkdir(parents=True, exist_ok=True)
    for name, arrays in (("mnist-sample", mnist_sample(shared)),
                         ("cifar10-sample", cifar10_sample(shared))):
        path = OUT / f"{name}.npz"
        write_npz(path, arrays)
        counts = np.bincount(arrays["y"], minlength=10).tolist()
        print(f"{path.name}: {len(arrays['y'])} images, per class {counts}, "
              f"{path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
