"""Feature maps and filters turned into the uint8 tiles an ``ImageGrid`` draws (numpy only).

A feature map's channel is a float array of any range; ``FeatureMap.channel_for_display``
scales it to [0, 1] on its own (the brightest value of each channel is white), and here
it becomes uint8 grey. Small maps and kernels are enlarged by a whole factor first
(nearest neighbour: every value stays a crisp square), so that a 5x5 map or a 3x3
kernel is drawn at a size the eye can read; the grid may still shrink the tiles to fit.
The work is done in the worker that computed the maps, never on the UI thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from cnn_tui.core.inspect import Filters, ImageInside

MIN_TILE_PIXELS = 12
"""Maps narrower than this are enlarged by a whole factor to at least it."""
MIN_KERNEL_PIXELS = 9
"""The same for kernels: a 3x3 one becomes 9x9, three pixels a weight."""


@dataclass(frozen=True, eq=False)
class TileStack:
    """One layer's maps (or the first convolution's filters), ready to draw."""

    layer: str
    type: str
    shape: tuple[int, ...]
    """The layer's output (H, W, C), or the filters' (kh, kw, C_in, F)."""
    tiles: np.ndarray
    """uint8 (N, H', W', 1 or 3): one tile per channel or filter, enlarged."""
    is_filters: bool = False

    def __len__(self) -> int:
        return len(self.tiles)


@dataclass(frozen=True, eq=False)
class InsideTiles:
    """What the Inspect tab draws for one image: the image, its maps, its probabilities."""

    image: np.ndarray
    """uint8 (H, W, C), as the model took it."""
    maps: tuple[TileStack, ...]
    probabilities: np.ndarray
    """float32 (K,)."""


def to_uint8(unit: np.ndarray) -> np.ndarray:
    """Values in [0, 1] (NaN as 0) to uint8 0-255."""
    return np.rint(np.nan_to_num(np.clip(unit, 0.0, 1.0)) * 255.0).astype(np.uint8)


def enlargement(width: int, least: int = MIN_TILE_PIXELS) -> int:
    """The whole factor that makes ``width`` pixels at least ``least`` wide (1 when it is)."""
    return max(1, math.ceil(least / max(1, width)))


def enlarge(tiles: np.ndarray, factor: int) -> np.ndarray:
    """(N, H, W, C) repeated ``factor`` times along H and W (nearest neighbour)."""
    if factor == 1:
        return tiles
    return np.repeat(np.repeat(tiles, factor, axis=1), factor, axis=2)


def inside_tiles(inside: ImageInside) -> InsideTiles:
    """Every map of one image as grey tiles, each channel scaled to its own range."""
    stacks = []
    for feature_map in inside.maps:
        height, width, channels = feature_map.shape
        grey = np.stack([feature_map.channel_for_display(c) for c in range(channels)])
        tiles = enlarge(to_uint8(grey)[..., np.newaxis], enlargement(width))
        stacks.append(TileStack(feature_map.layer, feature_map.type, feature_map.shape, tiles))
    return InsideTiles(inside.image, tuple(stacks), inside.probabilities)


def filter_tiles(filters: Filters) -> TileStack:
    """The first convolution's kernels as tiles: in colour over RGB input, else the mean
    over the input channels (``Filters.display`` is already scaled per filter)."""
    display = filters.display  # (F, kh, kw, C) in [0, 1]
    if display.shape[-1] not in (1, 3):
        display = display.mean(axis=-1, keepdims=True)
    tiles = enlarge(to_uint8(display), enlargement(display.shape[2], MIN_KERNEL_PIXELS))
    count, kh, kw, channels = filters.weights.shape
    return TileStack(filters.layer, filters.type, (kh, kw, channels, count), tiles,
                     is_filters=True)
