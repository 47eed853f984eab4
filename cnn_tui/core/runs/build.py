"""A run's Keras model: built and compiled, or loaded from its checkpoint.

Made inside the strategy's scope: its variables (weights, optimizer slots,
metrics) are then mirrored on every replica (``placement.py``) or every worker
(``cluster_join.py``), and each step runs on all of them. The layers compute
at the run's precision (``compute.py``), and the compute line records it.
"""

from __future__ import annotations

from typing import Any

from cnn_tui.core.runs.checkpoint import load_model
from cnn_tui.core.runs.prepare import PreparedRun
from cnn_tui.core.runs.schedule import follow_schedule, learning_rate_for


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
    state, made in ``strategy``'s scope; adds its precision and XLA to ``compute``."""
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
            return model
        precision = how.resolve_precision(config.precision)
        model = build_keras_model(prepared.spec, info.input_shape, info.num_classes,
                                  prepared.report, policy=precision.value)
        optimizer = make_optimizer(config.optimizer, learning_rate_for(config, steps))
        model.compile(
            optimizer=how.loss_scaled(optimizer, precision.value),
            loss="categorical_crossentropy",
            metrics=["accuracy"],
            jit_compile=how.jit_argument(config.jit),
        )
    compute["precision"] = precision.shown()
    compute["xla"] = how.jit_shown(model, config.jit)
    return model
