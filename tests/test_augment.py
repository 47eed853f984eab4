"""Augmentation settings, parsing, and what the Keras layers really do to images."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_tui.core.augment import build_augmenter, preview_augmentations
from cnn_tui.core.augment_config import NO_AUGMENT, SEED_AUGMENT, AugmentConfig, parse_augment
from cnn_tui.core.errors import AugmentError


def test_parse_named_settings() -> None:
    assert parse_augment("none") == NO_AUGMENT
    assert parse_augment("seed") == SEED_AUGMENT
    assert SEED_AUGMENT.width_shift_range == 0.1
    assert SEED_AUGMENT.height_shift_range == 0.1
    assert SEED_AUGMENT.horizontal_flip and not SEED_AUGMENT.vertical_flip
    assert not NO_AUGMENT.enabled and SEED_AUGMENT.enabled


def test_parse_key_values() -> None:
    cfg = parse_augment("rotation_range=10, zoom_range=0.1,vertical_flip=yes,horizontal_flip=0")
    assert cfg == AugmentConfig(rotation_range=10, zoom_range=0.1, vertical_flip=True)
    assert cfg.summary() == "rot 10°, zoom 0.1, vflip"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("rotation_range=200", "rotation_range=200 is out of range; use a value from 0 to 180"),
        ("width_shift_range=-0.1", "from 0 to 1"),
        ("shear_range=60", "from 0 to 45"),
        ("zoom_range=1", "from 0 to 0.9"),
        ("rotate=10", "Unknown augmentation setting 'rotate'"),
        ("rotation_range=ten", "not a number"),
        ("horizontal_flip=maybe", "not a yes/no value"),
        ("rotation_range", "write name=value"),
        ("zoom_range=nan", "out of range"),
    ],
)
def test_bad_settings_say_what_to_do(text: str, fragment: str) -> None:
    with pytest.raises(AugmentError, match=None) as info:
        parse_augment(text)
    assert fragment in str(info.value)


def test_dict_round_trip_and_unknown_keys() -> None:
    cfg = AugmentConfig(rotation_range=15, shear_range=5, horizontal_flip=True)
    assert AugmentConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(AugmentError, match="Unknown augmentation setting 'brightness'"):
        AugmentConfig.from_dict({"brightness": 0.2})


def test_disabled_config_builds_nothing() -> None:
    assert build_augmenter(NO_AUGMENT) is None


def _half_white(n: int = 3, size: int = 12) -> np.ndarray:
    images = np.zeros((n, size, size, 1), np.uint8)
    images[:, :, : size // 2] = 255  # left half white
    return images


def test_preview_is_deterministic_uint8_and_keeps_originals_shape() -> None:
    images = np.random.default_rng(0).integers(0, 256, (3, 16, 16, 3), dtype=np.uint8)
    cfg = AugmentConfig(rotation_range=20, width_shift_range=0.2, zoom_range=0.2)
    first = preview_augmentations(images, cfg, n_variants=4, seed=7)
    again = preview_augmentations(images, cfg, n_variants=4, seed=7)
    other = preview_augmentations(images, cfg, n_variants=4, seed=8)
    assert first.shape == (3, 4, 16, 16, 3) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert not np.array_equal(first[:, 0], first[:, 1])  # variants differ


def test_horizontal_flip_really_mirrors() -> None:
    images = _half_white()
    out = preview_augmentations(images, AugmentConfig(horizontal_flip=True), 16, seed=0)
    mirrored = images[:, :, ::-1]
    kinds = set()
    for i in range(3):
        for v in range(16):
            if np.array_equal(out[i, v], images[i]):
                kinds.add("same")
            elif np.array_equal(out[i, v], mirrored[i]):
                kinds.add("mirrored")
            else:
                kinds.add("other")
    assert kinds == {"same", "mirrored"}


def test_vertical_flip_mirrors_rows() -> None:
    images = np.zeros((2, 10, 10, 1), np.uint8)
    images[:, :5] = 255  # top half white
    out = preview_augmentations(images, AugmentConfig(vertical_flip=True), 16, seed=1)
    flipped = [np.array_equal(out[0, v], images[0, ::-1]) for v in range(16)]
    assert any(flipped) and not all(flipped)


def test_shift_moves_content_by_at_most_the_range() -> None:
    images = np.zeros((1, 20, 20, 1), np.uint8)
    images[:, 10, 10] = 255
    out = preview_augmentations(images, AugmentConfig(width_shift_range=0.2), 12, seed=3)
    for v in range(12):
        ys, xs = np.nonzero(out[0, v, :, :, 0] > 100)
        assert len(xs) >= 1
        assert set(ys) <= {10}  # vertical position untouched
        assert np.all(np.abs(xs - 10) <= 4 + 1)  # 20% of 20 px, plus rounding
    assert len({int(np.argmax(out[0, v, 10, :, 0])) for v in range(12)}) > 1


def test_shear_keeps_the_centre_row_fixed() -> None:
    # A vertical line through the centre column leans under a shear about the
    # centre, but the centre row stays where it was (RandomShear would move it).
    size = 21
    images = np.zeros((1, size, size, 1), np.uint8)
    images[:, :, size // 2] = 255
    out = preview_augmentations(images, AugmentConfig(shear_range=30), 8, seed=5)
    leaned = 0
    for v in range(8):
        picture = out[0, v, :, :, 0]
        assert int(np.argmax(picture[size // 2])) == size // 2
        top, bottom = int(np.argmax(picture[0])), int(np.argmax(picture[-1]))
        leaned += top != bottom
        # Shear angle at most 30 degrees: tan(30) * 10 px = 5.8 px from the centre.
        assert abs(top - size // 2) <= 6 and abs(bottom - size // 2) <= 6
    assert leaned >= 4


def test_rotation_in_degrees() -> None:
    # rotation_range=90 must allow turns well beyond RandomRotation(factor=90),
    # i.e. degrees are converted to Keras's fraction of a full turn.
    images = np.zeros((1, 21, 21, 1), np.uint8)
    images[:, 10, 10:] = 255  # a ray to the right
    out = preview_augmentations(images, AugmentConfig(rotation_range=90), 16, seed=2)
    angles = []
    for v in range(16):
        ys, xs = np.nonzero(out[0, v, :, :, 0] > 127)
        far = np.argmax((ys - 10) ** 2 + (xs - 10) ** 2)
        angles.append(np.degrees(np.arctan2(10 - ys[far], xs[far] - 10)))
    assert max(np.abs(angles)) <= 95
    assert max(np.abs(angles)) > 30


def test_preview_rejects_non_uint8() -> None:
    with pytest.raises(ValueError, match="uint8"):
        preview_augmentations(np.zeros((1, 4, 4, 1), np.float32), SEED_AUGMENT, 2, seed=0)
