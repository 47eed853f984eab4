"""Where a run's augmentation runs: on the host in tf.data, or on the device in the model.

``host``: the augmenter maps the training batches inside TensorFlow's tf.data
pipeline (``pipeline.py``), on CPU threads beside the training step. Only
TensorFlow has that pipeline; JAX and torch read ``batches.py``'s PyDataset.

``device``: the augmenter is the model's first layer (right after its input),
so it runs in the training step on the model's device, under any backend.
Keras's preprocessing layers and the centred shear return their input
unchanged when not training, so validation and predictions see plain images.
The saved model keeps the augmenter (its shear layer is registered for safe
mode); ``without_augmenter`` gives inspection the model the spec describes.

``auto`` follows measurements (``benchmarks/bench_augment.py``,
``augment_device_vs_host``): see ``choose_augment_on``. Pure Python: the
backend and the GPUs come in as plain data.
"""

from __future__ import annotations

from typing import Any

from cnn_tui.core.errors import ConfigError
from cnn_tui.core.precision import Choice

HOST, DEVICE = "host", "device"
AUGMENTER_NAME = "augmenter"
"""``build_augmenter``'s name, also as the first layer of a model augmenting on the device."""


def choose_augment_on(setting: str, backend: str, gpus: bool) -> Choice:
    """Where augmentation runs for ``setting`` (auto, host, device) under ``backend``.

    ``gpus``: whether the run's machine has a GPU (TensorFlow's rule only).
    """
    if setting != "auto":
        return Choice(setting)
    if backend != "tensorflow":
        return Choice(DEVICE, f"auto: {backend} has no tf.data pipeline")
    if gpus:
        # Not measured here (no GPU): the reason, a fast GPU must not wait for
        # the host's image work, and device augmentation costs the GPU little.
        return Choice(DEVICE, "auto: a GPU should not wait for the CPU's image work")
    # Measured on a 2-core CPU (seed-cnn, CIFAR-10, seed augmentation): see docs/BACKENDS.md.
    return Choice(HOST, "auto: on a CPU, tf.data overlaps it with training")


def check_augment_on(setting: str, backend: str) -> None:
    """ConfigError for ``host`` under a backend without tf.data."""
    if setting == HOST and backend != "tensorflow":
        raise ConfigError(f"augmentation on the host (--augment-on host) runs in TensorFlow's "
                          f"tf.data pipeline, which the {backend} backend does not use; use "
                          "--augment-on device or auto.")


def has_augmenter(model: Any) -> bool:
    """Whether ``model`` augments its input itself (its first layer is the augmenter)."""
    layers = getattr(model, "layers", None) or []
    return bool(layers) and layers[0].name == AUGMENTER_NAME


def augmenter_blocks_jit(model: Any) -> bool:
    """Whether ``model`` holds augmentation layers that Keras will not compile with XLA
    (rotation, shift, zoom, shear: TensorFlow has no XLA kernel for their
    ImageProjectiveTransformV3), so that ``compile(jit_compile=True)`` left XLA off."""
    if not has_augmenter(model):
        return False
    return not all(getattr(layer, "supports_jit", True) for layer in model.layers[0].layers)


def without_augmenter(model: Any) -> Any:
    """``model`` without its augmenter: a Sequential of copies of its other layers (same
    configs, dtype policies and weights) after the same input; ``model`` itself when it
    has none."""
    if not has_augmenter(model):
        return model
    import keras

    # Copies, not the layers themselves: a layer called in two graphs has two outputs,
    # and inspection builds its feature-map model from ``layer.output`` (the first).
    layers = [type(layer).from_config(layer.get_config()) for layer in model.layers[1:]]
    shape = tuple(model.inputs[0].shape[1:])
    plain = keras.Sequential([keras.Input(shape=shape), *layers], name=model.name)
    for copy, layer in zip(layers, model.layers[1:], strict=True):
        copy.set_weights(layer.get_weights())
    return plain


RESUME_STRIDE = 2**20
"""How far a resumed run moves each augmentation layer's random counter per finished epoch:
past any epoch's draws (a layer draws once or twice a step)."""


def reseed_augmenter(model: Any, epochs_done: int) -> None:
    """Make a resumed model's augmenter draw new numbers rather than replay epoch 1's.

    Keras does not save a ``SeedGenerator``'s state, so a loaded augmenter starts again
    at its seed; this moves each generator's counter on by ``epochs_done`` strides (the
    same rule as fit.py's ``set_random_seed(seed + initial_epoch)``), deterministically.
    """
    if not has_augmenter(model) or epochs_done <= 0:
        return
    import keras

    for layer in model.layers[0].layers:
        for generator in vars(layer).values():
            if isinstance(generator, keras.random.SeedGenerator):
                seed = keras.ops.convert_to_numpy(generator.state)[0]
                generator.state.assign(
                    keras.ops.convert_to_tensor([seed, epochs_done * RESUME_STRIDE],
                                                dtype=generator.state.dtype))


def placement_shown(model: Any, resumed: bool, choice: Choice | None) -> str:
    """The compute line's ``augment`` text: the choice, or for a resumed run what its
    checkpoint holds (a run goes on augmenting where it began)."""
    if resumed or choice is None:
        return f"{DEVICE if has_augmenter(model) else HOST} (as checkpointed)"
    return choice.shown()
