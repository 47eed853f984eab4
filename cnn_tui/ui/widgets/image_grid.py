"""A grid of images drawn with half-block cells (image_tiles.py), a label under each.

Tiles are as large as the room allows, up to native size (one pixel per cell
column, two per cell row: a 32x32 image takes 32 columns and 16 rows): the grid
takes the widest tile at which ``min_shown`` of its images fit, and shows as
many as fit at that size, rather than all of them small. When the terminal
shows only 256 colours the tiles are dithered (xterm_palette.py), each tile
once per size, not per frame. Whole lines are rendered as Strips, never one
widget per pixel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from cnn_tui.ui.color_depth import draws_256_colors
from cnn_tui.ui.widgets.image_tiles import image_strips, tile_pixels


class TileLayout(NamedTuple):
    """How a grid's tiles fill its area."""

    width: int
    """Cell columns (= pixel columns) per tile."""
    height_px: int
    """Pixel rows per tile (two per cell row)."""
    shown: int
    """How many images are drawn."""
    per_row: int
    """Tiles per line."""
    row_gap: int
    """Blank rows between lines of tiles: 1 when it costs no line, else 0 (the labels
    already separate them)."""


def _lines_that_fit(tile_rows: int, area_h: int) -> tuple[int, int]:
    """Lines of tiles ``tile_rows`` high that fit ``area_h`` rows, and the gap between them."""
    tight = area_h // tile_rows
    spaced = (area_h + 1) // (tile_rows + 1)
    return (spaced, 1) if spaced == tight else (tight, 0)


def grid_layout(
    count: int, image_size: tuple[int, int], area: tuple[int, int], *, gap: int = 1,
    label_rows: int = 1, min_width: int = 6, min_shown: int | None = None,
    columns: int | None = None,
) -> TileLayout:
    """Lay out ``count`` images of ``image_size`` (H, W) in ``area`` (columns, rows) cells.

    The widest tile, from native size down to ``min_width``, at which at least
    ``min_shown`` images fit (all of them when None) wins; then as many as fit at
    that width are shown. When not even that many fit at ``min_width``, as many
    as fit there. ``columns`` fixes the tiles per line (an original and its variants).
    """
    img_h, img_w = image_size
    area_w, area_h = area
    wanted = count if min_shown is None else min(count, min_shown)

    def layout(width: int) -> TileLayout:
        height_px = max(1, round(img_h * width / img_w))
        per_row = columns or max(1, (area_w + gap) // (width + gap))
        if per_row * (width + gap) - gap > area_w:
            return TileLayout(width, height_px, 0, per_row, 0)
        lines, row_gap = _lines_that_fit(math.ceil(height_px / 2) + label_rows, area_h)
        return TileLayout(width, height_px, min(count, per_row * lines), per_row, row_gap)

    smallest = max(1, min(min_width, img_w))
    for width in range(img_w, smallest - 1, -1):
        candidate = layout(width)
        if candidate.shown >= wanted:
            return candidate
    return layout(max(1, min(smallest, area_w)))


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
        placeholder: str = "no images", min_shown: int | None = None,
        min_tile_width: int = 6, columns: int | None = None,
        name: str | None = None, id: str | None = None, classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._images: np.ndarray | None = None
        self._labels: list[str] = []
        self.placeholder = placeholder
        """Text shown while there are no images."""
        self.min_shown = min_shown
        """Tiles stay at native size while at least this many fit (None: all of them)."""
        self.min_tile_width = min_tile_width
        """Below this tile width the grid shows fewer images instead of smaller ones."""
        self.columns = columns
        """Tiles per line, or None to fit as many as the width allows."""
        self._lines: list[Strip] = []
        self._lines_key: tuple[object, ...] | None = None
        self._tiles: dict[tuple[int, int, int, bool], np.ndarray] = {}
        """Each image's pixels as drawn, by (index, height, width, dithered)."""
        if images is not None:
            self.set_images(images, labels)

    @property
    def images(self) -> np.ndarray | None:
        """The images as given, (N, H, W, C) uint8, or None."""
        return self._images

    @property
    def labels(self) -> list[str]:
        """One label per image."""
        return list(self._labels)

    @property
    def layout_now(self) -> TileLayout | None:
        """The tiles' layout at the widget's current size; None without images or room."""
        width, height = self.size
        if self._images is None or len(self._images) == 0 or width <= 0 or height <= 0:
            return None
        return self._layout(width, height)

    @property
    def shown(self) -> int:
        """How many of the images fit the widget at its current size."""
        layout = self.layout_now
        return 0 if layout is None else layout.shown

    @property
    def dithered(self) -> bool:
        """The terminal shows 256 colours: tiles are dithered to its palette."""
        return self.is_attached and draws_256_colors(self.app.console)

    def _layout(self, width: int, height: int) -> TileLayout:
        assert self._images is not None
        return grid_layout(
            len(self._images), self._images.shape[1:3], (width, height),
            min_shown=self.min_shown, min_width=self.min_tile_width, columns=self.columns)

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
        self._tiles = {}
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
        layout = grid_layout(
            len(self._images), self._images.shape[1:3], (width, 10_000),
            min_width=self.min_tile_width, columns=self.columns)
        lines = math.ceil(len(self._images) / layout.per_row)
        return lines * (math.ceil(layout.height_px / 2) + 1) + lines - 1

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (width, height, self.columns, self.min_tile_width, self.min_shown,
               self.dithered, self.rich_style)
        if key != self._lines_key:
            self._lines = self._layout_lines(width, height)
            self._lines_key = key
        if y < len(self._lines):
            return self._lines[y].adjust_cell_length(width, self.rich_style)
        return Strip.blank(width, self.rich_style)

    def _tile(self, index: int, layout: TileLayout, dithered: bool,
              cached: dict[tuple[int, int, int, bool], np.ndarray]) -> np.ndarray:
        """Image ``index``'s pixels as drawn: from ``cached`` when it has them."""
        key = (index, layout.height_px, layout.width, dithered)
        tile = cached.get(key)
        if tile is None:
            assert self._images is not None
            tile = tile_pixels(self._images[index], layout.height_px, layout.width,
                               dithered=dithered)
        self._tiles[key] = tile
        return tile

    def _layout_lines(self, width: int, height: int) -> list[Strip]:
        base = self.rich_style
        layout = self.layout_now
        if layout is None:
            return [Strip([Segment(self.placeholder[:width], base)])]
        if layout.shown == 0:
            return [Strip([Segment("(too small to draw images)"[:width], base)])]
        dithered = self.dithered
        tiles_before, self._tiles = self._tiles, {}  # keep only this size's tiles
        gap = Strip.blank(1, base)
        lines: list[Strip] = []
        for first in range(0, layout.shown, layout.per_row):
            indices = range(first, min(first + layout.per_row, layout.shown))
            tiles = [image_strips(self._tile(i, layout, dithered, tiles_before), base)
                     for i in indices]
            for row in range(len(tiles[0])):
                lines.append(_join_with_gap([tile[row] for tile in tiles], gap))
            labels = [self._label_strip(i, layout.width, base) for i in indices]
            lines.append(_join_with_gap(labels, gap))
            lines.extend([Strip.blank(width, base)] * layout.row_gap)
        return lines[:len(lines) - layout.row_gap]

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
