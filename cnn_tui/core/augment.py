"""Data augmentation with ImageDataGenerator's names, on Keras 3 preprocessing layers.

The settings keep the meanings of ``keras.preprocessing.image.ImageDataGenerator``
(the tutorial's API, now legacy and scipy-bound): ``rotation_range`` and
``shear_range`` in degrees, ``width_shift_range``/``height_shift_range`` as
fractions of the image size, ``zoom_range`` z meaning a zoom factor in
[1 - z, 1 + z] drawn per axis, and the two flips. Empty pixels are filled
with the nearest edge pixel, ImageDataGenerator's default.

Bounds (checked by ``validate``): rotation 0-180 degrees, shifts 0-1
(fractions only; ImageDataGenerator's whole-pixel form is not accepted),
shear 0-45 degrees, zoom 0-0.9 (zoom factor between 0.1 and 1.9).

The augmenter runs inside the training ``tf.data`` pipeline only; validation
data is never augmented. TensorFlow/Keras are imported only by
``build_augmenter`` and ``preview_augmentations``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from cnn_tui.core.errors import AugmentError

if TYPE_CHECKING:
    import keras

# name -> (low, high) for the numeric settings.
_BOUNDS: dict[str, tuple[float, float]] = {
    "rotation_range": (0.0, 180.0),
    "width_shift_range": (0.0, 1.0),
    "height_shift_range": (0.0, 1.0),
    "shear_range": (0.0, 45.0),
    "zoom_range": (0.0, 0.9),
}
_FLAGS = ("horizontal_flip", "vertical_flip")
_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n"}


@dataclass(frozen=True)
class AugmentConfig:
    """Random transformations applied to every training batch."""

    rotation_range: float = 0.0
    """Degrees: a rotation drawn from [-r, r]."""
    width_shift_range: float = 0.0
    """Fraction of the width: a horizontal shift drawn from [-r, r]."""
    height_shift_range: float = 0.0
    """Fraction of the height: a vertical shift drawn from [-r, r]."""
    shear_range: float = 0.0
    """Degrees: a horizontal shear about the centre, angle drawn from [-r, r]."""
    zoom_range: float = 0.0
    """Zoom factor drawn from [1 - z, 1 + z] for each axis."""
    horizontal_flip: bool = False
    vertical_flip: bool = False

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ``AugmentError`` for a setting out of its range."""
        for name, (low, high) in _BOUNDS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise AugmentError(
                    f"{name} must be a number, got {value!r}; for example {name}=0.1."
                )
            if not (low <= value <= high) or math.isnan(value):
                raise AugmentError(
                    f"{name}={value:g} is out of range; use a value from {low:g} to {high:g}."
                )
        for name in _FLAGS:
            if not isinstance(getattr(self, name), bool):
                raise AugmentError(f"{name} must be true or false, got {getattr(self, name)!r}.")

    @property
    def enabled(self) -> bool:
        """Whether any transformation is switched on."""
        return any(getattr(self, f.name) for f in fields(self))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AugmentConfig:
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise AugmentError(
                f"Unknown augmentation setting {sorted(unknown)[0]!r}; use {_known_names()}."
            )
        return cls(**data)

    def summary(self) -> str:
        """A short human description, e.g. ``shift 0.1x0.1, hflip``; ``none`` when off."""
        parts = []
        if self.rotation_range:
            parts.append(f"rot {self.rotation_range:g}°")
        if self.width_shift_range or self.height_shift_range:
            parts.append(f"shift {self.width_shift_range:g}x{self.height_shift_range:g}")
        if self.shear_range:
            parts.append(f"shear {self.shear_range:g}°")
        if self.zoom_range:
            parts.append(f"zoom {self.zoom_range:g}")
        if self.horizontal_flip:
            parts.append("hflip")
        if self.vertical_flip:
            parts.append("vflip")
        return ", ".join(parts) or "none"


NO_AUGMENT = AugmentConfig()
SEED_AUGMENT = AugmentConfig(width_shift_range=0.1, height_shift_range=0.1, horizontal_flip=True)
"""The tutorial's second run: shifts of 10% both ways and horizontal flips."""


def _known_names() -> str:
    return ", ".join(f.name for f in fields(AugmentConfig))


def parse_augment(text: str) -> AugmentConfig:
    """Parse ``none``, ``seed`` or ``name=value,name=value`` (e.g. ``rotation_range=10``)."""
    text = text.strip()
    if text.lower() in ("", "none", "off"):
        return NO_AUGMENT
    if text.lower() == "seed":
        return SEED_AUGMENT
    values: dict[str, Any] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, raw = (part.strip() for part in item.partition("="))
        if not sep:
            raise AugmentError(
                f"Cannot read augmentation item {item!r}; write name=value, "
                "e.g. rotation_range=10,horizontal_flip=true, or 'seed' or 'none'."
            )
        if name in _FLAGS:
            if raw.lower() not in _TRUE | _FALSE:
                raise AugmentError(f"{name}={raw} is not a yes/no value; use {name}=true or false.")
            values[name] = raw.lower() in _TRUE
        elif name in _BOUNDS:
            try:
                values[name] = float(raw)
            except ValueError:
                raise AugmentError(
                    f"{name}={raw} is not a number; use a number like {name}=0.1."
                ) from None
        else:
            raise AugmentError(f"Unknown augmentation setting {name!r}; use {_known_names()}.")
    return AugmentConfig(**values)


def build_augmenter(cfg: AugmentConfig, seed: int | None = None) -> keras.Sequential | None:
    """A ``keras.Sequential`` of preprocessing layers doing ``cfg``; ``None`` when off.

    Call it with ``training=True`` on float images; it keeps their value range.
    """
    if not cfg.enabled:
        return None
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
        layers.append(_centered_shear_class()(cfg.shear_range, seed=next(seeds)))
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
    return keras.Sequential(layers, name="augmenter")


_SHEAR_CLASS: type | None = None


def _centered_shear_class() -> type:
    """The shear layer class, defined on first use so that keras loads lazily.

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

    class RandomCenteredShear(keras.layers.Layer):
        def __init__(self, max_degrees: float, seed: int | None = None, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.max_radians = math.radians(max_degrees)
            self.seed_generator = keras.random.SeedGenerator(seed)

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
