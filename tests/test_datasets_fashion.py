"""Fashion-MNIST as Debian's dataset-fashion-mnist installs it (IDX gzip)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnn_tui.core.datasets import load_dataset, peek_dataset
from tests.resources import missing

FASHION = Path("/usr/share/datasets/fashion-mnist")



@pytest.fixture(autouse=True)
def _fashion() -> None:
    if not FASHION.is_dir():
        missing("Debian's dataset-fashion-mnist is not installed (.ci/run installs it)")


def test_debian_fashion_mnist_loads_with_its_class_names() -> None:
    info = peek_dataset(FASHION)
    assert (info.input_shape, info.n_train, info.n_test) == ((28, 28, 1), 60000, 10000)
    data = load_dataset(FASHION, limit=200, seed=0)
    assert data.x_train.shape == (200, 28, 28, 1) and data.x_train.dtype == "uint8"
    # The published test set starts: ankle boot, pullover, trouser, trouser, shirt.
    assert data.y_val[:5].tolist() == [9, 2, 1, 1, 6]
    assert data.info.class_names[9] == "Ankle boot"
