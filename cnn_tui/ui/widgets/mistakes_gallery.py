"""The misclassified images of a split, most confident mistakes first, a page at a time.

A page is as many tiles as the grid fits (``ImageGrid.shown``), so ``]``
moves on by what was on screen, whatever the terminal's size, and ``[``
goes back to where the page before began (a last page of a few tiles may
draw them larger, so pages are not all the same size). Each tile says
"true→predicted confidence"; the selected one is marked ▸…◂ and described in
full on the line under the grid; enter posts ``Chosen`` with its index in
the split, and the Inspect tab looks inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from cnn_tui.core.inspect import Evaluation
from cnn_tui.ui.widgets.confusion_text import abbreviate
from cnn_tui.ui.widgets.image_grid import ImageGrid

PAGE_LIMIT = 120
"""The most images handed to the grid at once (more never fit a terminal)."""


class MistakesGallery(Vertical, can_focus=True):
    """Paged tiles of the misclassified images, one selected."""

    DEFAULT_CSS = """
    MistakesGallery {
        height: 1fr;
        #mistakes-caption, #mistakes-detail {
            height: 1; text-wrap: nowrap; text-overflow: ellipsis;
        }
        #mistakes-caption { color: $text-muted; }
        #mistakes-grid { height: 1fr; }
    }
    """

    BINDINGS = [
        Binding("left", "move(-1)", "Previous image", show=False,
                tooltip="select the previous mistake (more confident)"),
        Binding("right", "move(1)", "Next image", show=False,
                tooltip="select the next mistake (less confident)"),
        Binding("up", "move_line(-1)", "Line up", show=False,
                tooltip="select the mistake above"),
        Binding("down", "move_line(1)", "Line down", show=False,
                tooltip="select the mistake below"),
        Binding("left_square_bracket,pageup", "page(-1)", "Page back", key_display="[",
                show=False, tooltip="the previous page of mistakes"),
        Binding("right_square_bracket,pagedown", "page(1)", "Next page", key_display="]",
                tooltip="the next page of mistakes (less confident ones)"),
        Binding("enter", "choose", "Look inside", key_display="⏎",
                tooltip="the selected image's feature maps and probabilities"),
    ]

    @dataclass
    class Chosen(Message):
        """Look inside this image of the split."""

        index: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.evaluation: Evaluation | None = None
        self._images: np.ndarray | None = None
        self._page: np.ndarray | None = None
        """The images of the page's mistakes (at most ``PAGE_LIMIT``)."""
        self.mistakes: np.ndarray = np.zeros(0, dtype=np.int64)
        """Split indices of the misclassified images, most confident first."""
        self.first = 0
        """The position in ``mistakes`` of the page's first tile."""
        self.selected = 0
        """The selected tile, counted from the page's first."""
        self._page_starts: list[int] = []
        """Where the pages before this one began, the latest last."""

    def compose(self) -> ComposeResult:
        yield Static(id="mistakes-caption")
        yield ImageGrid(placeholder="", id="mistakes-grid")
        yield Static(id="mistakes-detail")

    @property
    def grid(self) -> ImageGrid:
        return self.query_one("#mistakes-grid", ImageGrid)

    def show(self, evaluation: Evaluation | None, images: np.ndarray | None) -> None:
        """The mistakes of ``evaluation``, drawn from the split's ``images`` (None: loading)."""
        same = evaluation is self.evaluation and images is self._images
        self.evaluation, self._images = evaluation, images
        if not same:
            self.mistakes = (evaluation.mistakes() if evaluation is not None
                             else np.zeros(0, dtype=np.int64))
            self.first = self.selected = 0
            self._page_starts = []
        if images is not None:
            # Digits read at half size; photos need two thirds of theirs.
            width, channels = images.shape[2], images.shape[3]
            self.grid.min_tile_width = max(12, width // 2 if channels == 1 else 2 * width // 3)
        self._draw_page()

    @property
    def chosen_index(self) -> int | None:
        """The split index of the selected image, if any."""
        position = self.first + self.selected
        return int(self.mistakes[position]) if position < len(self.mistakes) else None

    def on_resize(self) -> None:
        self.call_after_refresh(self._after_layout)

    def on_show(self) -> None:
        self.call_after_refresh(self._after_layout)

    def _after_layout(self) -> None:
        shown = self.grid.shown
        if shown and self.selected >= shown:
            self.selected = shown - 1
        self._label_page()

    def action_move(self, step: int) -> None:
        shown = self.grid.shown
        if not shown:
            return
        position = self.first + self.selected + step
        if position < 0 or position >= len(self.mistakes):
            return
        if 0 <= self.selected + step < shown:
            self.selected += step
            self._label_page()
        else:  # past the page's edge: the next or previous page
            self.action_page(1 if step > 0 else -1)
            if step < 0:
                self.selected = max(0, self.grid.shown - 1)
                self._label_page()

    def action_move_line(self, step: int) -> None:
        layout = self.grid.layout_now
        if layout is not None:
            self.action_move(step * layout.per_row)

    def action_page(self, step: int) -> None:
        if step > 0:
            first = self.first + max(1, self.grid.shown)
            if first >= len(self.mistakes):
                return
            self._page_starts.append(self.first)
        elif self._page_starts:
            first = self._page_starts.pop()
        elif self.first > 0:  # the pages before were drawn at another size
            first = max(0, self.first - max(1, self.grid.shown))
        else:
            return
        self.first, self.selected = first, 0
        self._draw_page()

    def action_choose(self) -> None:
        index = self.chosen_index
        if index is not None and self._images is not None:
            self.post_message(self.Chosen(index))

    def _draw_page(self) -> None:
        grid = self.grid
        if self.evaluation is None or self._images is None or not len(self.mistakes):
            grid.clear(self._placeholder())
            self._texts("", "")
            return
        self._page = self._images[self.mistakes[self.first:self.first + PAGE_LIMIT]]
        self._label_page()

    def _label_page(self) -> None:
        """The tiles' labels (the selected one marked) and the lines around the grid."""
        evaluation = self.evaluation
        if evaluation is None or self._images is None or not len(self.mistakes):
            return
        indices = self.mistakes[self.first:self.first + PAGE_LIMIT]
        self.grid.set_images(self._page, self._labels(indices))
        shown = self.grid.shown
        last = self.first + max(shown, 1)
        caption = (f"mistakes {self.first + 1:,}-{min(last, len(self.mistakes)):,} of "
                   f"{len(self.mistakes):,}, the most confident first · [ ] pages, "
                   "arrows select, enter looks inside")
        index = self.chosen_index
        detail = Text()
        if index is not None:
            true, predicted = evaluation.labels[index], evaluation.predicted[index]
            detail.append(f"image {index:,}: ", style="bold")
            detail.append(f"true {evaluation.classes[true]}, predicted "
                          f"{evaluation.classes[predicted]} with "
                          f"{100 * float(evaluation.confidence[index]):.1f}% confidence")
        self._texts(caption, detail)

    def _labels(self, indices: np.ndarray) -> list[str]:
        evaluation = self.evaluation
        assert evaluation is not None
        room = self.grid.min_tile_width - 2  # the selection marks
        name_room = max(1, (room - 6) // 2)
        labels = []
        for position, index in enumerate(indices):
            true = abbreviate(evaluation.classes[evaluation.labels[index]], name_room)
            predicted = abbreviate(evaluation.classes[evaluation.predicted[index]], name_room)
            label = f"{true}→{predicted} {float(evaluation.confidence[index]):.0%}"
            labels.append(f"▸{label}◂" if position == self.selected else label)
        return labels

    def _placeholder(self) -> str:
        if self.evaluation is None:
            return "no run evaluated yet"
        if not len(self.mistakes):
            return "no mistakes: every image of the split is classified right"
        return "loading the split's images…"

    def _texts(self, caption: str, detail: Text | str) -> None:
        self.query_one("#mistakes-caption", Static).update(caption)
        self.query_one("#mistakes-detail", Static).update(detail)
