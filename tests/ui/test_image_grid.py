"""The half-block image grid: pixel -> cell mapping, scaling, layout and rendering."""

from __future__ import annotations

import numpy as np
from textual.app import App, ComposeResult

from cnn_tui.ui.widgets.image_grid import (
    UPPER_HALF_BLOCK,
    ImageGrid,
    fit_image,
    grid_layout,
    half_block_cells,
    image_strips,
)


def test_half_block_cells_pair_rows_top_as_fg_bottom_as_bg() -> None:
    # 3x2 grey image: rows (0, 10), (20, 30), (40, 50) -> 2 cell rows, last one half empty.
    image = np.array([[0, 10], [20, 30], [40, 50]], dtype=np.uint8)[:, :, None]
    cells = half_block_cells(image)
    assert cells == [
        [((0, 0, 0), (20, 20, 20)), ((10, 10, 10), (30, 30, 30))],
        [((40, 40, 40), None), ((50, 50, 50), None)],
    ]


def test_rgb_cells_keep_channels() -> None:
    image = np.zeros((2, 1, 3), dtype=np.uint8)
    image[0, 0] = (255, 0, 0)
    image[1, 0] = (0, 0, 255)
    [[cell]] = half_block_cells(image)
    assert cell == ((255, 0, 0), (0, 0, 255))
    [strip] = image_strips(image)
    [segment] = list(strip)
    assert segment.text == UPPER_HALF_BLOCK
    assert segment.style.color.triplet == (255, 0, 0)
    assert segment.style.bgcolor.triplet == (0, 0, 255)


def test_fit_image_halves_by_picking_every_other_pixel_and_doubles_by_repeating() -> None:
    image = np.arange(16, dtype=np.uint8).reshape(4, 4, 1)
    half = fit_image(image, 2, 2)
    assert half[:, :, 0].tolist() == [[5, 7], [13, 15]]
    double = fit_image(image[:2, :2], 4, 4)
    assert double[:, :, 0].tolist() == [[0, 0, 1, 1], [0, 0, 1, 1], [4, 4, 5, 5], [4, 4, 5, 5]]


def test_grid_layout_uses_native_size_when_room_and_shrinks_when_not() -> None:
    # Two 28x28 digits in 120x40: 2x upscale (56 cols, 28 rows + label) fits.
    assert grid_layout(2, (28, 28), (120, 40)) == (56, 56, 2)
    # Eight in 78x17: native (14 rows + label) cannot fit; half size does, 5 + 3 in two lines
    # of 7 rows + label with a blank line between.
    assert grid_layout(8, (28, 28), (78, 17)) == (14, 14, 8)
    # In 78x14 only a third of the size fits all eight.
    assert grid_layout(8, (28, 28), (78, 14)) == (9, 9, 8)
    # Not even the minimum width fits all: show as many as fit.
    width, _, shown = grid_layout(500, (28, 28), (20, 5))
    assert width == 6 and 0 < shown < 500


class GridApp(App[None]):
    def __init__(self, images: np.ndarray, labels: list[str]) -> None:
        super().__init__()
        self.grid_images = images
        self.grid_labels = labels

    def compose(self) -> ComposeResult:
        yield ImageGrid(self.grid_images, self.grid_labels, id="grid")


async def test_grid_renders_tiles_and_labels_at_80x24() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(8, 28, 28, 1), dtype=np.uint8)
    labels = [f"digit {i}" for i in range(8)]
    app = GridApp(images, labels)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        grid = app.query_one(ImageGrid)
        lines = [grid.render_line(y).text for y in range(grid.size.height)]
        assert grid.shown == 8
        text = "\n".join(lines)
        for label in labels:
            assert label in text
        assert lines[0].count(UPPER_HALF_BLOCK) >= 28


async def test_empty_grid_shows_placeholder() -> None:
    app = GridApp(np.zeros((0, 4, 4, 1), dtype=np.uint8), [])
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        grid = app.query_one(ImageGrid)
        grid.clear("nothing loaded yet")
        await pilot.pause()
        assert grid.render_line(0).text.startswith("nothing loaded yet")


def test_grid_layout_with_fixed_columns_keeps_one_source_image_per_line() -> None:
    # 2 originals x (1 + 4 variants) = 10 tiles in 5 columns: width <= (78 + 1) / 5 - 1 = 14.
    width, height_px, shown = grid_layout(10, (28, 28), (78, 13), columns=5)
    assert shown == 10 and width <= 14
    assert 2 * (height_px // 2 + 1) + 1 <= 13
