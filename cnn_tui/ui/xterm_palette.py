"""Images for a 256-colour terminal: the xterm palette, and dithering to it.

Over SSH, ``COLORTERM`` is usually not forwarded, and Textual then draws in
256 colours: Rich's ``Color.downgrade`` rounds each true colour to an entry of
the xterm palette, so an image's gradients posterize into flat blocks and its
muted colours (a brown field, a grey-blue sky) turn into other ones. Dithering
first keeps them: a colour between palette entries is drawn as a fine pattern
of nearby entries whose average is that colour.

The palette is the one every 256-colour terminal shares: the 6x6x6 cube
(levels 0, 95, 135, 175, 215, 255 on each channel) and a ramp of 24 greys
(8, 18, ..., 238). The 16 system colours are left out (each terminal's theme
sets them), and so are the cube's four inner greys, which the ramp covers more
finely. What is left: 210 coloured cube entries, black, white and 24 greys.

The dithering is pattern dithering (Knoll's ordered dithering for arbitrary
palettes): for every pixel, a few nearest palette colours are picked so that
their errors cancel, sorted by brightness, and a 4x4 Bayer matrix picks one by
the pixel's position. It is vectorised over the image (a handful of numpy
passes, about 2 ms for 32x32), and, being ordered, draws a flat area as a
steady pattern that does not crawl when the image is redrawn.
"""

from __future__ import annotations

import numpy as np

CUBE_LEVELS = np.array([0, 95, 135, 175, 215, 255])
"""The values of the 6x6x6 cube's steps, on each channel (xterm's and every terminal's)."""
GREY_RAMP = 8 + 10 * np.arange(24)
"""Colours 232-255: greys 8, 18, ..., 238."""
GREY_LADDER = np.concatenate([[0], GREY_RAMP, [255]])
"""Every grey the palette shows: black, the ramp, white."""

CHANNEL_WEIGHTS = np.array([2.0, 4.0, 3.0])
"""How much an error in red, green and blue counts in "nearest": the eye is most
sensitive to green (a common cheap stand-in for a perceptual distance)."""
CANDIDATES = 8
"""Palette colours mixed per pixel: each appears in 2 of a 4x4 block's 16 positions."""
ERROR_FEEDBACK = 0.25
"""How far each next candidate leans against the error so far. Below 1 keeps the mix
to the closest few colours: on CIFAR-10, 0.25 halves the error of 4x4 blocks' mean
colour against plain rounding (3.5 against 6.9 levels) with less pixel noise than it
(10.7 against 12.9); 1 gains little in the means and adds scattered coloured dots."""
BAYER_4X4 = np.array([[0, 8, 2, 10],
                      [12, 4, 14, 6],
                      [3, 11, 1, 9],
                      [15, 7, 13, 5]])
"""Positions in the order a 4x4 Bayer matrix fills them: neighbours differ most, so a
mix becomes an even pattern, with a period (4 pixels) small against a 28-32 pixel image."""
LUMA = np.array([0.299, 0.587, 0.114])
RICH_GREY_STEP = 255 / 25
"""Rich's ``downgrade`` numbers a grey ``round(value / RICH_GREY_STEP)`` (see drawn_colors)."""


def _palette() -> tuple[np.ndarray, np.ndarray]:
    """The palette's colours (N, 3) uint8 and their xterm numbers (N,)."""
    colours: list[tuple[int, int, int]] = []
    numbers: list[int] = []
    for r in range(6):
        for g in range(6):
            for b in range(6):
                if r == g == b and 0 < r < 5:
                    continue  # the cube's inner greys: the ramp has finer ones
                colours.append((int(CUBE_LEVELS[r]), int(CUBE_LEVELS[g]), int(CUBE_LEVELS[b])))
                numbers.append(16 + 36 * r + 6 * g + b)
    for k, grey in enumerate(GREY_RAMP.tolist()):
        colours.append((grey, grey, grey))
        numbers.append(232 + k)
    return np.array(colours, dtype=np.uint8), np.array(numbers)


PALETTE, PALETTE_NUMBERS = _palette()
"""The 236 colours dithered images are made of, and each one's xterm colour number."""

_CUBE_MIDPOINTS = (CUBE_LEVELS[1:] + CUBE_LEVELS[:-1]) / 2
_GREY_MIDPOINTS = (GREY_LADDER[1:] + GREY_LADDER[:-1]) / 2


def nearest_colors(image: np.ndarray) -> np.ndarray:
    """Each pixel's nearest ``PALETTE`` colour (weighted RGB distance), as float (..., 3).

    Without a search over all 236: the distance is a sum over channels, so the
    nearest cube colour is the nearest level on each channel, and the nearest
    grey is the ladder's nearest to the pixel's weighted mean; the closer of the
    two wins. A cube result that is one of its inner greys (not in the palette)
    loses to the ladder's grey, which is at most 5 levels from it.
    """
    pixels = np.asarray(image, dtype=np.float64)
    cube = CUBE_LEVELS[np.searchsorted(_CUBE_MIDPOINTS, pixels)]
    mean = (pixels * CHANNEL_WEIGHTS).sum(-1, keepdims=True) / CHANNEL_WEIGHTS.sum()
    grey = GREY_LADDER[np.searchsorted(_GREY_MIDPOINTS, mean)]
    cube_distance = (((pixels - cube) ** 2) * CHANNEL_WEIGHTS).sum(-1, keepdims=True)
    grey_distance = (((pixels - grey) ** 2) * CHANNEL_WEIGHTS).sum(-1, keepdims=True)
    inner_grey = (np.ptp(cube, axis=-1, keepdims=True) == 0) & (cube[..., :1] % 255 != 0)
    use_grey = inner_grey | (grey_distance <= cube_distance)
    return np.where(use_grey, grey, cube).astype(np.float64)


def dither(image: np.ndarray) -> np.ndarray:
    """An (H, W, 3) uint8 image redrawn with ``PALETTE``'s colours only, dithered."""
    pixels = image.astype(np.float64)
    height, width = pixels.shape[:2]
    error = np.zeros_like(pixels)
    candidates = []
    for _ in range(CANDIDATES):
        colour = nearest_colors(pixels + ERROR_FEEDBACK * error)
        candidates.append(colour)
        error += pixels - colour
    mix = np.stack(candidates, axis=2)  # (H, W, CANDIDATES, 3)
    # Darkest first, so the Bayer order spreads dark and light evenly.
    order = np.argsort(mix @ LUMA, axis=2, kind="stable")
    mix = np.take_along_axis(mix, order[..., None], axis=2)
    reps = (-(-height // 4), -(-width // 4))
    position = np.tile(BAYER_4X4, reps)[:height, :width] * CANDIDATES // 16
    picked = np.take_along_axis(mix, position[:, :, None, None], axis=2)[:, :, 0]
    return picked.astype(np.uint8)


def drawn_colors(image: np.ndarray) -> np.ndarray:
    """The colours to hand the renderer so that the terminal shows exactly ``image``
    (made of ``PALETTE``'s colours).

    Textual draws a true colour in 256 colours through Rich's ``downgrade``, which
    numbers a grey by its lightness in 25 steps of 10.2, not by the ramp's steps
    of 10: grey 238 (colour 255) would come out as 228 (colour 254). Each ramp grey
    is given as the closest grey Rich maps to it (at most 2 levels off); every
    other palette colour (cube, black, white) maps to itself.
    """
    out = image.copy()
    is_grey = (image[..., 0] == image[..., 1]) & (image[..., 1] == image[..., 2])
    ramp = is_grey & (image[..., 0] > 0) & (image[..., 0] < 255)
    value = image[..., 0][ramp].astype(np.float64)
    rich_step = (value - 8) / 10 + 1  # Rich's grey k (1-24) is xterm colour 231 + k
    lowest = np.ceil((rich_step - 0.5) * RICH_GREY_STEP)
    highest = np.floor((rich_step + 0.5) * RICH_GREY_STEP)
    out[ramp] = np.clip(value, lowest, highest)[:, None].astype(np.uint8)
    return out
