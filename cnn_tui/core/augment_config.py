"""Data augmentation settings, with ImageDataGenerator's names.

The settings keep the meanings of ``keras.preprocessing.image.ImageDataGenerator``
(the tutorial's API, now legacy and scipy-bound): ``rotation_range`` and
``shear_range`` in degrees, ``width_shift_range``/``height_shift_range`` as
fractions of the image size, ``zoom_range`` z meaning a zoom factor in
[1 - z, 1 + z] drawn per axis, and the two flips. Empty pixels are filled
with the nearest edge pixel, ImageDataGenerator's default.

Bounds (checked by ``validate``): rotation 0-180 degrees, shifts 0-1
(fractions only; ImageDataGenerator's whole-pixel form is not accepted),
shear 0-45 degrees, zoom 0-0.9 (zoom factor between 0.1 and 1.9).

This module is the settings alone, in pure Python, so that the settings table,
the CLI and the TUI's first frame read them without numpy or TensorFlow; the
layers that do the work are in ``augment.py``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from cnn_tui.core.errors import AugmentError

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
