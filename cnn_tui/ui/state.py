"""The values the app's state is made of, and the rule editors follow to change it.

The app holds each piece of state once, as a reactive (app_state.py); the
panels render it through ``data_bind`` and post messages to change it. The
values here are immutable, so a watcher always sees a new object for a new
state, and they import nothing of the UI, so panels and the app can share them.

``SentValues`` is how an editor (a panel where the user types the value) keeps
its fields from being overwritten by its own changes coming back late.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from cnn_tui.core.augment_config import AugmentConfig
from cnn_tui.core.datasets import DatasetInfo

if TYPE_CHECKING:
    import numpy as np

FALLBACK_INPUT: tuple[tuple[int, int, int], int] = ((28, 28, 1), 10)
"""Input shape and class count while no dataset could be described (the Dataset tab
says why): MNIST's, the tutorial's."""


def model_input(info: DatasetInfo | None) -> tuple[tuple[int, int, int], int]:
    """The input shape and class count the model's shapes are inferred for."""
    return FALLBACK_INPUT if info is None else (info.input_shape, info.num_classes)


@dataclass(frozen=True)
class Augmentation:
    """The Augment tab's switch and its last valid settings (kept while switched off)."""

    settings: AugmentConfig = field(default_factory=AugmentConfig)
    on: bool = False

    @property
    def config(self) -> AugmentConfig | None:
        """What a run uses: the settings, or None when augmentation is off."""
        return self.settings if self.on else None


@dataclass(frozen=True)
class TrainSettings:
    """The Train tab's fields, read with the settings table's ``Setting.parse``."""

    values: Mapping[str, Any] = field(default_factory=dict)
    """Setting name -> value, for every field that reads (a bad field keeps no value)."""
    problem: str = ""
    """The first bad field's message, as the CLI says it; "" when every field reads."""


@dataclass(frozen=True, eq=False)
class Samples:
    """A few real training images of a dataset, each with its class name.

    Compared by identity (``eq=False``): arrays have no truth value, and a new load
    is a new object.
    """

    source: str
    images: np.ndarray
    """uint8 (N, H, W, C)."""
    labels: tuple[str, ...]


Phase = Literal["idle", "waiting", "training", "watching"]


@dataclass(frozen=True)
class RunState:
    """What the Train tab follows: nothing, a run here, or a run of another process."""

    phase: Phase = "idle"
    """``waiting``: asked for, waiting for TensorFlow to load; ``training``: started here
    and its end event has not arrived; ``watching``: another process's run, from its files."""
    watched: Path | None = None
    """The run folder followed while ``watching``."""

    @property
    def busy(self) -> bool:
        """A run here is waiting to start or training."""
        return self.phase in ("waiting", "training")


@dataclass(frozen=True)
class InspectTarget:
    """The run the Inspect tab shows, and which time it was asked for.

    Asking again for the same run is a new target (``asked`` differs), so the tab
    reads the run again: its model may have changed since (a run continued).
    """

    run_dir: Path
    asked: int = 0
    """How many runs were asked for before this one in the session."""


T = TypeVar("T")


class SentValues(Generic[T]):
    """Values an editor posted that its owner has not bound back to it yet.

    A panel the user types in posts each new value and the app's binding brings it
    back, a few messages later; meanwhile the user may have typed on. A value that
    comes back is recognised here and not written into the fields again; any other
    value is a change from elsewhere (a run's settings opened) and fills them.
    """

    def __init__(self, limit: int = 16) -> None:
        self._values: deque[T] = deque(maxlen=limit)

    def sent(self, value: T) -> T:
        """Remember ``value`` as posted; returns it."""
        self._values.append(value)
        return value

    def newest(self, bound: T) -> T:
        """The value the owner will hold once every post has arrived: the last one sent
        and not back yet, else ``bound``."""
        return self._values[-1] if self._values else bound

    def came_back(self, value: T) -> bool:
        """Whether ``value`` is one this editor posted (it and older ones are forgotten).

        Anything else clears the memory: a change from elsewhere supersedes what
        the editor posted before it.
        """
        for index, sent in enumerate(self._values):
            if sent == value:
                for _ in range(index + 1):
                    self._values.popleft()
                return True
        self._values.clear()
        return False
