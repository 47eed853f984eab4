"""The Inspect tab's slow work, run in its worker threads: no Textual here.

``load_for_inspection`` opens a run, posts its cached evaluation at once when
there is one (the matrix shows in milliseconds for a run seen before), then
loads the model and the split (seconds: TensorFlow, the dataset), evaluates
when the cache missed, and builds the feature extractor. ``look_inside``
runs one image through the model and turns its maps into tiles. Each step
is posted as an event; every failure ends as a ``Failed`` sentence (the
core's ``CnnTuiError`` message, or a plain description of anything else),
never as a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cnn_tui.core.errors import CnnTuiError, first_line
from cnn_tui.core.inspect import (
    Evaluation,
    FeatureExtractor,
    LoadedRun,
    RunToInspect,
    cached_evaluation,
    evaluate_run,
    first_filters,
    load_run,
    open_run,
    read_image_file,
)
from cnn_tui.ui.widgets.map_tiles import InsideTiles, TileStack, filter_tiles, inside_tiles

LOADED_SHARE = 0.8
"""The part of the progress bar the model and the split take; evaluating takes the rest."""


@dataclass(frozen=True, eq=False)
class Opened:
    """The run reads, and its evaluation when one is cached for its model (else None)."""

    run: RunToInspect
    evaluation: Evaluation | None


@dataclass(frozen=True)
class Progress:
    fraction: float
    text: str


@dataclass(frozen=True, eq=False)
class Loaded:
    """Everything the tab draws from: the model, the split, the evaluation, the filters."""

    loaded: LoadedRun
    evaluation: Evaluation
    extractor: FeatureExtractor
    filters: TileStack | None


@dataclass(frozen=True)
class Failed:
    text: str


LoadEvent = Opened | Progress | Loaded | Failed


class _Abandoned(Exception):
    """Raised from the progress callback: a newer choice replaced this load."""


def load_for_inspection(run_dir: Path, post: Callable[[LoadEvent], None],
                        cancelled: Callable[[], bool]) -> None:
    """Open, load and evaluate the run at ``run_dir``, posting each step.

    ``cancelled()`` true: the load stops at its next progress report (reading
    the dataset reports often) and posts nothing more.
    """
    def progress(fraction: float, text: str) -> None:
        if cancelled():
            raise _Abandoned
        post(Progress(LOADED_SHARE * fraction, text))

    try:
        run = open_run(run_dir)
        post(Opened(run, cached_evaluation(run)))
        loaded = load_run(run, progress)
        if cancelled():
            return
        post(Progress(LOADED_SHARE, f"evaluating the model on {len(loaded.split.labels):,} "
                                    f"images ({loaded.split.description})…"))
        evaluation = evaluate_run(loaded)  # a hit reads the cache again: the loaded model's
        model = loaded.model.model
        filters = first_filters(model)
        done = Loaded(loaded, evaluation, FeatureExtractor(model),
                      None if filters is None else filter_tiles(filters))
    except _Abandoned:
        return
    except CnnTuiError as error:
        post(Failed(str(error)))
        return
    except Exception as error:  # noqa: BLE001 - a bug must not leave the tab loading forever
        post(Failed(f"{Path(run_dir).name} could not be inspected "
                    f"({type(error).__name__}: {first_line(error, 200)})."))
        return
    if not cancelled():
        post(done)


@dataclass(frozen=True)
class ImageChoice:
    """Which image to look inside: one of the split's, or an image file."""

    index: int | None = None
    """Its position in the split."""
    path: Path | None = None

    def describe(self) -> str:
        return f"image {self.index:,} of the split" if self.path is None else self.path.name


def look_inside(loaded: LoadedRun, extractor: FeatureExtractor, choice: ImageChoice
                ) -> InsideTiles:
    """The tiles of one image's maps and its probabilities (one forward pass).

    InspectError (one sentence) for an index outside the split or a file that is
    not an image.
    """
    image: Any
    if choice.path is not None:
        image = read_image_file(choice.path, loaded.run.input_shape)
    else:
        assert choice.index is not None
        image = loaded.split.images[choice.index]
    return inside_tiles(extractor.inside(np.ascontiguousarray(image)))


def describe_failure(error: BaseException, what: str) -> str:
    """One sentence for a failure of ``look_inside``."""
    if isinstance(error, CnnTuiError):
        return str(error)
    return f"{what} could not be looked inside ({type(error).__name__}: {first_line(error, 200)})."
