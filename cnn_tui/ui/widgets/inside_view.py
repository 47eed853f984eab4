"""Inside one image: its feature maps layer by layer, the first filters, its probabilities.

On the left the image, what it is and what the model said, and the class
probabilities as bars (the most probable ones when not all fit); on the right
one layer at a time, named with its neighbours: each channel's map as a grey
tile (scaled to its own range: the brightest value of each channel is white),
as many as fit, paged with ``[``/``]``; ←/→ move between layers. The first
entry, when the model has a convolution, is its filters, which do not depend
on the image. The tiles come ready from the
worker (``map_tiles.py``); drawing them is the half-block ``ImageGrid``'s.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from cnn_tui.core.shape_format import format_shape
from cnn_tui.ui.widgets.confusion_text import abbreviate
from cnn_tui.ui.widgets.image_grid import ImageGrid
from cnn_tui.ui.widgets.map_tiles import InsideTiles, TileStack

BARS_SHOWN = 10
"""Classes in the bar chart; with more classes, the most probable ones."""
BAR_EIGHTHS = " ▏▎▍▌▋▊▉"


class InsideView(Horizontal, can_focus=True):
    """One image's feature maps, a layer at a time, and its class probabilities."""

    DEFAULT_CSS = """
    InsideView {
        height: 1fr;
        #inside-side { width: 26; height: 1fr; margin-right: 1; scrollbar-size-vertical: 1; }
        #inside-image { height: auto; max-height: 9; }
        #inside-verdict { height: 2; margin-bottom: 1; }
        #inside-bars { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
        #inside-main { width: 1fr; height: 1fr; }
        #inside-caption { height: auto; max-height: 2; }
        #inside-maps { height: 1fr; }
    }
    """

    BINDINGS = [
        Binding("left,up", "layer(-1)", "Layer back", key_display="←", show=False,
                tooltip="the previous layer's maps (the first: the first convolution's filters)"),
        Binding("right,down", "layer(1)", "Next layer", key_display="→",
                tooltip="the next layer's maps"),
        Binding("left_square_bracket,pageup", "channels(-1)", "Channels back", key_display="[",
                show=False, tooltip="the previous page of the layer's channels"),
        Binding("right_square_bracket,pagedown", "channels(1)", "More channels",
                key_display="]", tooltip="the next page of the layer's channels"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.tiles: InsideTiles | None = None
        self.filters: TileStack | None = None
        self.class_names: tuple[str, ...] = ()
        self.layer_index = 0
        """The entry of ``stacks`` shown."""
        self.first_channel = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="inside-side", can_focus=False):
            yield ImageGrid(placeholder="no image chosen", id="inside-image")
            yield Static(id="inside-verdict")
            yield Static(id="inside-bars")
        with Vertical(id="inside-main"):
            yield Static(id="inside-caption")
            yield ImageGrid(placeholder="", id="inside-maps")

    @property
    def stacks(self) -> tuple[TileStack, ...]:
        """What ←/→ move through: the filters, then every map layer."""
        maps = self.tiles.maps if self.tiles is not None else ()
        return ((self.filters,) if self.filters is not None else ()) + tuple(maps)

    @property
    def maps_grid(self) -> ImageGrid:
        return self.query_one("#inside-maps", ImageGrid)

    def show(self, tiles: InsideTiles | None, filters: TileStack | None,
             class_names: tuple[str, ...], verdict: Text | str, *, same_model: bool) -> None:
        """Draw one image's ``tiles`` (None: none chosen yet); ``same_model`` keeps the
        layer and channels on screen, so images can be compared at one layer."""
        first_image = self.tiles is None
        self.tiles, self.filters, self.class_names = tiles, filters, class_names
        if not same_model or first_image or self.layer_index >= len(self.stacks):
            # The first convolution's maps first; its filters are one step back.
            self.layer_index = 1 if filters is not None and tiles is not None and tiles.maps else 0
            self.first_channel = 0
        image = self.query_one("#inside-image", ImageGrid)
        if tiles is None:
            image.clear("no image chosen")
        else:
            image.set_images(tiles.image[np.newaxis])
        self.query_one("#inside-verdict", Static).update(verdict)
        self._draw_layer()
        self.call_after_refresh(self._draw_bars)  # they fill the room the layout leaves

    def action_layer(self, step: int) -> None:
        layer = self.layer_index + step
        if 0 <= layer < len(self.stacks):
            self.layer_index, self.first_channel = layer, 0
            self._draw_layer()

    def action_channels(self, step: int) -> None:
        stacks = self.stacks
        if not stacks:
            return
        first = self.first_channel + step * max(1, self.maps_grid.shown)
        if 0 <= first < len(stacks[self.layer_index]) or (step < 0 and self.first_channel > 0):
            self.first_channel = max(0, first)
            self._draw_layer()

    def on_resize(self) -> None:
        self.call_after_refresh(self._after_layout)

    def _after_layout(self) -> None:
        self._draw_bars()
        self._caption()

    def _draw_bars(self) -> None:
        """The bars, as many as the side has room for under the image (at least 3)."""
        bars = self.query_one("#inside-bars", Static)
        if self.tiles is None:
            bars.update("")
            return
        side = self.query_one("#inside-side").scrollable_content_region
        used = 0
        for part in ("image", "verdict"):
            widget = self.query_one(f"#inside-{part}")
            margin = widget.styles.margin
            used += widget.outer_size.height + margin.top + margin.bottom
        rows = max(3, side.height - used) if side.height else BARS_SHOWN
        # A column spare for the scroll bar that too many bars would bring.
        bars.update(probability_bars(self.tiles.probabilities, self.class_names,
                                     width=max(16, side.width - 1), rows=min(rows, BARS_SHOWN)))

    def _draw_layer(self) -> None:
        stacks = self.stacks
        grid = self.maps_grid
        if not stacks and self.tiles is not None:
            grid.clear("no convolution or pooling layer: no feature maps")
        elif not stacks:
            grid.clear("choose an image: enter in the gallery (g), # or o")
        else:
            stack = stacks[self.layer_index]
            tiles = stack.tiles[self.first_channel:]
            width = tiles.shape[2]
            # Large maps may shrink to half size to show more channels; small ones stay.
            # Kernels are a few weights each: they may shrink to two columns a weight.
            grid.min_tile_width = (max(6, width // 2) if stack.is_filters
                                   else width if width <= 16 else max(12, width // 2))
            prefix = "f" if stack.is_filters else ""
            grid.set_images(tiles, [f"{prefix}{self.first_channel + n + 1}"
                                    for n in range(len(tiles))])
        self._caption()

    def _caption(self) -> None:
        """The layer shown, its neighbours (where ←/→ go) and the channels on screen."""
        stacks = self.stacks
        caption = self.query_one("#inside-caption", Static)
        if not stacks:
            caption.update("")
            return
        number = self.layer_index
        stack = stacks[number]
        first, shown = self.first_channel, self.maps_grid.shown
        what = "filters" if stack.is_filters else "channels"
        text = Text()
        text.append(f"{number + 1}/{len(stacks)} ", style="dim")
        if stack.is_filters:
            kh, kw, channels, count = stack.shape
            text.append(f"filters of {stack.layer}", style="bold")
            text.append(f" {count} × {kh}×{kw}×{channels}")
        else:
            text.append(stack.layer, style="bold")
            text.append(f" {format_shape(stack.shape, '×')}")
        text.append(f" · {what} {first + 1}-{min(first + max(shown, 1), len(stack))} "
                    f"of {len(stack)}")
        # The second line (cut on a small screen): the layer's type, where the keys go.
        back = f"← {_entry_name(stacks[number - 1])}" if number > 0 else "(first)"
        on = (f"{_entry_name(stacks[number + 1])} →" if number + 1 < len(stacks)
              else "(last)")
        text.append(f"\n{stack.type} · {back} · {on} · [ ] more {what}", style="dim")
        if stack.is_filters:
            text.append(" · each scaled to its own range", style="dim")
        caption.update(text)


def _entry_name(stack: TileStack) -> str:
    return "filters" if stack.is_filters else stack.layer


def probability_bars(probabilities: np.ndarray, class_names: tuple[str, ...],
                     width: int = 24, rows: int = BARS_SHOWN) -> Text:
    """A text bar per class, in class order; the most probable ``rows - 1`` under a
    "top n of K" line when there are more classes than ``rows``."""
    values = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    everything = len(values) <= rows
    order = (np.arange(len(values)) if everything
             else np.argsort(-values, kind="stable")[:max(1, rows - 1)])
    predicted = int(values.argmax()) if len(values) else -1
    names = min(8, max((len(class_names[i]) for i in order), default=1))
    bar_room = max(4, width - names - 8)
    text = Text(no_wrap=True, overflow="ellipsis")
    if not everything:
        text.append(f"top {len(order)} of {len(values)} classes\n", style="dim")
    for line, index in enumerate(order):
        eighths = round(float(values[index]) * bar_room * 8)
        bar = "█" * (eighths // 8) + (BAR_EIGHTHS[eighths % 8] if eighths % 8 else "")
        style = "bold" if index == predicted else ""
        text.append(("\n" if line else "") + f"{abbreviate(class_names[index], names):<{names}} ",
                    style=style)
        text.append(f"{bar:<{bar_room}}", style="green" if index == predicted else "")
        text.append(f" {100 * float(values[index]):5.1f}%", style=style)
    return text
