"""Early stopping and reduce-on-plateau: Keras's own callbacks, with counters that resume.

Both watch ``config.monitor`` at every epoch's end. Keras resets their
counters in ``on_train_begin``, and a resumed run is a new call to ``fit``,
so the subclasses here put back what the checkpoint kept (``state``):

* ``EarlyStopping``: ``wait`` (epochs without improvement), ``best``,
  ``best_epoch``, and the best epoch's weights (a separate archive entry, see
  ``checkpoint.py``), so ``restore_best`` still has them after a resume;
* ``ReduceLROnPlateau``: ``wait``, ``best`` and ``cooldown_counter``. The
  reduced rate itself is the optimizer's variable: it came back with the model.

A run extended after early stopping ended it (``--resume --epochs more``)
keeps its best but gets a fresh ``wait``: it was asked for more epochs, so it
has its patience again to improve on that best.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cnn_tui.core.runs.config import TrainConfig

EARLY_STOPPING = "early_stopping"
PLATEAU = "reduce_lr_on_plateau"
KEPT: dict[str, tuple[str, ...]] = {
    EARLY_STOPPING: ("wait", "best", "best_epoch"),
    PLATEAU: ("wait", "best", "cooldown_counter"),
}
"""The attributes of each callback that a checkpoint keeps, by the name it keeps them under."""


def make_monitors(config: TrainConfig, saved: Mapping[str, Any] | None = None,
                  best_weights: list[Any] | None = None, *, extending: bool = False) -> list[Any]:
    """The run's EarlyStopping and ReduceLROnPlateau, each only when its patience is set.

    ``saved``: ``state()`` of the run so far (from its checkpoint); ``best_weights``:
    the early stopping's best weights kept with it. Imports keras.
    """
    import keras

    saved = saved or {}

    class Resumable:
        """Keras's callback, given back the counters of the run so far after its reset."""

        key = ""
        async_safe = True  # epoch hooks only

        def __init__(self, restored: Mapping[str, Any], **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.restored = restored

        def on_train_begin(self, logs: Any = None) -> None:
            super().on_train_begin(logs)  # type: ignore[misc]
            for name, value in self.restored.items():
                setattr(self, name, value)

        def counters(self) -> dict[str, Any]:
            return {name: getattr(self, name, None) for name in KEPT[self.key]}

    class ResumableEarlyStopping(Resumable, keras.callbacks.EarlyStopping):
        key = EARLY_STOPPING

        def on_train_begin(self, logs: Any = None) -> None:
            super().on_train_begin(logs)
            if self.restore_best_weights and best_weights is not None:
                self.best_weights = best_weights

    class ResumablePlateau(Resumable, keras.callbacks.ReduceLROnPlateau):
        key = PLATEAU

    monitors: list[Any] = []
    if config.plateau_patience is not None:
        monitors.append(ResumablePlateau(
            _restorable(saved.get(PLATEAU), PLATEAU), monitor=config.monitor,
            factor=config.plateau_factor, patience=config.plateau_patience))
    if config.early_stop_patience is not None:
        restored = _restorable(saved.get(EARLY_STOPPING), EARLY_STOPPING)
        if extending:
            restored.pop("wait", None)
        monitors.append(ResumableEarlyStopping(
            restored, monitor=config.monitor, patience=config.early_stop_patience,
            min_delta=config.early_stop_min_delta,
            restore_best_weights=config.restore_best == "yes"))
    return monitors


def state(monitors: Sequence[Any]) -> dict[str, Any]:
    """What the checkpoint keeps of ``monitors`` (JSON), by callback."""
    return {monitor.key: monitor.counters() for monitor in monitors}


def best_weights(monitors: Sequence[Any]) -> list[Any] | None:
    """The early stopping's best weights so far, when it is to restore them."""
    early = _early_stopping(monitors)
    if early is None or not early.restore_best_weights:
        return None
    weights: list[Any] | None = early.best_weights
    return weights


def ending(monitors: Sequence[Any], epochs_done: int,
           epochs: int) -> tuple[bool, str, int | None]:
    """After ``fit`` returned: (stopped early, why, the 1-based epoch whose weights the model
    now holds when it is not the last). ``epochs``: the run's planned total."""
    early = _early_stopping(monitors)
    if early is None:
        return False, "", None
    # Keras also "stops" at the last planned epoch when patience runs out there:
    # the run ended when it would have anyway, which is no early stop.
    stopped = early.stopped_epoch > 0 and epochs_done < epochs
    # Keras restores the best weights at the end of training, stopped early or not;
    # they are worth a word only when they are not the last epoch's.
    restored = None
    kept_best = early.restore_best_weights and early.best_weights is not None
    if kept_best and early.best_epoch + 1 != epochs_done:
        restored = early.best_epoch + 1
    parts = [f"early stop at epoch {early.stopped_epoch + 1}"] if stopped else []
    if restored is not None:
        parts.append(f"best epoch {restored} restored")
    return stopped, "; ".join(parts), restored


def _early_stopping(monitors: Sequence[Any]) -> Any:
    return next((m for m in monitors if m.key == EARLY_STOPPING), None)


def _restorable(saved: Any, key: str) -> dict[str, Any]:
    """The counters in ``saved`` that have the types Keras keeps them in (a checkpoint is
    read as untrusted input: anything else starts afresh)."""
    if not isinstance(saved, dict):
        return {}
    kept: dict[str, Any] = {}
    for name in KEPT[key]:
        value = saved.get(name)
        if name == "best":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                kept[name] = float(value)
        elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            kept[name] = value
    return kept
