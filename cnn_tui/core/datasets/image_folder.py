"""A folder of class subfolders of images, optionally split into train/ and test/.

Class names are the subfolder names, sorted. Images keep their size when they
all agree; otherwise an ``image_size`` is required. Grayscale stays one
channel unless the folder mixes it with colour; alpha is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cnn_tui.core.datasets.skipped import SkippedFiles
from cnn_tui.core.errors import DatasetError
from cnn_tui.core.limits import MAX_CLASSES

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif"})
TEST_FOLDER_NAMES = ("test", "val", "validation")
_GRAY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"})


@dataclass
class ImageFiles:
    """The image paths of one split, with their class index."""

    paths: list[Path] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)


@dataclass
class FolderLayout:
    class_names: tuple[str, ...]
    train: ImageFiles
    test: ImageFiles | None
    skipped: SkippedFiles
    """Files and folders left out; ``decode`` adds the images it cannot read."""


def _class_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _collect(class_dir: Path, skipped: SkippedFiles) -> list[Path]:
    images: list[Path] = []
    for path in sorted(class_dir.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix.lower() in IMAGE_SUFFIXES:
            images.append(path)
        else:
            skipped.add("not-image", path)
    return images


def looks_like_image_folder(root: Path) -> bool:
    top = next((root / n for n in ("train",) if (root / n).is_dir()), root)
    return any(p.suffix.lower() in IMAGE_SUFFIXES for d in _class_dirs(top) for p in d.iterdir())


def scan(root: Path) -> FolderLayout:
    """Which files belong to which class and split, without opening any image."""
    skipped = SkippedFiles()
    train_root = root / "train" if (root / "train").is_dir() else root
    test_root = None
    if train_root != root:
        test_root = next((root / n for n in TEST_FOLDER_NAMES if (root / n).is_dir()), None)
    class_dirs = _class_dirs(train_root)
    if len(class_dirs) > MAX_CLASSES:
        raise DatasetError(
            f"{train_root} has {len(class_dirs):,} class folders, more than the "
            f"{MAX_CLASSES:,} classes cnn-tui trains; merge classes or use a subset of them."
        )
    per_class = {d.name: _collect(d, skipped) for d in class_dirs}
    for name, files in per_class.items():
        if not files:
            skipped.add("empty-class", train_root / name)
    class_names = tuple(name for name, files in per_class.items() if files)
    if not class_names:
        raise DatasetError(
            f"{train_root} has no class subfolders with images; put each class's images "
            "in a subfolder named after the class."
        )
    train = ImageFiles()
    for index, name in enumerate(class_names):
        train.paths += per_class[name]
        train.labels += [index] * len(per_class[name])
    test = None
    if test_root is not None:
        test = ImageFiles()
        for class_dir in _class_dirs(test_root):
            files = _collect(class_dir, skipped)
            if files and class_dir.name not in class_names:
                raise DatasetError(
                    f"{class_dir} is a class that {train_root} does not have; "
                    "add it to the training folder or remove it."
                )
            if files:
                test.paths += files
                test.labels += [class_names.index(class_dir.name)] * len(files)
        if not test.paths:
            skipped.add("empty-split", test_root)
            test = None
    return FolderLayout(class_names, train, test, skipped)


def _pillow() -> Any:  # imported lazily: only image folders need it
    try:
        from PIL import Image
    except ImportError as error:  # pragma: no cover - pillow is a dependency
        raise DatasetError(
            "Reading image folders needs Pillow; install it with pip install pillow."
        ) from error
    return Image


def peek_image(path: Path) -> tuple[int, int, int]:
    """(H, W, C) from the image's header."""
    image_module = _pillow()
    try:
        with image_module.open(path) as image:
            channels = 1 if image.mode in _GRAY_MODES else 3
            return image.height, image.width, channels
    except (OSError, ValueError, SyntaxError) as error:
        raise DatasetError(f"{path} cannot be read as an image ({error}); replace it.") from error


def decode(
    files: ImageFiles,
    image_size: tuple[int, int] | None,
    skipped: SkippedFiles,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """uint8 NHWC images and int64 labels; corrupt files are skipped with a warning."""
    image_module = _pillow()
    arrays: list[np.ndarray] = []
    labels: list[int] = []
    first: tuple[Path, tuple[int, int]] | None = None
    for number, (path, label) in enumerate(zip(files.paths, files.labels, strict=True), start=1):
        if progress and number % 50 == 0:
            progress(number, len(files.paths))
        try:
            with image_module.open(path) as image:
                image.load()
                gray = image.mode in _GRAY_MODES
                if image.mode in ("P", "PA"):
                    image = image.convert("RGBA")  # palette transparency -> alpha
                image = image.convert("L" if gray else "RGB")
        except (OSError, ValueError, SyntaxError, image_module.DecompressionBombError) as error:
            skipped.add("unreadable", path, str(error))
            continue
        if image_size is not None:
            height, width = image_size
            if image.size != (width, height):
                image = image.resize((width, height), image_module.Resampling.BILINEAR)
        elif first is None:
            first = (path, image.size)
        elif image.size != first[1]:
            w0, h0 = first[1]
            raise DatasetError(
                f"{path} is {image.width}x{image.height} but {first[0]} is {w0}x{h0}; "
                "pass an image size (--image-size) to resize them all."
            )
        pixels = np.asarray(image, dtype=np.uint8)
        arrays.append(pixels[..., np.newaxis] if pixels.ndim == 2 else pixels)
        labels.append(label)
    if not arrays:
        raise DatasetError(
            f"None of the {len(files.paths)} images could be read (first: {files.paths[0]}); "
            "check the files."
        )
    if any(a.shape[-1] == 3 for a in arrays):  # a mixed folder becomes RGB
        arrays = [np.repeat(a, 3, axis=-1) if a.shape[-1] == 1 else a for a in arrays]
    return np.stack(arrays), np.asarray(labels, dtype=np.int64)
