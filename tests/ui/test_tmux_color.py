"""The real ``cnn-tui --color ...`` in tmux, where COLORTERM is not set (as over SSH).

What reaches the terminal is what tmux stores for each cell: with ``--color 256``
(and with ``auto``, which believes TERM) the Dataset tab's CIFAR-10 samples
are drawn only with palette numbers (dithered, ``38;5;N``), with ``--color
truecolor`` with 24-bit colours (``38;2;R;G;B``), and at 120x40 at native size,
32 half-blocks a tile row.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.color import ColorType
from rich.text import Text

import cnn_tui
from cnn_tui.ui.widgets.image_tiles import UPPER_HALF_BLOCK
from cnn_tui.ui.xterm_palette import PALETTE_NUMBERS
from tests.resources import missing

SOURCE_ROOT = Path(cnn_tui.__file__).resolve().parents[1]
SESSION = f"cnn-tui-color-{os.getpid()}"


@pytest.fixture(autouse=True)
def _tmux() -> None:
    if shutil.which("tmux") is None:
        missing("tmux is not installed (.ci/run installs it with apt)")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def wait_for(predicate, timeout: float, what: str, *flags: str) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = tmux("capture-pane", "-p", *flags, "-t", SESSION)
        if predicate(text):
            return text
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}; screen:\n{text}")


def drawn_width(screen: str) -> int:
    return max((len(line.rstrip()) for line in screen.splitlines()), default=0)


def half_block_colours(ansi_screen: str) -> list[tuple[ColorType, object]]:
    """(type, number or RGB triplet) of the upper and lower pixel of every ▀ cell."""
    found = []
    for line in ansi_screen.splitlines():
        text = Text.from_ansi(line)
        for span in text.spans:
            style = span.style
            if isinstance(style, str) or UPPER_HALF_BLOCK not in text.plain[span.start:span.end]:
                continue
            for colour in (style.color, style.bgcolor):
                if colour is not None:
                    found.append((colour.type, colour.number if colour.number is not None
                                  else colour.triplet))
    return found


@pytest.mark.parametrize("choice", ["auto", "256", "truecolor"])
def test_real_binary_draws_images_with_the_chosen_colours(shared_data: Path, tmp_path: Path,
                                                           choice: str) -> None:
    cifar = shared_data / "cifar10" / "cifar10_train_0000_0999.npz"
    command = (
        # As over SSH: TERM forwarded, COLORTERM not.
        # COLUMNS and LINES: the pane's shell may carry 80 and 24 from the environment
        # the tmux server started in, and the app would believe them over the pane.
        f"cd {tmp_path} && env -u COLORTERM -u COLUMNS -u LINES TERM=xterm-256color "
        f"PYTHONPATH={SOURCE_ROOT} "
        f"{sys.executable} -m cnn_tui --dataset {cifar} --runs-dir {tmp_path / 'runs'} "
        f"--color {choice}; echo EXITED $?; sleep 60"
    )
    tmux("kill-session", "-t", SESSION)
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", command)
    try:
        # The first row and the totals: on screen at any size (at 80x24 the table shows
        # only its first ten layers).
        screen = wait_for(lambda s: "Conv2D" in s and "params 276,138" in s, 30,
                          "the shape table")
        if drawn_width(screen) < 118:
            # A fresh tmux server (3.3) may start the pane at its default 80x24 and the
            # app miss the resize; a nudge makes it draw at the size asked for.
            tmux("resize-window", "-t", SESSION, "-x", "119", "-y", "40")
            tmux("resize-window", "-t", SESSION, "-x", "120", "-y", "40")
            wait_for(lambda s: drawn_width(s) >= 118, 10, "the app at 120 columns")
        tmux("send-keys", "-t", SESSION, "1")
        screen = wait_for(lambda s: "truck" in s and "automobile" in s, 30, "the samples")
        # Native size: a CIFAR-10 tile row is 32 half-blocks, two tiles side by side.
        assert f"{UPPER_HALF_BLOCK * 32} {UPPER_HALF_BLOCK * 32}" in screen
        assert UPPER_HALF_BLOCK * 33 not in screen

        colours = half_block_colours(tmux("capture-pane", "-p", "-e", "-t", SESSION))
        kinds = {kind for kind, _ in colours}
        if choice in ("auto", "256"):  # auto: a 256-colour TERM and no COLORTERM
            assert kinds == {ColorType.EIGHT_BIT}
            numbers = {value for _, value in colours}
            assert numbers <= set(PALETTE_NUMBERS.tolist()) and len(numbers) > 40
        else:
            assert kinds == {ColorType.TRUECOLOR}
            assert len({value for _, value in colours}) > 500

        tmux("send-keys", "-t", SESSION, "q")
        final = wait_for(lambda s: "EXITED" in s, 20, "the app to exit")
        assert "EXITED 0" in final, final
    finally:
        tmux("kill-session", "-t", SESSION)
