"""A grid of small images drawn with half-block cells, with a label under each.

Every terminal can draw '▀' with a foreground and a background colour, so one
cell shows two vertical pixels: the upper one as the foreground, the lower one
as the background. That needs no image protocol and works over SSH and in tmux.
The grid picks the largest tile size at which all images fit the widget (native
size when there is room, scaled down when not) and renders whole lines as
Strips, never one widget per pixel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

UPPER_HALF_BLOCK = "▀"
RGB = tuple[int, int, int]


def fit_image(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Nearest-neighbour resize of an (H, W, C) image to (height, width, C)."""
    src_h, src_w = image.shape[:2]
    # Sample at pixel centres so that halving picks every other pixel evenly.
    rows = np.minimum((np.arange(height) + 0.5) * src_h / height, src_h - 1).astype(int)
    cols = np.minimum((np.arange(width) + 0.5) * src_w / width, src_w - 1).astype(int)
    return image[rows][:, cols]


def as_rgb(image: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, 1) or (H, W, 3) uint8 -> (H, W, 3) uint8."""
    if image.ndim == 2:
        image = image[:, :, None]
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    return np.asarray(image[:, :, :3], dtype=np.uint8)


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


def grid_layout(
    count: int, image_size: tuple[int, int], area: tuple[int, int], *, gap: int = 1,
    label_rows: int = 1, min_width: int = 6, max_scale: int = 2, columns: int | None = None,
) -> tuple[int, int, int]:
    """Choose (tile_width, tile_height_px, shown) for ``count`` images in ``area`` cells.

    Prefers the largest of native size times an integer (up to ``max_scale``)
    or divided by an integer; falls back to any width >= ``min_width``, and
    finally shows as many images as fit at ``min_width``. ``columns`` fixes
    the number of tiles per line (e.g. an original and its variants).
    """
    img_h, img_w = image_size
    area_w, area_h = area
    nice = {img_w * k for k in range(1, max_scale + 1)} | {img_w // d for d in range(2, 9)}
    candidates = sorted((w for w in nice if w >= min_width), reverse=True)
    candidates += [w for w in range(min(img_w * max_scale, area_w), min_width - 1, -1)
                   if w not in nice]

    def tile_height_px(width: int) -> int:
        return max(1, round(img_h * width / img_w))

    def capacity(width: int) -> int:
        per_row = columns or max(1, (area_w + gap) // (width + gap))
        if per_row * (width + gap) - gap > area_w:
            return 0
        tile_rows = math.ceil(tile_height_px(width) / 2) + label_rows
        lines = (area_h + 1) // (tile_rows + 1) if area_h >= tile_rows else 0
        return per_row * lines

    for width in candidates:
        if capacity(width) >= count:
            return width, tile_height_px(width), count
    width = max(1, min(min_width, area_w))
    return width, tile_height_px(width), min(count, capacity(width))


class ImageGrid(Widget):
    """Sample images as half-block tiles in a wrapping grid, a label under each."""

    DEFAULT_CSS = """
    ImageGrid {
        height: 1fr;
        min-height: 5;
        width: 1fr;
    }
    """

    def __init__(
        self, images: np.ndarray | None = None, labels: Sequence[str] = (), *,
        placeholder: str = "no images", max_scale: int = 2, min_tile_width: int = 6,
        columns: int | None = None,
        name: str | None = None, id: str | None = None, classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._images: np.ndarray | None = None
        self._labels: list[str] = []
        self.placeholder = placeholder
        """Text shown while there are no images."""
        self.max_scale = max_scale
        """The largest integer upscale used when the widget has room."""
        self.min_tile_width = min_tile_width
        """Below this tile width the grid shows fewer images instead of smaller ones."""
        self.columns = columns
        """Tiles per line, or None to fit as many as the width allows."""
        self._lines: list[Strip] = []
        self._lines_key: tuple[object, ...] | None = None
        if images is not None:
            self.set_images(images, labels)

    @property
    def images(self) -> np.ndarray | None:
        """The images as given, (N, H, W, C) uint8, or None."""
        return self._images

    @property
    def shown(self) -> int:
        """How many of the images fit the widget at its current size."""
        width, height = self.size
        if self._images is None or len(self._images) == 0 or width <= 0 or height <= 0:
            return 0
        return self._layout(width, height)[2]

    def _layout(self, width: int, height: int) -> tuple[int, int, int]:
        assert self._images is not None
        return grid_layout(
            len(self._images), self._images.shape[1:3], (width, height),
            max_scale=self.max_scale, min_width=self.min_tile_width, columns=self.columns)

    @property
    def labels(self) -> list[str]:
        """One label per image."""
        return list(self._labels)

    def set_images(self, images: np.ndarray | None, labels: Sequence[str] = ()) -> None:
        """Show these images (N, H, W[, C]) uint8 with these labels (may be shorter)."""
        if images is not None:
            images = np.asarray(images)
            if images.ndim == 3:
                images = images[..., None]
            if images.ndim != 4 or images.dtype != np.uint8:
                raise ValueError("ImageGrid wants uint8 images shaped (N, H, W, C)")
        self._images = images
        self._labels = [str(label) for label in labels]
        self._lines_key = None
        self.refresh(layout=True)

    def clear(self, placeholder: str | None = None) -> None:
        """Remove the images and show the placeholder (optionally a new one)."""
        if placeholder is not None:
            self.placeholder = placeholder
        self.set_images(None)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # For `height: auto`: native size at most, as many lines as the width needs.
        if self._images is None or len(self._images) == 0:
            return 1
        tile_w, tile_h, _ = grid_layout(
            len(self._images), self._images.shape[1:3], (width, 10_000), max_scale=1,
            min_width=self.min_tile_width, columns=self.columns)
        per_row = self.columns or max(1, (width + 1) // (tile_w + 1))
        lines = math.ceil(len(self._images) / per_row)
        return lines * (math.ceil(tile_h / 2) + 1) + lines - 1

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (width, height, self.columns, self.min_tile_width, self.max_scale, self.rich_style)
        if key != self._lines_key:
            self._lines = self._layout_lines(width, height)
            self._lines_key = key
        if y < len(self._lines):
            return self._lines[y].adjust_cell_length(width, self.rich_style)
        return Strip.blank(width, self.rich_style)

    def _layout_lines(self, width: int, height: int) -> list[Strip]:
        base = self.rich_style
        if self._images is None or len(self._images) == 0 or width <= 0 or height <= 0:
            return [Strip([Segment(self.placeholder[:width], base)])]
        images = self._images
        tile_w, tile_h, shown = self._layout(width, height)
        if shown == 0:
            return [Strip([Segment("(too small to draw images)"[:width], base)])]
        per_row = self.columns or max(1, (width + 1) // (tile_w + 1))
        gap = Strip.blank(1, base)
        lines: list[Strip] = []
        for first in range(0, shown, per_row):
            indices = range(first, min(first + per_row, shown))
            tiles = [image_strips(fit_image(images[i], tile_h, tile_w), base) for i in indices]
            for row in range(len(tiles[0])):
                lines.append(_join_with_gap([tile[row] for tile in tiles], gap))
            labels = [self._label_strip(i, tile_w, base) for i in indices]
            lines.append(_join_with_gap(labels, gap))
            lines.append(Strip.blank(width, base))
        return lines[:-1]

    def _label_strip(self, index: int, width: int, base: Style) -> Strip:
        text = self._labels[index] if index < len(self._labels) else ""
        return Strip([Segment(text[:width].center(width), base)], width)


def _join_with_gap(strips: list[Strip], gap: Strip) -> Strip:
    joined: list[Strip] = []
    for i, strip in enumerate(strips):
        if i:
            joined.append(gap)
        joined.append(strip)
    return Strip.join(joined)


def _rgb(pixel: Any) -> RGB:
    """One pixel of an RGB array as a (r, g, b) tuple of ints."""
    return int(pixel[0]), int(pixel[1]), int(pixel[2])
