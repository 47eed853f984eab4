"""One image as half-block cells: resized, dithered for 256 colours, made into Strips.

Every terminal can draw '▀' with a foreground and a background colour, so one
cell shows two vertical pixels: the upper one as the foreground, the lower one
as the background. That needs no image protocol and works over SSH and in tmux.
A tile at native size is one pixel per cell column and two per cell row.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from cnn_tui.ui.xterm_palette import dither, drawn_colors

UPPER_HALF_BLOCK = "▀"
RGB = tuple[int, int, int]


def fit_image(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """An (H, W, C) image resized to (height, width, C).

    Shrinking averages the source pixels each tile pixel covers (in parts where
    the sizes do not divide), so a digit's stroke thins to grey instead of
    losing whole rows; growing repeats pixels (nearest neighbour).
    """
    src_h, src_w = image.shape[:2]
    if (src_h, src_w) == (height, width):
        return image
    if height <= src_h and width <= src_w:
        rows, cols = _area_weights(src_h, height), _area_weights(src_w, width)
        averaged = np.einsum("ij,jkc,lk->ilc", rows, image.astype(np.float64), cols)
        return np.rint(averaged).astype(np.uint8)
    # Sample at pixel centres so that each source pixel is repeated evenly.
    row_index = np.minimum((np.arange(height) + 0.5) * src_h / height, src_h - 1).astype(int)
    col_index = np.minimum((np.arange(width) + 0.5) * src_w / width, src_w - 1).astype(int)
    return image[row_index][:, col_index]


def _area_weights(source: int, target: int) -> np.ndarray:
    """(target, source): the share of each source pixel in each target pixel (rows sum to 1)."""
    edges = np.arange(target + 1) * source / target
    starts, ends = edges[:-1, None], edges[1:, None]
    pixel = np.arange(source)[None, :]
    overlap = np.minimum(ends, pixel + 1) - np.maximum(starts, pixel)
    return np.clip(overlap, 0.0, None) * target / source


def as_rgb(image: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, 1) or (H, W, 3) uint8 -> (H, W, 3) uint8."""
    if image.ndim == 2:
        image = image[:, :, None]
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    return np.asarray(image[:, :, :3], dtype=np.uint8)


def tile_pixels(image: np.ndarray, height: int, width: int, *, dithered: bool) -> np.ndarray:
    """The (height, width, 3) colours to draw ``image`` with in a tile of that many pixels.

    ``dithered``: the terminal shows 256 colours; the tile is dithered to the
    xterm palette after resizing (so the pattern is one of screen pixels) and
    given in the colours that make Textual pick exactly those palette entries.
    """
    rgb = as_rgb(fit_image(image, height, width))
    return drawn_colors(dither(rgb)) if dithered else rgb


@lru_cache(maxsize=8192)
def cell_style(upper: RGB, lower: RGB | None) -> Style:
    """The style of one half-block cell: upper pixel as foreground, lower as background."""
    return Style(
        color=Color.from_rgb(*upper),
        bgcolor=None if lower is None else Color.from_rgb(*lower),
    )


def half_block_cells(image: np.ndarray) -> list[list[tuple[RGB, RGB | None]]]:
    """Map an image to cells: cell (r, c) = (pixel (2r, c), pixel (2r+1, c)).

    An odd last pixel row has no partner; its cells get ``None`` as the lower
    colour so the widget's own background shows through.
    """
    rgb = as_rgb(image)
    height = rgb.shape[0]
    cells: list[list[tuple[RGB, RGB | None]]] = []
    for top in range(0, height, 2):
        upper_row = [_rgb(px) for px in rgb[top]]
        if top + 1 < height:
            lower_row: list[RGB | None] = [_rgb(px) for px in rgb[top + 1]]
        else:
            lower_row = [None] * len(upper_row)
        cells.append(list(zip(upper_row, lower_row, strict=True)))
    return cells


def image_strips(image: np.ndarray, base: Style | None = None) -> list[Strip]:
    """Render an image as one Strip per pair of pixel rows."""
    strips = []
    for row in half_block_cells(image):
        segments = [
            Segment(UPPER_HALF_BLOCK, (base + cell_style(up, low)) if base else cell_style(up, low))
            for up, low in row
        ]
        strips.append(Strip(segments, len(segments)).simplify())
    return strips


def _rgb(pixel: Any) -> RGB:
    """One pixel of an RGB array as a (r, g, b) tuple of ints."""
    return int(pixel[0]), int(pixel[1]), int(pixel[2])
