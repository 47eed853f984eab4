"""Shifting images by whole pixels, for the translation-invariance probe. Pure numpy.

An image moved ``dy`` rows down and ``dx`` columns right loses the pixels
that leave the frame, and the pixels it uncovers are filled with its
background. The background is, per image and per channel, the most common
value on the image's border (the lowest such value on a tie): 0 for MNIST's
black surround, the sky or the wall for a photo. A fixed 0 would paint a
black band into a bright photo, and the model would be probed on that
artificial edge as much as on the shift.
"""

from __future__ import annotations

import numpy as np

DIRECTIONS: dict[str, tuple[int, int]] = {
    "up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1),
}
"""Each direction as (rows, columns) per pixel of shift."""

_CHUNK = 4096
"""Images per bincount in ``edge_background``: bounds its counting table to a few MB."""


def edge_background(images: np.ndarray) -> np.ndarray:
    """uint8 (N, C): each image's most common border value per channel (lowest on a tie)."""
    _check(images)
    n, height, width, channels = images.shape
    border = np.zeros((height, width), dtype=bool)
    border[[0, -1], :] = True
    border[:, [0, -1]] = True
    result = np.empty((n, channels), dtype=np.uint8)
    for start in range(0, n, _CHUNK):
        values = images[start:start + _CHUNK][:, border, :]  # (n, P, C)
        count = len(values)
        # One bincount for the whole chunk: offset each (image, channel) into its own 256 bins.
        slot = (np.arange(count)[:, None, None] * channels + np.arange(channels)) * 256
        bins = np.bincount((values.astype(np.int64) + slot).ravel(),
                           minlength=count * channels * 256)
        result[start:start + count] = bins.reshape(count, channels, 256).argmax(axis=-1)
    return result


def shift_images(images: np.ndarray, dy: int, dx: int,
                 fill: np.ndarray | int = 0) -> np.ndarray:
    """A copy of uint8 (N, H, W, C) ``images`` moved ``dy`` rows down and ``dx`` columns right.

    Negative values move up or left. ``fill`` is a value for every uncovered
    pixel, or one per image and channel (N, C), as ``edge_background`` gives.
    A shift of the whole height or width or more leaves only the fill.
    """
    _check(images)
    n, height, width, channels = images.shape
    fill_values = np.broadcast_to(np.asarray(fill, dtype=images.dtype).reshape(
        (n, channels) if np.ndim(fill) else (1, 1)), (n, channels))
    shifted = np.empty_like(images)
    shifted[...] = fill_values[:, None, None, :]
    dy = int(np.clip(dy, -height, height))
    dx = int(np.clip(dx, -width, width))
    rows_from, rows_to = _spans(dy, height)
    cols_from, cols_to = _spans(dx, width)
    shifted[:, rows_to, cols_to] = images[:, rows_from, cols_from]
    return shifted


def _spans(offset: int, size: int) -> tuple[slice, slice]:
    """(source, destination) slices of one axis moved by ``offset`` (|offset| <= size)."""
    if offset >= 0:
        return slice(0, size - offset), slice(offset, size)
    return slice(-offset, size), slice(0, size + offset)


def shift_toward(images: np.ndarray, direction: str, pixels: int,
                 fill: np.ndarray | int = 0) -> np.ndarray:
    """``images`` moved ``pixels`` toward ``direction`` (a key of ``DIRECTIONS``)."""
    rows, columns = DIRECTIONS[direction]
    return shift_images(images, rows * pixels, columns * pixels, fill)


def _check(images: np.ndarray) -> None:
    if images.ndim != 4:
        raise ValueError(f"expected (N, H, W, C) images, got shape {images.shape}")
