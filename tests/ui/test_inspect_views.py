"""The Inspect tab's pure pieces: the matrix's text and colours, the bars, the tiles."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_tui.core.inspect import (
    FeatureMap,
    Filters,
    ImageInside,
    evaluation_from_probabilities,
    scale_to_unit,
)
from cnn_tui.ui.widgets.confusion_text import (
    abbreviate,
    cell_texts,
    heat_style,
    matrix_text,
    natural_cell_width,
    pairs_text,
)
from cnn_tui.ui.widgets.inside_view import probability_bars
from cnn_tui.ui.widgets.map_tiles import enlargement, filter_tiles, inside_tiles, to_uint8


def test_names_are_cut_with_an_ellipsis_only_when_they_do_not_fit() -> None:
    assert abbreviate("cat", 5) == "cat"
    assert abbreviate("automobile", 5) == "auto…"
    assert abbreviate("automobile", 1) == "…"
    assert abbreviate("automobile", 0) == ""


def test_cells_say_counts_or_shares_of_the_true_class() -> None:
    confusion = np.array([[1998, 2, 0], [1, 0, 0], [0, 0, 0]])
    assert cell_texts(confusion, normalised=False) == [
        ["1,998", "2", "·"], ["1", "·", "·"], ["·", "·", "·"]]
    assert cell_texts(confusion, normalised=True) == [
        ["99.9", "0.1", "·"], ["100", "·", "·"], ["·", "·", "·"]]
    tiny = np.array([[9999, 1], [0, 1]])
    assert cell_texts(tiny, normalised=True)[0] == ["100.0", "<0.1"]  # rounds up, not "100"


def test_the_heat_runs_dark_to_light_with_a_legible_number() -> None:
    empty, full = heat_style(0.0), heat_style(1.0)
    assert empty.bgcolor is not None and full.bgcolor is not None
    assert empty.bgcolor.get_truecolor() == (68, 1, 84)
    assert full.bgcolor.get_truecolor() == (253, 231, 37)
    assert empty.color is not None and full.color is not None
    assert (empty.color.name, full.color.name) == ("white", "black")
    assert heat_style(2.0) == full and heat_style(0.5, bold=True).bold


def test_the_matrix_text_has_a_row_per_class_and_taller_cells_on_request() -> None:
    labels = np.array([0, 0, 1, 2, 2, 2])
    probabilities = np.eye(3, dtype=np.float32)[[0, 1, 1, 2, 2, 0]]
    evaluation = evaluation_from_probabilities(labels, probabilities, ("zero", "one", "two"))
    width = natural_cell_width(evaluation, normalised=True)
    assert width == len("66.7") + 1
    lines = matrix_text(evaluation, normalised=False, cell_width=width).plain.splitlines()
    assert lines[1] == "true ↓ zero  one  two "
    assert lines[2:] == ["zero      1    1    · ", "one       ·    1    · ",
                         "two       1    ·    2 "]
    tall = matrix_text(evaluation, normalised=False, cell_width=width, cell_height=3)
    rows = tall.plain.splitlines()[2:]
    assert len(rows) == 9 and rows[1].startswith("zero") and not rows[0].strip()
    assert "two → zero  1 (33.3%)" in pairs_text(evaluation).plain


def test_the_bars_show_every_class_or_the_most_probable_when_room_is_short() -> None:
    probabilities = np.array([0.1, 0.6, 0.05, 0.25])
    names = ("a", "b", "c", "d")
    every = probability_bars(probabilities, names, width=20).plain.splitlines()
    assert [line.split()[0] for line in every] == ["a", "b", "c", "d"]
    assert every[1].endswith(" 60.0%") and every[1].count("█") == 6  # of a 10-cell bar
    top = probability_bars(probabilities, names, width=20, rows=3).plain.splitlines()
    assert top[0] == "top 2 of 4 classes" and [line[0] for line in top[1:]] == ["b", "d"]


def test_maps_become_grey_tiles_each_channel_to_its_own_range() -> None:
    values = np.zeros((4, 6, 2), dtype=np.float32)
    values[..., 0] = np.arange(24).reshape(4, 6)
    values[..., 1] = 3.0  # flat: all black
    inside = ImageInside(np.zeros((8, 8, 1), np.uint8),
                         (FeatureMap("conv2d", "Conv2D", (4, 6, 2), values),),
                         np.array([0.5, 0.5], np.float32))
    stack = inside_tiles(inside).maps[0]
    assert enlargement(6) == 2 and stack.tiles.shape == (2, 8, 12, 1)
    first = stack.tiles[0, ::2, ::2, 0]  # undo the enlargement
    assert first.tolist() == to_uint8(scale_to_unit(values[..., 0])).tolist()
    assert first.min() == 0 and first.max() == 255 and not stack.tiles[1].any()
    assert to_uint8(np.array([np.nan, 0.5, 2.0])).tolist() == [0, 128, 255]


@pytest.mark.parametrize(("channels", "tile_channels"), [(1, 1), (3, 3), (2, 1)])
def test_filters_are_tiles_in_colour_over_rgb_else_grey(channels: int, tile_channels: int
                                                        ) -> None:
    weights = np.arange(4 * 3 * 3 * channels, dtype=np.float32).reshape(4, 3, 3, channels)
    display = np.stack([scale_to_unit(w) for w in weights])
    stack = filter_tiles(Filters("conv2d", "Conv2D", weights, display))
    assert stack.is_filters and stack.shape == (3, 3, channels, 4)
    assert stack.tiles.shape == (4, 9, 9, tile_channels)  # 3x3 kernels, 3 times
