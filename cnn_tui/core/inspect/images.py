"""Image files turned into what a run's model takes: its height, width and channels.

A photo for ``cnn-tui predict`` or the Inspect tab is read with Pillow,
converted to grey (Pillow's ITU-R 601 luma) for a one-channel model or to
RGB (grey repeated) for a three-channel one, and resized bilinearly to the
model's input, as image folders are read for training
(``datasets/image_folder.py``). Transparency is dropped, as there.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cnn_tui.core.inspect.run import InspectError


def read_image_file(path: str | Path, input_shape: tuple[int, int, int]) -> np.ndarray:
    """uint8 (H, W, C) pixels of ``path`` for a model taking ``input_shape``.

    InspectError (one sentence naming the file) when it is missing, a folder,
    not an image Pillow can decode, or too large to decode safely.
    """
    from PIL import Image

    path = Path(path).expanduser()
    if not path.exists():
        raise InspectError(f"the image {path} does not exist; check the path.")
    if not path.is_file():
        raise InspectError(f"{path} is not a file; pass an image file (PNG, JPEG...).")
    height, width, channels = input_shape
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in ("P", "PA"):
                image = image.convert("RGBA")  # palette transparency -> alpha, then dropped
            image = image.convert("L" if channels == 1 else "RGB")
            if image.size != (width, height):
                image = image.resize((width, height), Image.Resampling.BILINEAR)
            pixels = np.asarray(image, dtype=np.uint8)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as error:
        reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else (
            type(error).__name__)
        raise InspectError(f"{path} cannot be read as an image ({reason}); pass a PNG or "
                           "JPEG file.") from None
    return pixels.reshape(height, width, channels)


def read_image_files(paths: list[str] | list[Path], input_shape: tuple[int, int, int]
                     ) -> np.ndarray:
    """uint8 (N, H, W, C) of every file; the first unreadable one raises InspectError."""
    images = [read_image_file(path, input_shape) for path in paths]
    if not images:
        return np.zeros((0, *input_shape), dtype=np.uint8)
    return np.stack(images)
