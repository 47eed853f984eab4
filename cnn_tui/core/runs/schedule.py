"""The learning rate a run's optimizer follows: a number, or one of Keras's schedules.

``learning_rate_for`` turns the run's settings into what ``keras.optimizers.*``
takes as ``learning_rate``: the plain number for ``constant``, else a
``keras.optimizers.schedules`` object, which Keras evaluates at the
optimizer's iteration count before every step.

Resuming needs no state of our own: the iteration count is one of the
optimizer's variables, saved in every checkpoint, so a resumed schedule goes
on at the step where the run stopped. The schedule itself is built again from
the run's settings (``follow_schedule``) rather than taken from the
checkpoint, so that the code here, not an old file, decides what it is, and
an extended run's cosine is planned over its new total of epochs.
"""

from __future__ import annotations

from typing import Any

from cnn_tui.core.runs.config import TrainConfig


def learning_rate_for(config: TrainConfig, steps_per_epoch: int) -> Any:
    """``config.learning_rate`` as a float, or the schedule it starts (imports keras)."""
    import keras

    rate = float(config.learning_rate)
    if config.lr_schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(
            rate, decay_steps=max(1, config.epochs * steps_per_epoch))
    return rate


def follow_schedule(optimizer: Any, config: TrainConfig, steps_per_epoch: int) -> None:
    """Point a checkpoint's optimizer at the run's schedule (a resume).

    A constant rate is left alone: it is the optimizer's own variable, which
    came back with the checkpoint.
    """
    rate = learning_rate_for(config, steps_per_epoch)
    if not isinstance(rate, float):
        optimizer.learning_rate = rate


def current_learning_rate(optimizer: Any) -> float:
    """The rate the optimizer's next step will use (the schedule at its iteration count)."""
    import keras

    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
