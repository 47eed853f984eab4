"""A run's Keras model: built and compiled, or loaded from its checkpoint.

Made inside the strategy's scope: its variables (weights, optimizer slots,
metrics) are then mirrored on every replica (``placement.py``) or every worker
(``cluster_join.py``), and each step runs on all of them. The layers compute
at the run's precision (``compute.py``), and the compute line records it.
With augmentation on the device (``augment_place.py``) the augmenter is the
model's first layer; a resumed run keeps whatever its checkpoint holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cnn_tui.core.runs.checkpoint import load_model
from cnn_tui.core.runs.prepare import PreparedRun
from cnn_tui.core.runs.schedule import follow_schedule, learning_rate_for

if TYPE_CHECKING:
    from cnn_tui.core.precision import Choice
    from cnn_tui.core.runs.config import TrainConfig


def make_optimizer(name: str, learning_rate: Any) -> Any:
    """Keras's optimizer ``name``; ``learning_rate`` a float or a Keras schedule."""
    import keras

    if name == "adam":
        return keras.optimizers.Adam(learning_rate)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=0.9)
    return keras.optimizers.RMSprop(learning_rate)


def run_model(prepared: PreparedRun, steps: int, strategy: Any, compute: dict[str, str],
              *, fresh: bool = False) -> Any:
    """A new compiled model, or (unless ``fresh``) the checkpoint's with its optimizer
    state, made in ``strategy``'s scope; adds its precision and XLA to ``compute``, and
    where augmentation runs when the run augments."""
    from cnn_tui.core.augment_place import placement_shown, reseed_augmenter
    from cnn_tui.core.keras_model import build_keras_model
    from cnn_tui.core.runs import compute as how

    info, config = prepared.dataset.info, prepared.config
    with strategy.scope():
        if prepared.resume is not None and not fresh:
            model = load_model(prepared.resume.checkpoint)  # with its layers' dtype policies
            follow_schedule(model.optimizer, config, steps)
            how.apply_jit(model, config.jit)
            compute["precision"] = f"{how.model_policy(model)} (as checkpointed)"
            compute["xla"] = how.jit_shown(model, config.jit)
            if config.augment.enabled:
                compute["augment"] = placement_shown(model, True, None)
                reseed_augmenter(model, len(prepared.resume.rows))
            return model
        precision = how.resolve_precision(config.precision)
        place = _augment_choice(config)
        model = build_keras_model(prepared.spec, info.input_shape, info.num_classes,
                                  prepared.report, policy=precision.value,
                                  augmenter=_device_augmenter(config, place))
        optimizer = make_optimizer(config.optimizer, learning_rate_for(config, steps))
        model.compile(
            optimizer=how.loss_scaled(optimizer, precision.value),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
            jit_compile=how.jit_argument(config.jit),
        )
    compute["precision"] = precision.shown()
    compute["xla"] = how.jit_shown(model, config.jit)
    if place is not None:
        compute["augment"] = placement_shown(model, False, place)
    return model


def _augment_choice(config: TrainConfig) -> Choice | None:
    """Where this run augments (a ``Choice``), or None when it does not augment."""
    if not config.augment.enabled:
        return None
    from cnn_tui.core.augment_place import choose_augment_on
    from cnn_tui.core.backend import TENSORFLOW, configured_backend
    from cnn_tui.core.runs.compute import gpu_details

    backend = configured_backend()
    gpus = backend == TENSORFLOW and bool(gpu_details())
    return choose_augment_on(config.augment_on, backend, gpus)


def _device_augmenter(config: TrainConfig, place: Choice | None) -> Any:
    """The augmenter to put in the model, or None (no augmentation, or on the host)."""
    from cnn_tui.core.augment import build_augmenter
    from cnn_tui.core.augment_place import DEVICE

    if place is None or place.value != DEVICE:
        return None
    return build_augmenter(config.augment, seed=config.seed)
