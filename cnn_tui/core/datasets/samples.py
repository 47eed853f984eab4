"""Small real datasets bundled with the package, so the app trains with no network.

Each sample is a compressed .npz in ``data/`` (installed as package data) of
real training images taken from a named dataset, with ``index``: the row each
image has in that dataset's training split. Their facts are written down here
so that peeking at one reads no file. A sample has no test split: its
validation data is a stratified hold-out (``api._split``). ``tools/make_samples.py``
rebuilds the files; ``data/NOTICE.md`` names their sources and licences.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cnn_tui.core.datasets import catalog
from cnn_tui.core.datasets.types import RawSplits
from cnn_tui.core.errors import DatasetError

DATA_DIR = Path(__file__).with_name("data")


@dataclass(frozen=True)
class BundledSample:
    name: str
    input_shape: tuple[int, int, int]
    class_names: tuple[str, ...]
    class_counts: tuple[int, ...]
    """Images per class, as the file holds them."""
    of: str
    """The named dataset whose training images these are."""
    file: str
    """The archive's name in ``DATA_DIR``."""
    taken: str
    """Which images, in a few words."""

    @property
    def n_train(self) -> int:
        return sum(self.class_counts)

    @property
    def path(self) -> Path:
        return DATA_DIR / self.file


BUNDLED_SAMPLES: dict[str, BundledSample] = {
    "mnist-sample": BundledSample(
        "mnist-sample", (28, 28, 1), catalog.DIGITS, (1_000,) * 10, "mnist",
        "mnist-sample.npz", "the first 1,000 of each digit in MNIST's training split",
    ),
    "cifar10-sample": BundledSample(
        "cifar10-sample", (32, 32, 3), catalog.CIFAR10_CLASSES,
        (202, 191, 203, 195, 214, 183, 207, 199, 203, 203), "cifar10",
        "cifar10-sample.npz", "the first 2,000 images of CIFAR-10's data_batch_1",
    ),
}  # fmt: skip

SAMPLE_OF: dict[str, str] = {sample.of: name for name, sample in BUNDLED_SAMPLES.items()}
"""The sample to offer when a named dataset cannot be had: {"mnist": "mnist-sample", ...}."""


def sample_for(source: str) -> str | None:
    """The name of the sample of the named dataset ``source`` (mnist, MNIST...), else None."""
    return SAMPLE_OF.get(source.strip().lower().replace("-", "_"))


def find_sample(source: str) -> BundledSample | None:
    """The sample ``source`` names (``mnist-sample``, ``MNIST_sample``...), else None."""
    return BUNDLED_SAMPLES.get(source.strip().lower().replace("_", "-"))


def read_sample(sample: BundledSample) -> RawSplits:
    """The sample's images and labels (no test split), checked against its facts."""
    import numpy as np

    from cnn_tui.core.datasets import npz

    path = sample.path
    if not path.is_file():
        raise DatasetError(
            f"The bundled sample {sample.name} is missing from the installation ({path}); "
            "reinstall cnn-tui (pip install --force-reinstall cnn-tui, or make run)."
        )
    x = npz.load_array(path, "x")
    y = npz.load_array(path, "y").astype(np.int64)
    counts = tuple(int(c) for c in np.bincount(y, minlength=len(sample.class_names)))
    if x.shape[1:3] != sample.input_shape[:2] or counts != sample.class_counts:
        raise DatasetError(
            f"The bundled sample {path} does not hold what cnn-tui expects "
            f"({len(y)} images, per class {counts}); reinstall cnn-tui."
        )
    return RawSplits(x, y, None, None, sample.class_names)

