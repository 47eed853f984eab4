"""The largest inputs cnn-tui accepts, in one place.

Files and specs come from users and from the internet: a label of 10**9, a
layer of 10**9 filters or an image size of 100000x100000 would make the
engine try to allocate terabytes (or run for hours) before failing. Every
bound here is checked before anything that size is allocated, and is far
above what a CNN trained in a terminal needs. This module imports nothing,
so the CLI's parser may use it too.
"""

from __future__ import annotations

MAX_CLASSES = 100_000
"""Classes in one dataset (ImageNet-21k has about 21,841)."""

MAX_IMAGE_SIDE = 4096
"""Height or width of an image after resizing (--image-size), in pixels."""

MAX_LAYER_WIDTH = 100_000
"""Filters of a convolution or units of a Dense layer. At least MAX_CLASSES,
so the output layer always fits whatever the dataset's classes."""

MAX_WINDOW = MAX_IMAGE_SIDE
"""Kernel, pool, stride and padding sizes: no window needs to exceed an image."""

MAX_DEPTH_MULTIPLIER = 1024
"""Output channels per input channel of a depthwise convolution."""

MAX_PARAMS = 1_000_000_000
"""Parameters of a whole model: 4 GB of float32 weights, three times that with
gradients and optimizer state, already beyond most GPUs."""

MAX_ACTIVATION = 2**31 - 1
"""Values in one layer's output for one image: TensorFlow indexes many kernels
with 32-bit integers, so a larger tensor fails inside TensorFlow."""

MAX_SPEC_DEPTH = 16
"""Nesting of lists and objects in a model spec (a valid one needs 4)."""

MAX_SPEC_INT = 2**53
"""Magnitude of a whole number in a spec: larger ones are no layer argument
(and JSON readers other than Python's lose their precision)."""


def bytes_text(size: float) -> str:
    """'1.5 GB', '12.0 MB', '800 bytes': a size for messages (powers of 1000)."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size:.0f} bytes"


def digit_count(value: int) -> int:
    """Decimal digits of ``value``, where str() refuses ints over 4300 digits."""
    estimate = abs(value).bit_length() * 30103 // 100000  # floor(bits * log10(2))
    return max(1, estimate + int(abs(value) >= 10**estimate))  # 0 has one digit too
