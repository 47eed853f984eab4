"""The 256-colour palette and the dithering to it: every colour drawn is a palette
entry, the terminal shows exactly that entry, and areas keep their mean colour."""

from __future__ import annotations

import numpy as np
import pytest
from rich._palettes import EIGHT_BIT_PALETTE
from rich.color import Color, ColorSystem

from cnn_tui.ui.xterm_palette import (
    CHANNEL_WEIGHTS,
    PALETTE,
    PALETTE_NUMBERS,
    dither,
    drawn_colors,
    nearest_colors,
)

PALETTE_SET = {tuple(colour) for colour in PALETTE.tolist()}


def rich_256(image: np.ndarray) -> np.ndarray:
    """What Textual shows in 256 colours without dithering: Rich's downgrade of each pixel."""
    out = np.empty_like(image)
    for index in np.ndindex(image.shape[:2]):
        colour = Color.from_rgb(*(int(v) for v in image[index]))
        out[index] = EIGHT_BIT_PALETTE[colour.downgrade(ColorSystem.EIGHT_BIT).number]
    return out


def block_means(image: np.ndarray, block: int = 4) -> np.ndarray:
    height, width = (s // block * block for s in image.shape[:2])
    blocks = image[:height, :width].astype(np.float64)
    return blocks.reshape(height // block, block, width // block, block, 3).mean(axis=(1, 3))


def block_error(image: np.ndarray, original: np.ndarray) -> float:
    """Mean error of the 4x4 blocks' mean colours: what the eye sees from a step back."""
    return float(np.abs(block_means(image) - block_means(original)).mean())


def gradient(start: tuple[int, int, int], end: tuple[int, int, int],
             height: int = 16, width: int = 64) -> np.ndarray:
    ramp = np.linspace(0.0, 1.0, width)[None, :, None]
    row = np.array(start) + (np.array(end) - np.array(start)) * ramp
    return np.repeat(np.rint(row), height, axis=0).astype(np.uint8)


def test_the_palette_is_xterms_cube_and_grey_ramp_without_system_colours() -> None:
    assert len(PALETTE) == len(set(PALETTE_NUMBERS.tolist())) == 236
    assert PALETTE_NUMBERS.min() == 16 and PALETTE_NUMBERS.max() == 255
    for colour, number in zip(PALETTE.tolist(), PALETTE_NUMBERS.tolist(), strict=True):
        assert tuple(colour) == tuple(EIGHT_BIT_PALETTE[number])
    # The cube's inner greys are left to the finer ramp.
    assert not {59, 102, 145, 188} & set(PALETTE_NUMBERS.tolist())


def test_the_terminal_shows_exactly_the_palette_colour_drawn() -> None:
    drawn = drawn_colors(PALETTE[None])[0]
    for colour, given, number in zip(PALETTE, drawn, PALETTE_NUMBERS, strict=True):
        downgraded = Color.from_rgb(*(int(v) for v in given)).downgrade(ColorSystem.EIGHT_BIT)
        assert downgraded.number == number, (colour, given)
    # What a true-colour export (an SVG snapshot) shows is at most 2 levels off.
    assert np.abs(drawn.astype(int) - PALETTE.astype(int)).max() <= 2


def test_nearest_colors_is_the_palettes_nearest_in_weighted_rgb() -> None:
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, size=(2000, 3)).astype(np.float64)
    found = nearest_colors(pixels)
    assert {tuple(c) for c in found.astype(int).tolist()} <= PALETTE_SET

    def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.sqrt((((a - b) ** 2) * CHANNEL_WEIGHTS).sum(-1))

    everything = distance(pixels[:, None, :], PALETTE[None].astype(np.float64))
    best = everything.min(axis=1)
    ours = distance(pixels, found)
    assert np.mean(ours <= best + 1e-9) > 0.99  # the same colour, but for a few near greys
    assert np.max(ours - best) < 3


@pytest.mark.parametrize("seed", [0, 1])
def test_every_dithered_pixel_is_a_palette_colour(seed: int) -> None:
    image = np.random.default_rng(seed).integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
    out = dither(image)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert {tuple(px) for px in out.reshape(-1, 3).tolist()} <= PALETTE_SET


@pytest.mark.parametrize(("start", "end"), [
    ((20, 40, 90), (200, 120, 60)),    # dusk blue to sand: through the cube's wide first step
    ((110, 130, 160), (160, 150, 140)),  # muted blue-grey to beige, as CIFAR-10 skies and fields
    ((0, 0, 0), (255, 255, 255)),      # a grey ramp, as MNIST's strokes
])
def test_a_dithered_gradient_keeps_its_colours_far_better_than_rounding(start, end) -> None:
    image = gradient(start, end)
    dithered = dither(image)
    assert {tuple(px) for px in dithered.reshape(-1, 3).tolist()} <= PALETTE_SET
    # Rounding (Rich's downgrade) is off by 4-15 levels on these; dithering by 1-6.
    assert block_error(dithered, image) < 6
    assert block_error(dithered, image) < 0.4 * block_error(rich_256(image), image)


def test_a_flat_colour_between_entries_is_a_steady_pattern_with_its_mean() -> None:
    colour = np.array([108, 133, 163])  # a CIFAR-10 sky: no palette entry is within 12 levels
    flat = np.broadcast_to(colour, (8, 8, 3)).astype(np.uint8)
    dithered = dither(flat)
    assert np.abs(dithered.reshape(-1, 3).mean(0) - colour).max() < 4
    assert np.abs(rich_256(flat)[0, 0].astype(int) - colour).max() > 12
    # Ordered: the same pixels give the same pattern (nothing crawls on a redraw), and
    # the pattern repeats every 4 pixels.
    assert np.array_equal(dither(flat), dithered)
    assert np.array_equal(dithered[:4, :4], dithered[4:, 4:])


def test_greys_stay_grey() -> None:
    greys = gradient((0, 0, 0), (255, 255, 255))
    dithered = dither(greys)
    assert (np.ptp(dithered, axis=2) == 0).all()
    # MNIST-like pure black and white stay as they are.
    assert dither(np.zeros((4, 4, 3), np.uint8)).max() == 0
    assert dither(np.full((4, 4, 3), 255, np.uint8)).min() == 255
