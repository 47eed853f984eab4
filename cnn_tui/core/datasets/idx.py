"""IDX files, the original MNIST layout (gzip or raw).

Format: a big-endian header, two zero bytes, a type byte (0x08 = uint8), the
number of dimensions, then each dimension as uint32, then the values.

A header may promise more values than its file holds (4 billion images of
65536x65536 fit in 16 bytes): a raw file's size is checked against it before
reading, and a .gz file is read in chunks, so memory follows what the file
really holds, never what its header claims.
"""

from __future__ import annotations

import gzip
import math
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from cnn_tui.core.errors import DatasetError

# train-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte, train-images.idx3-ubyte...
_IDX_NAME = re.compile(
    r"^(?P<split>train|t10k|test)[-_.](?P<kind>images|labels)[-_.]idx[13][-_.]ubyte(\.gz)?$",
    re.IGNORECASE,
)


def find_idx_files(folder: Path) -> dict[tuple[str, str], Path]:
    """{("train"|"test", "images"|"labels"): path} for the IDX files in ``folder``."""
    found: dict[tuple[str, str], Path] = {}
    for path in sorted(folder.iterdir()):
        match = _IDX_NAME.match(path.name)
        if match and path.is_file():
            split = "train" if match["split"].lower() == "train" else "test"
            key = (split, match["kind"].lower())
            # Prefer the raw file over its .gz when both are there (no decompression).
            if key not in found or found[key].suffix == ".gz":
                found[key] = path
    return found


def _open(path: Path) -> BinaryIO:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes
    return open(path, "rb")  # noqa: SIM115 - the caller closes it


def _read_header(stream: BinaryIO, path: Path, expected_ndim: int) -> tuple[int, ...]:
    magic = stream.read(4)
    if len(magic) < 4:
        raise DatasetError(f"{path} is empty or truncated: it has no IDX header; replace the file.")
    if magic[0] != 0 or magic[1] != 0 or magic[3] != expected_ndim:
        expected = 0x800 + expected_ndim
        raise DatasetError(
            f"{path} has magic number 0x{magic.hex()}, not an IDX file of {expected_ndim} "
            f"dimensions (0x{expected:08x}); check that the right file is there."
        )
    if magic[2] != 0x08:
        raise DatasetError(
            f"{path} stores IDX type 0x{magic[2]:02x}, but only unsigned bytes (0x08) are "
            "supported; convert it to uint8."
        )
    raw_dims = stream.read(4 * expected_ndim)
    if len(raw_dims) < 4 * expected_ndim:
        raise DatasetError(f"{path} is truncated inside its IDX header; replace the file.")
    return struct.unpack(f">{expected_ndim}I", raw_dims)


def read_idx_shape(path: Path, expected_ndim: int) -> tuple[int, ...]:
    """The dimensions in the header, reading nothing else (cheap even for .gz)."""
    try:
        with _open(path) as stream:
            dims = _read_header(stream, path, expected_ndim)
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetError(f"{path} cannot be read ({error}); replace the file.") from error
    if path.suffix != ".gz":
        _check_raw_size(path, dims)
    else:
        _check_gz_size(path, dims)
    return dims


def _expected_bytes(dims: tuple[int, ...]) -> int:
    return 4 + 4 * len(dims) + math.prod(dims)  # Python ints: no overflow as np.prod has


def _check_raw_size(path: Path, dims: tuple[int, ...]) -> None:
    _check_size(path, _expected_bytes(dims), path.stat().st_size)


def _check_size(path: Path, expected: int, actual: int) -> None:
    if actual != expected:
        raise DatasetError(
            f"{path} is {actual} bytes but its header promises {expected}; "
            "the file is truncated or corrupt, so replace it."
        )


def _check_gz_size(path: Path, dims: tuple[int, ...]) -> None:
    """Compare the header with the data's real size without keeping the data.

    The gzip trailer holds the size modulo 2**32 (of the last member only):
    when it agrees the file is taken as is; otherwise the file is decompressed
    and counted, chunk by chunk.
    """
    expected = _expected_bytes(dims)
    try:
        with open(path, "rb") as raw:
            raw.seek(-4, 2)
            if int.from_bytes(raw.read(4), "little") == expected % 2**32:
                return
        actual = 0
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                actual += len(chunk)
                if actual > expected:
                    break
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetError(f"{path} cannot be read ({error}); replace the file.") from error
    _check_size(path, expected, actual)


_CHUNK = 1 << 24


def read_idx(path: Path, expected_ndim: int) -> np.ndarray:
    """The whole array, read straight into one writable uint8 buffer."""
    try:
        with _open(path) as stream:
            dims = _read_header(stream, path, expected_ndim)
            size = math.prod(dims)
            if path.suffix != ".gz":
                _check_raw_size(path, dims)
                values = np.empty(size, dtype=np.uint8)
                filled = _read_into(stream, memoryview(values.data))
            else:
                # Grows with the data actually decompressed, up to the promised size.
                buffer = bytearray()
                while len(buffer) < size:
                    chunk = stream.read(min(_CHUNK, size - len(buffer)))
                    if not chunk:
                        break
                    buffer += chunk
                values, filled = np.frombuffer(buffer, dtype=np.uint8), len(buffer)
            extra = stream.read(1)
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetError(
            f"{path} is corrupt or truncated ({error}); replace the file."
        ) from error
    if filled != size or extra:
        raise DatasetError(
            f"{path} holds {'more' if extra else filled} values but its header promises "
            f"{size}; the file is truncated or corrupt, so replace it."
        )
    return values.reshape(dims)


def _read_into(stream: BinaryIO, view: memoryview) -> int:
    filled = 0
    while filled < len(view):
        got = stream.readinto(view[filled:])  # type: ignore[attr-defined]  # files have it
        if not got:
            break
        filled += got
    return filled


def read_idx_pair(
    images: Path, labels: Path, on_read: Callable[[str], None] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    if on_read:
        on_read(images.name)
    x = read_idx(images, 3)
    if on_read:
        on_read(labels.name)
    y = read_idx(labels, 1)
    if len(x) != len(y):
        raise DatasetError(
            f"{images} has {len(x)} images but {labels} has {len(y)} labels; "
            "they must come from the same split."
        )
    return x, y
