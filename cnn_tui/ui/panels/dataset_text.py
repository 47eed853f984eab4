"""What the Dataset tab writes: its list, the info box, and the offer of a bundled sample.

Rich ``Text``, never markup: names and paths are shown as they are.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from cnn_tui.core.datasets import BUNDLED_SAMPLES, NAMED_DATASETS, DatasetInfo

LISTED = (*NAMED_DATASETS, *BUNDLED_SAMPLES)
"""The datasets in the tab's list: Keras's named ones, then the bundled samples."""
USE_SAMPLE_KEY = "b"
"""The Dataset tab's key that switches to the offered bundled sample."""

_BY_NAME = ("keras.datasets", "bundled")
"""Sources shown by their name; the others are paths, shown by their last part."""


def describe(info: DatasetInfo) -> Text:
    """The info box."""
    height, width, channels = info.input_shape
    classes = ", ".join(info.class_names[:4]) + ("…" if info.num_classes > 4 else "")
    name = Path(info.name).name if info.source not in _BY_NAME else info.name
    text = Text(name, style="bold")
    text.append("\n" + "\n".join([
        f"shape   {height}×{width}×{channels}",
        f"classes {info.num_classes}: {classes}",
        f"train   {_count(info.n_train)}",
        f"test    {_count(info.n_test) if info.n_test is not None else 'none (hold-out)'}",
        f"format  {info.source}",
        "offline ",
    ]))
    text.append(*(("yes",) if info.available_offline else ("no", "bold")))
    if not info.available_offline:
        text.append(": needs a download")
    return text


def offer_text(error: str, sample: str) -> Text:
    """The load's error, then the key that trains on ``sample`` instead."""
    bundled = BUNDLED_SAMPLES[sample]
    text = Text(error)
    text.append(f"\nPress {USE_SAMPLE_KEY} to use {sample} instead: ", style="bold")
    text.append(f"{bundled.n_train:,} real images bundled with cnn-tui, no download needed.")
    return text


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"
