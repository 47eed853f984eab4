"""The half-block image grid: pixel -> cell mapping, scaling, layout and rendering."""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App, ComposeResult

from cnn_tui.ui.widgets.image_grid import ImageGrid, TileLayout, grid_layout
from cnn_tui.ui.widgets.image_tiles import (
    UPPER_HALF_BLOCK,
    fit_image,
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


def test_fit_image_shrinks_by_averaging_and_grows_by_repeating() -> None:
    image = np.array([[0, 4, 8, 12], [4, 8, 12, 16], [40, 44, 48, 52], [44, 48, 52, 56]],
                     dtype=np.uint8)[:, :, None]
    half = fit_image(image, 2, 2)
    assert half[:, :, 0].tolist() == [[4, 12], [44, 52]]  # each the mean of a 2x2 block
    # 4 -> 3: a middle pixel takes its share of both neighbours (a stroke thins, it
    # does not vanish as a dropped row would).
    stripe = np.zeros((4, 4, 1), dtype=np.uint8)
    stripe[:, 1] = 255
    assert fit_image(stripe, 4, 3)[0, :, 0].tolist() == [64, 128, 0]
    double = fit_image(image[:2, :2], 4, 4)
    assert double[:, :, 0].tolist() == [[0, 0, 4, 4], [0, 0, 4, 4], [4, 4, 8, 8], [4, 4, 8, 8]]
    assert fit_image(image, 4, 4) is image


def test_grid_layout_draws_native_size_at_most_and_shrinks_to_fit() -> None:
    # Two 28x28 digits in 120x40: native size (28 columns, 14 rows + label), never larger.
    assert grid_layout(2, (28, 28), (120, 40)) == TileLayout(28, 28, 2, 4, 1)
    # Eight in 78x17 must all fit: 5 per line of 14 columns, 7 rows + label, two lines
    # and a blank row between them.
    assert grid_layout(8, (28, 28), (78, 17)) == TileLayout(14, 14, 8, 5, 1)
    # Not even the minimum width fits all: show as many as fit.
    layout = grid_layout(500, (28, 28), (20, 5))
    assert layout.width == 6 and 0 < layout.shown < 500


@pytest.mark.parametrize(
    ("image", "area", "expected"),
    [
        # The Dataset tab's grid at 120x40 (89x34 cells): CIFAR-10 at 32 columns x 16 rows,
        # two lines of two; MNIST at 28 x 14, two lines of three with a blank row between.
        ((32, 32), (89, 34), TileLayout(32, 32, 4, 2, 0)),
        ((28, 28), (89, 34), TileLayout(28, 28, 6, 3, 1)),
        # At 80x24 (49x17 cells) native size fits only one: shrunk until four fit,
        # then as many as fit at that size.
        ((32, 32), (49, 17), TileLayout(14, 14, 6, 3, 1)),
        ((28, 28), (49, 18), TileLayout(16, 16, 4, 2, 0)),
    ],
)
def test_grid_layout_keeps_native_size_while_min_shown_fit(image, area, expected) -> None:
    assert grid_layout(24, image, area, min_shown=4) == expected


def test_grid_layout_never_upscales_small_images() -> None:
    layout = grid_layout(3, (8, 8), (100, 40), min_width=12)
    assert (layout.width, layout.height_px, layout.shown) == (8, 8, 3)


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
    layout = grid_layout(10, (28, 28), (78, 13), columns=5)
    assert layout.shown == 10 and layout.width <= 14
    assert 2 * (layout.height_px // 2 + 1) <= 13
    # Asked for one whole line at least: one line of larger tiles.
    layout = grid_layout(15, (32, 32), (116, 28), columns=5, min_shown=5)
    assert layout == TileLayout(22, 22, 10, 5, 1)


def smooth_images(count: int = 4, side: int = 32) -> np.ndarray:
    """Colour gradients: what 256 colours posterize and dithering keeps."""
    ramp = np.linspace(0.0, 1.0, side)
    images = np.empty((count, side, side, 3), dtype=np.uint8)
    for k in range(count):
        images[k, ..., 0] = np.rint(40 + 180 * ramp[None, :])
        images[k, ..., 1] = np.rint(30 + 150 * ramp[:, None])
        images[k, ..., 2] = 60 + 40 * k
    return images


def drawn_colours(grid: ImageGrid) -> set[tuple[int, int, int]]:
    colours = set()
    for y in range(grid.size.height):
        for segment in grid.render_line(y):
            if segment.text == UPPER_HALF_BLOCK:
                for colour in (segment.style.color, segment.style.bgcolor):
                    if colour is not None and colour.triplet is not None:
                        colours.add(tuple(colour.triplet))
    return colours


@pytest.mark.parametrize("choice", ["truecolor", "256"])
async def test_tiles_are_dithered_only_when_the_app_draws_256_colours(choice: str) -> None:
    from rich.color import Color, ColorSystem

    from cnn_tui.ui.color_depth import apply_color_choice
    from cnn_tui.ui.xterm_palette import PALETTE_NUMBERS

    images = smooth_images()
    app = GridApp(images, ["a", "b", "c", "d"])
    apply_color_choice(app.console, choice)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        grid = app.query_one(ImageGrid)
        assert grid.dithered == (choice == "256")
        assert grid.layout_now == TileLayout(32, 32, 4, 2, 1)
        colours = drawn_colours(grid)
        original = {tuple(px) for px in images.reshape(-1, 3).tolist()}
        if choice == "truecolor":
            assert colours <= original and len(colours) > 500
        else:
            numbers = {Color.from_rgb(*c).downgrade(ColorSystem.EIGHT_BIT).number
                       for c in colours}
            assert numbers <= set(PALETTE_NUMBERS.tolist()) and len(numbers) > 20


async def test_each_tile_is_dithered_once_per_size_not_per_frame(monkeypatch) -> None:
    from cnn_tui.ui.color_depth import apply_color_choice
    from cnn_tui.ui.widgets import image_grid

    calls: list[tuple[int, int]] = []
    real = image_grid.tile_pixels

    def counted(image: np.ndarray, height: int, width: int, *, dithered: bool) -> np.ndarray:
        calls.append((height, width))
        return real(image, height, width, dithered=dithered)

    monkeypatch.setattr(image_grid, "tile_pixels", counted)
    app = GridApp(smooth_images(), list("abcd"))
    apply_color_choice(app.console, "256")
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        grid = app.query_one(ImageGrid)
        drawn_colours(grid)
        assert calls == [(32, 32)] * 4
        for _ in range(3):  # frames: nothing is dithered again
            grid.refresh()
            await pilot.pause()
            drawn_colours(grid)
        # A new size that keeps the tiles' size reuses them.
        await pilot.resize_terminal(79, 40)
        await pilot.pause()
        drawn_colours(grid)
        assert calls == [(32, 32)] * 4
        # Smaller tiles are new tiles.
        await pilot.resize_terminal(60, 30)
        await pilot.pause()
        drawn_colours(grid)
        assert len(calls) > 4 and calls[-1] != (32, 32)
