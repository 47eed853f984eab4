"""The learning rate a run's optimizer follows: a number, or one of Keras's schedules.

``learning_rate_for`` turns the run's settings into what ``keras.optimizers.*``
takes as ``learning_rate``: the plain number for ``constant`` without warm-up
(the optimizer's own variable, which ReduceLROnPlateau can change), else a
``keras.optimizers.schedules`` object, which Keras evaluates at the
optimizer's iteration count before every step:

* ``step``: ``ExponentialDecay(staircase=True)``, times ``lr_decay`` every
  ``lr_step_epochs`` epochs; ``exponential``: the same without the staircase;
* ``cosine``: ``CosineDecay`` from the rate down to 0 at the run's last step;
* warm-up: a linear rise from 0 over ``warmup_epochs``, after which the
  schedule starts (its epoch 0 is the first after the warm-up). ``CosineDecay``
  has this built in; the others are wrapped in ``LinearWarmUp``, the one
  schedule of our own, which Keras has no counterpart for.

Resuming needs no state of our own: the iteration count is one of the
optimizer's variables, saved in every checkpoint, so a resumed schedule goes
on at the step where the run stopped. The schedule itself is built again from
the run's settings (``follow_schedule``) rather than taken from the
checkpoint, so that the code here, not an old file, decides what it is, and
an extended run's cosine is planned over its new total of epochs.
"""

from __future__ import annotations

import functools
from typing import Any

from cnn_tui.core.runs.config import TrainConfig


def learning_rate_for(config: TrainConfig, steps_per_epoch: int) -> Any:
    """``config.learning_rate`` as a float, or the schedule it starts (imports keras)."""
    import keras

    schedules = keras.optimizers.schedules
    rate = float(config.learning_rate)
    warmup_steps = (config.warmup_epochs or 0) * steps_per_epoch
    if config.lr_schedule == "cosine":
        decay_steps = max(1, config.epochs * steps_per_epoch - warmup_steps)
        if not warmup_steps:
            return schedules.CosineDecay(rate, decay_steps)
        return schedules.CosineDecay(0.0, decay_steps, warmup_target=rate,
                                     warmup_steps=warmup_steps)
    after: Any = rate
    if config.lr_schedule in ("step", "exponential"):
        after = schedules.ExponentialDecay(
            rate, decay_steps=config.lr_step_epochs * steps_per_epoch,
            decay_rate=config.lr_decay, staircase=config.lr_schedule == "step")
    if warmup_steps:
        return linear_warm_up_class()(rate, warmup_steps, after)
    return after


def follow_schedule(optimizer: Any, config: TrainConfig, steps_per_epoch: int) -> None:
    """Point a checkpoint's optimizer at the run's schedule (a resume).

    A constant rate is left alone: it is the optimizer's own variable, which
    came back with the checkpoint (with any reduction on a plateau).
    """
    rate = learning_rate_for(config, steps_per_epoch)
    if not isinstance(rate, float):
        optimizer.learning_rate = rate


def current_learning_rate(optimizer: Any) -> float:
    """The rate the optimizer's next step will use (the schedule at its iteration count)."""
    import keras

    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


@functools.cache
def linear_warm_up_class() -> type:
    """``LinearWarmUp``, registered with Keras (a checkpoint that holds one needs it to load)."""
    import keras

    ops = keras.ops

    @keras.saving.register_keras_serializable(package="cnn_tui")
    class LinearWarmUp(keras.optimizers.schedules.LearningRateSchedule):
        """``peak * step / warmup_steps`` during the warm-up, then ``after`` from its step 0."""

        def __init__(self, peak: float, warmup_steps: int, after: Any,
                     name: str = "LinearWarmUp") -> None:
            super().__init__()
            self.peak = peak
            self.warmup_steps = warmup_steps
            self.after = after
            """A float, or a schedule whose step 0 is the first step after the warm-up."""
            self.name = name

        def __call__(self, step: Any) -> Any:
            step = ops.cast(step, "float32")
            warmup = ops.cast(self.warmup_steps, "float32")
            rising = ops.divide(ops.multiply(self.peak, step), warmup)
            if callable(self.after):
                after = self.after(ops.maximum(ops.subtract(step, warmup), 0.0))
            else:
                after = ops.convert_to_tensor(self.after, "float32")
            return ops.where(ops.less(step, warmup), rising, ops.cast(after, "float32"))

        def get_config(self) -> dict[str, Any]:
            after = self.after
            if not isinstance(after, float):
                after = keras.optimizers.schedules.serialize(after)
            return {"peak": self.peak, "warmup_steps": self.warmup_steps, "after": after,
                    "name": self.name}

        @classmethod
        def from_config(cls, config: dict[str, Any]) -> Any:
            config = dict(config)
            if isinstance(config.get("after"), dict):
                config["after"] = keras.optimizers.schedules.deserialize(config["after"])
            return cls(**config)

    return LinearWarmUp


def register_schedules() -> None:
    """Make the schedules of our own known to Keras before a saved model is loaded."""
    linear_warm_up_class()
