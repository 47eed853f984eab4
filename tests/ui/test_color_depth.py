"""``--color``: the colour system the app draws with, and what reaches the terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.console import Console
from textual.strip import Strip

from cnn_tui.cli.parser import APP_SETTINGS, given_settings, parse_args
from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.color_depth import apply_color_choice, draws_256_colors
from cnn_tui.ui.options import LaunchOptions


def detected(environ: dict[str, str]) -> Console:
    """A console that detects its colours from ``environ``, as Textual's does."""
    return Console(force_terminal=True, color_system="auto", _environ=environ)


@pytest.mark.parametrize(("environ", "choice", "expected"), [
    # Over SSH: TERM is forwarded, COLORTERM is not.
    ({"TERM": "xterm-256color"}, "auto", "256"),
    ({"TERM": "xterm-256color"}, "truecolor", "truecolor"),
    # The terminal says it has true colour, and the user asks for the 256-colour look.
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, "auto", "truecolor"),
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, "256", "256"),
    ({"TERM": "tmux-256color"}, "auto", "256"),
])
def test_the_choice_overrides_what_the_environment_says(environ, choice, expected) -> None:
    console = detected(environ)
    apply_color_choice(console, choice)
    assert console.color_system == expected
    assert draws_256_colors(console) == (expected == "256")


@pytest.mark.parametrize(("choice", "sgr"), [("truecolor", "38;2;"), ("256", "38;5;")])
def test_textual_draws_its_lines_with_the_chosen_colours(choice: str, sgr: str) -> None:
    """What the driver writes: Textual's Strip.render reads the console's colour system."""
    from rich.segment import Segment
    from rich.style import Style

    console = detected({"TERM": "xterm-256color"})
    apply_color_choice(console, choice)
    strip = Strip([Segment("x", Style(color="rgb(200,100,50)"))])
    assert sgr in strip.render(console)


@pytest.mark.parametrize("choice", ["truecolor", "256"])
def test_the_flag_reaches_the_apps_console(choice: str, tmp_path: Path) -> None:
    given = given_settings(parse_args(["--color", choice, "--runs-dir", str(tmp_path)]),
                           APP_SETTINGS)
    assert given["color"] == choice
    app = CnnTuiApp(LaunchOptions(**given), load_keras=False)
    assert app.console.color_system == choice


def test_auto_keeps_what_textual_detected(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    app = CnnTuiApp(LaunchOptions(runs_dir=tmp_path), load_keras=False)
    assert app.console.color_system == "256"
    monkeypatch.setenv("COLORTERM", "truecolor")
    app = CnnTuiApp(LaunchOptions(runs_dir=tmp_path), load_keras=False)
    assert app.console.color_system == "truecolor"


def test_help_names_the_flag(capsys) -> None:
    from cnn_tui.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert re.search(r"--color TEXT .*\(auto\|truecolor\|256\) \(default: auto\)", text)


@pytest.mark.parametrize(("choice", "said"), [
    ("256", "Colours (now: 256 colours, images dithered)"),
    ("truecolor", "Colours (now: 24-bit colour)"),
])
def test_the_help_screen_says_what_the_app_draws_with(choice: str, said: str,
                                                      tmp_path: Path) -> None:
    app = CnnTuiApp(LaunchOptions(runs_dir=tmp_path, color=choice), load_keras=False)
    sections = dict(app.help_sections())
    rows = dict(sections[said])
    assert "--color truecolor" in rows and "COLORTERM" in rows["ssh"]
    assert "RGB" in rows["tmux"]
