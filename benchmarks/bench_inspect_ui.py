"""The Inspect tab's feature maps as the UI shows them: from enter to the frame with the maps.

* ``inspect_maps_ui_s``: the app driven by Textual's Pilot (120x40) opens a
  run the TUI part trained (``app.inspect``, as ``i`` on the Runs tab does),
  waits until its model and split are loaded, then, image after image, goes
  to the mistakes gallery, selects the next mistake and presses enter; each
  figure is the time from posting enter to the first composed frame that
  shows the maps of that image (``App._display`` is wrapped to stamp every
  frame with the view on screen and the tiles it draws). It includes the
  worker's forward pass, making the tiles, the message back and the redraw.
  The median is reported; the first image (the model's first call) and the
  95th percentile are in the detail.
"""

from __future__ import annotations

import asyncio
import statistics
from pathlib import Path
from time import perf_counter
from typing import Any

from bench_common import Ratio, Results, percentile, say
from bench_tui import wait_until

LOOKS = 20
"""Images looked inside, the first one included."""


def inspectable_run(runs_dir: Path) -> Path | None:
    """The newest run folder with a saved model."""
    runs = sorted(path for path in runs_dir.iterdir() if (path / "model.keras").is_file())
    return runs[-1] if runs else None


async def maps_latencies_async(runs_dir: Path, run_dir: Path, looks: int,
                               native_log: Any) -> list[float]:
    """Seconds from enter to the frame with the maps, for ``looks`` images in turn."""
    from textual.widgets import ContentSwitcher

    from cnn_tui.ui.app import CnnTuiApp
    from cnn_tui.ui.options import LaunchOptions
    from cnn_tui.ui.panels.inspect_panel import VIEWS, InspectPanel
    from cnn_tui.ui.widgets.inside_view import InsideView

    app = CnnTuiApp(LaunchOptions(runs_dir=runs_dir), native_log=native_log)
    latencies: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.panels_mounted, 60, "the tabs")
        app.inspect(run_dir)
        panel = app.query_one(InspectPanel)
        await wait_until(pilot, lambda: panel.loaded is not None, 600, "the run to load")
        inside = app.query_one(InsideView)
        switcher = panel.query_one(ContentSwitcher)
        frames: list[tuple[float, str | None, Any]] = []
        display = app._display

        def stamped_display(screen: Any, renderable: Any) -> None:
            # On the UI thread right after a frame is composed: what it shows.
            frames.append((perf_counter(), switcher.current, inside.tiles))
            display(screen, renderable)

        app._display = stamped_display  # type: ignore[method-assign]
        for look in range(looks):
            await pilot.press("g")
            if look:
                await pilot.press("right")  # the next mistake
            await pilot.pause(0.1)
            before, seen = inside.tiles, len(frames)

            def shown(frame: tuple[float, str | None, Any], before: Any = before) -> bool:
                return frame[1] == VIEWS["inside"] and frame[2] is not None \
                    and frame[2] is not before

            start = perf_counter()
            await pilot.press("enter")
            await wait_until(pilot, lambda seen=seen, shown=shown: any(
                shown(frame) for frame in frames[seen:]), 60, "the maps", 0.002)
            latencies.append(next(frame[0] for frame in frames[seen:] if shown(frame)) - start)
        app.exit()
    return latencies


def run_inspect_ui(results: Results, runs_dir: Path, native_log: Any,
                   looks: int = LOOKS) -> None:
    run_dir = inspectable_run(runs_dir) if runs_dir.is_dir() else None
    if run_dir is None:
        results.notes.append("inspect_maps_ui_s skipped: no run with a saved model")
        say("inspect maps in the UI: skipped (no run with a saved model)")
        return
    say(f"inspect maps in the UI: {looks} images of {run_dir.name}'s mistakes, enter to "
        "the frame showing their maps")
    seconds = asyncio.run(maps_latencies_async(runs_dir, run_dir, looks, native_log))
    first, rest = seconds[0], seconds[1:] or seconds
    median = statistics.median(rest)
    detail = (f"{len(rest)} images after the first; first {first:.3f} s; "
              f"p95 {percentile(rest, 95):.3f} s; max {max(rest):.3f} s")
    say(f"  median {median:.3f} s ({detail})")
    results.ratios.append(Ratio("inspect_maps_ui_s", median, "< 0.3", detail, "{:.3f}"))
