"""The Keras datasets known by name, and their cache in KERAS_HOME.

Their shapes and class names are written down here so that peeking at one
needs neither TensorFlow nor a download. Loading one goes through
``keras.datasets.<name>.load_data()``; when its cache file is missing and the
server cannot be reached, we fail at once with the file to put in place
(and the bundled sample that works offline, when there is one) instead of
letting Keras try a download that cannot work.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cnn_tui.core.datasets import catalog
from cnn_tui.core.datasets.samples import SAMPLE_OF
from cnn_tui.core.errors import DatasetError

if TYPE_CHECKING:
    import numpy as np

_KERAS_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_FASHION_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
_PROBE_SECONDS = 5.0


@dataclass(frozen=True)
class NamedDataset:
    name: str
    input_shape: tuple[int, int, int]
    class_names: tuple[str, ...]
    n_train: int
    n_test: int
    cache_files: tuple[str, ...]
    """Paths under KERAS_HOME/datasets that keras.datasets looks for before downloading."""
    urls: tuple[str, ...]
    """Where each cache file comes from (same order)."""
    local_copy: str
    """A folder or file of the same data that can be passed as a path instead."""


NAMED_DATASETS: dict[str, NamedDataset] = {
    "mnist": NamedDataset(
        "mnist", (28, 28, 1), catalog.DIGITS, 60_000, 10_000,
        ("mnist.npz",), (_KERAS_BASE + "mnist.npz",), "../shared/data/mnist",
    ),
    "fashion_mnist": NamedDataset(
        "fashion_mnist", (28, 28, 1), catalog.FASHION_MNIST_CLASSES, 60_000, 10_000,
        tuple(f"fashion-mnist/{f}" for f in _FASHION_FILES),
        tuple(_KERAS_BASE + f for f in _FASHION_FILES),
        "/usr/share/datasets/fashion-mnist",
    ),
    "cifar10": NamedDataset(
        "cifar10", (32, 32, 3), catalog.CIFAR10_CLASSES, 50_000, 10_000,
        ("cifar-10-batches-py-target_archive",),
        ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
        "a folder of CIFAR-10's python batches (data_batch_1..5, test_batch)",
    ),
    "cifar100": NamedDataset(
        "cifar100", (32, 32, 3), catalog.CIFAR100_CLASSES, 50_000, 10_000,
        ("cifar-100-python-target_archive",),
        ("https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",),
        "a folder of CIFAR-100's python files (train, test, meta)",
    ),
}  # fmt: skip


def keras_datasets_dir() -> Path:
    """Where keras.utils.get_file caches datasets, by Keras 3's own rules."""
    home = os.environ.get("KERAS_HOME")
    if home is None:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    home = os.path.expanduser(home)
    if os.path.exists(home) and not os.access(home, os.W_OK):
        home = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    return Path(home) / "datasets"


def missing_cache_files(spec: NamedDataset) -> list[tuple[Path, str]]:
    folder = keras_datasets_dir()
    return [
        (folder / name, url)
        for name, url in zip(spec.cache_files, spec.urls, strict=True)
        if not (folder / name).is_file()
    ]


def is_cached(spec: NamedDataset) -> bool:
    return not missing_cache_files(spec)


def can_load(spec: NamedDataset) -> bool:
    """Cached, or its download server answers (a network probe of up to a few seconds)."""
    missing = missing_cache_files(spec)
    return not missing or _reachable(missing[0][1])


def _reachable(url: str) -> bool:
    """Whether the download host answers, in a thread so a stuck DNS cannot hang us."""
    host = url.split("/")[2]
    answer: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((host, 443), timeout=_PROBE_SECONDS).close()
            answer.append(True)
        except OSError:
            answer.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(_PROBE_SECONDS + 1)
    return bool(answer and answer[0])


def _not_available(spec: NamedDataset, path: Path, url: str, reason: str) -> DatasetError:
    local = spec.local_copy
    if local.startswith(("../", "/")):
        local = f"--dataset {local}" if Path(local).exists() else f"a local copy such as {local}"
    sample = SAMPLE_OF.get(spec.name)
    offline = f"; or train now on the bundled {sample} (--dataset {sample})" if sample else ""
    return DatasetError(
        f"{spec.name} is not in the Keras cache and {reason}: {path} is missing; "
        f"save {url} there, or pass {local} instead{offline}."
    )


def load_named(spec: NamedDataset) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x_train, y_train, x_test, y_test as keras.datasets returns them."""
    missing = missing_cache_files(spec)
    if missing and not _reachable(missing[0][1]):
        path, url = missing[0]
        raise _not_available(spec, path, url, "cannot be downloaded (no network)")
    import keras  # lazy: only named datasets need Keras

    loader = getattr(keras.datasets, spec.name)
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(60)  # a stalled download fails instead of hanging
    try:
        (x_train, y_train), (x_test, y_test) = loader.load_data()
    except Exception as error:  # Keras raises bare Exception on URL failures
        path, url = (missing or [(keras_datasets_dir() / spec.cache_files[0], spec.urls[0])])[0]
        raise _not_available(spec, path, url, f"the download failed ({error})") from error
    finally:
        socket.setdefaulttimeout(previous_timeout)
    return x_train, y_train, x_test, y_test
