"""Data augmentation on Keras 3 preprocessing layers (the settings are in ``augment_config``).

``build_augmenter`` turns an ``AugmentConfig`` into a ``keras.Sequential`` that
runs either inside the training ``tf.data`` pipeline (on the host) or at the
front of the model (on the device; ``augment_place.py`` says which). Either
way it is active in training only: every layer here returns its input
unchanged when called with ``training=False``, so validation, prediction and
inspection see the images as they are. ``preview_augmentations`` draws what it
does to a few images for the Augment tab. Keras is imported only inside these
functions.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from cnn_tui.core.augment_config import AugmentConfig
from cnn_tui.core.augment_place import AUGMENTER_NAME

if TYPE_CHECKING:
    import keras


def build_augmenter(cfg: AugmentConfig, seed: int | None = None) -> keras.Sequential | None:
    """A ``keras.Sequential`` of preprocessing layers doing ``cfg``; ``None`` when off.

    Call it with ``training=True`` on float images; it keeps their value range.
    """
    if not cfg.enabled:
        return None
    from cnn_tui.core.backend import is_tensorflow

    if is_tensorflow():
        from cnn_tui.core.tf_setup import import_tensorflow

        import_tensorflow()  # sets GPU memory growth before the layers' seed variables exist
    import keras

    layers: list[keras.Layer] = []
    # Each layer gets its own seed so that their random draws are independent.
    seeds = iter(range(seed, seed + 10)) if seed is not None else iter([None] * 10)
    common: dict[str, Any] = {"fill_mode": "nearest", "interpolation": "bilinear"}
    if cfg.rotation_range:
        # RandomRotation takes a fraction of a full turn.
        layers.append(
            keras.layers.RandomRotation(cfg.rotation_range / 360.0, seed=next(seeds), **common)
        )
    if cfg.width_shift_range or cfg.height_shift_range:
        layers.append(
            keras.layers.RandomTranslation(
                height_factor=cfg.height_shift_range,
                width_factor=cfg.width_shift_range,
                seed=next(seeds),
                **common,
            )
        )
    if cfg.shear_range:
        layers.append(register_augment_layers()(cfg.shear_range, seed=next(seeds)))
    if cfg.zoom_range:
        # RandomZoom scales sampling coordinates by 1 + factor, the same as
        # ImageDataGenerator's zx, zy in [1 - z, 1 + z], drawn per axis.
        layers.append(
            keras.layers.RandomZoom(
                height_factor=(-cfg.zoom_range, cfg.zoom_range),
                width_factor=(-cfg.zoom_range, cfg.zoom_range),
                seed=next(seeds),
                **common,
            )
        )
    flip = {
        (True, False): "horizontal",
        (False, True): "vertical",
        (True, True): "horizontal_and_vertical",
    }.get((cfg.horizontal_flip, cfg.vertical_flip))
    if flip:
        layers.append(keras.layers.RandomFlip(flip, seed=next(seeds)))
    # The layers keep Keras's float32 policy whatever the run's precision (policies are
    # set per model layer, never globally): interpolating pixels in bfloat16 (8 bits of
    # mantissa) would blur them, and the first model layer casts what they give it.
    return keras.Sequential(layers, name=AUGMENTER_NAME)


_SHEAR_CLASS: type | None = None


def register_augment_layers() -> type:
    """The shear layer class, defined (and registered for Keras's safe-mode loading)
    on first use so that keras loads lazily; call it before loading a model that may
    hold an augmenter.

    keras.layers.RandomShear shears about the top-left corner and takes a
    fraction, so the image also slides sideways; ImageDataGenerator shears
    about the centre by an angle. This layer does the latter: a pixel at
    (x, y) samples the input at (x + tan(a) * (y - cy), y).
    """
    global _SHEAR_CLASS
    if _SHEAR_CLASS is not None:
        return _SHEAR_CLASS
    import keras
    from keras import ops

    # Registered so that a model.keras holding it loads in safe mode (no code in the file).
    @keras.saving.register_keras_serializable(package="cnn_tui")
    class RandomCenteredShear(keras.layers.Layer):
        def __init__(self, max_degrees: float, seed: int | None = None, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.max_degrees, self.seed = max_degrees, seed
            self.max_radians = math.radians(max_degrees)
            self.seed_generator = keras.random.SeedGenerator(seed)

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "max_degrees": self.max_degrees, "seed": self.seed}

        def call(self, images: Any, training: bool = True) -> Any:
            if not training:
                return images
            shape = ops.shape(images)
            batch = shape[0]
            angle = keras.random.uniform(
                (batch, 1), -self.max_radians, self.max_radians, seed=self.seed_generator
            )
            slope = ops.tan(angle)
            centre_y = (ops.cast(shape[1], "float32") - 1.0) / 2.0
            ones, zeros = ops.ones_like(slope), ops.zeros_like(slope)
            # [a0, a1, a2, b0, b1, b2, c0, c1]: input = (a0 x + a1 y + a2, b0 x + b1 y + b2)
            transform = ops.concatenate(
                [ones, slope, -slope * centre_y, zeros, ones, zeros, zeros, zeros], axis=1
            )
            return ops.image.affine_transform(
                images, transform, interpolation="bilinear", fill_mode="nearest"
            )

        def compute_output_shape(self, input_shape: Any) -> Any:
            return input_shape

    _SHEAR_CLASS = RandomCenteredShear
    return _SHEAR_CLASS


def preview_augmentations(
    images: np.ndarray, cfg: AugmentConfig, n_variants: int = 4, seed: int = 0
) -> np.ndarray:
    """``n_variants`` augmented copies of each uint8 image: shape (N, n_variants, H, W, C).

    The same images, settings and seed always give the same result.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.dtype != np.uint8:
        raise ValueError(f"expected uint8 images (N, H, W, C), got {images.dtype} {images.shape}")
    repeated = np.repeat(images[:, None], n_variants, axis=1)
    augmenter = build_augmenter(cfg, seed=seed)
    if augmenter is None or images.shape[0] == 0 or n_variants == 0:
        return repeated
    import keras

    flat = repeated.reshape(-1, *images.shape[1:]).astype("float32")
    out = keras.ops.convert_to_numpy(augmenter(flat, training=True))
    clipped: np.ndarray = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return clipped.reshape(repeated.shape)
