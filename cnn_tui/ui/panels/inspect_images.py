"""Inside one image, for the Inspect tab: which image (the gallery's enter, ``#`` for one of
the split's by number, ``o`` for an image file), the worker that looks inside it,
and the lines that say what the model made of it.

A mixin of ``InspectPanel``. The forward pass runs in an exclusive thread
worker (``inspect-image``): a newer image cancels the one before, whose
result is dropped; so is one that arrives after another run was chosen.
A number outside the split is refused in one sentence before anything
runs; a file that is not an image is told by the worker, as an
``InspectError``'s sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from cnn_tui.core.inspect import Evaluation, FeatureExtractor, LoadedRun, RunToInspect
from cnn_tui.core.shape_format import format_shape
from cnn_tui.ui.panels.inspect_loader import ImageChoice, describe_failure, look_inside
from cnn_tui.ui.screens.text_prompt import TextPromptScreen
from cnn_tui.ui.state import InspectTarget
from cnn_tui.ui.widgets.inside_view import InsideView
from cnn_tui.ui.widgets.map_tiles import InsideTiles, TileStack
from cnn_tui.ui.widgets.mistakes_gallery import MistakesGallery

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:
    _Base = object


@dataclass
class Looked(Message, bubble=False, namespace="inspect_panel"):
    """One image's tiles, or why there are none (the image worker's one message)."""

    target: InspectTarget | None
    choice: ImageChoice
    tiles: InsideTiles | None
    error: str = ""


class InsideImages(_Base):
    """Choosing an image and looking inside it (a mixin of ``InspectPanel``)."""

    inspect_target: InspectTarget | None
    run: RunToInspect | None
    loaded: LoadedRun | None
    evaluation: Evaluation | None
    extractor: FeatureExtractor | None
    filters: TileStack | None
    choice: ImageChoice | None
    show_view: Callable[[str], None]

    def look(self, choice: ImageChoice) -> None:
        """Run ``choice`` through the model (a worker), then show its maps."""
        if self.loaded is None or self.extractor is None:
            self.notify("The model is still loading; try again in a moment.",
                        severity="warning")
            return
        self.choice = choice  # one forward pass: too quick for a progress line
        self._look(self.inspect_target, self.loaded, self.extractor, choice)

    @work(thread=True, exclusive=True, group="inspect-image", exit_on_error=False,
          description="looking inside an image")
    def _look(self, target: InspectTarget | None, loaded: LoadedRun,
              extractor: FeatureExtractor, choice: ImageChoice) -> None:
        # TensorFlow's pools run the pass with the load's lower priority; this thread,
        # which holds the GIL between its calls, keeps the UI's (thread_priority.py).
        try:
            looked = Looked(target, choice, look_inside(loaded, extractor, choice))
        except Exception as error:  # noqa: BLE001 - every failure is one sentence on screen
            looked = Looked(target, choice, None, describe_failure(error, choice.describe()))
        if not get_current_worker().is_cancelled:
            self.post_message(looked)

    # Named handlers, not @on: Textual collects @on only from its own classes, not mixins.
    def on_inspect_panel_looked(self, message: Looked) -> None:
        if message.target != self.inspect_target or message.choice != self.choice:
            return  # another run or image was asked for since
        if message.tiles is None or self.run is None:
            self.notify(message.error, title="Cannot look inside", severity="error",
                        timeout=10, markup=False)
            return
        self.query_one(InsideView).show(
            message.tiles, self.filters, self.run.class_names,
            self.verdict(message.choice, message.tiles), same_model=True)
        self.show_view("inside")

    def on_mistakes_gallery_chosen(self, message: MistakesGallery.Chosen) -> None:
        message.stop()
        self.look(ImageChoice(index=message.index))

    def action_ask_index(self) -> None:
        if self.loaded is None:
            return
        count = len(self.loaded.split.labels)
        current = self.choice.index if self.choice is not None else None

        def answer(text: str | None) -> None:
            if text is None or self.loaded is None:
                return
            try:
                index = int(text.replace(",", "").replace("_", ""))
            except ValueError:
                index = -1
            if not 0 <= index < count:
                self.notify(f"{text} is not an image number of the split: give one from 0 "
                            f"to {count - 1:,}.", title="No such image", severity="error",
                            markup=False)
                return
            self.look(ImageChoice(index=index))

        self.app.push_screen(TextPromptScreen(
            f"Look inside which image of the {self.loaded.split.description}? "
            f"(0 to {count - 1:,})", "0" if current is None else str(current),
            placeholder="image number"), answer)

    def action_ask_file(self) -> None:
        if self.loaded is None:
            return
        shape = format_shape(self.loaded.run.input_shape, "×")

        def answer(text: str | None) -> None:
            if text is not None:
                self.look(ImageChoice(path=Path(text).expanduser()))

        self.app.push_screen(TextPromptScreen(
            f"Look inside which image file? (PNG, JPEG…; made {shape} like the run's images)",
            placeholder="path/to/image.png"), answer)

    def verdict(self, choice: ImageChoice, tiles: InsideTiles) -> Text:
        """What the image is and what the model said: two lines over the bars."""
        names = self.run.class_names if self.run is not None else ()
        predicted = int(tiles.probabilities.argmax())
        said = f"predicted {names[predicted]} ({100 * float(tiles.probabilities[predicted]):.1f}%)"
        text = Text()
        if choice.path is not None:
            text.append(choice.path.name, style="bold")
            text.append(f"\n{said}")
            return text
        assert choice.index is not None and self.loaded is not None
        true = int(self.loaded.split.labels[choice.index])
        text.append(f"image {choice.index:,}", style="bold")
        text.append(f": true {names[true]}\n{said} ")
        text.append("✓" if true == predicted else "✗",
                    style="green" if true == predicted else "red")
        return text
