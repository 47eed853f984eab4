"""Named datasets through the real keras.datasets, with a prepared KERAS_HOME cache.

Runs in a subprocess because Keras reads KERAS_HOME once, when it is imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dataset_files import cyclic_labels, random_images, write_idx_folder

SCRIPT = """
import sys
from cnn_tui.core.datasets import load_dataset
from cnn_tui.core.errors import DatasetError

dataset = load_dataset("fashion_mnist", limit=10)
print(dataset.x_train.shape, dataset.x_train.dtype, dataset.y_train.dtype, dataset.x_val.shape)
print(dataset.val_source, dataset.info.class_names[0], dataset.info.available_offline)
print(sorted(dataset.y_train.tolist()))
try:
    load_dataset("mnist")  # a cache file whose hash is wrong: Keras re-downloads, and fails
except DatasetError as error:
    print("error:", error)
"""


def test_fashion_mnist_from_the_keras_cache(tmp_path: Path) -> None:
    cache = tmp_path / "datasets" / "fashion-mnist"
    x, y = random_images(20, (28, 28)), cyclic_labels(20, 10)
    write_idx_folder(cache, x, y, random_images(10, (28, 28), seed=1), cyclic_labels(10, 10))
    (tmp_path / "datasets" / "mnist.npz").write_bytes(b"not the real file")
    env = os.environ | {"KERAS_HOME": str(tmp_path), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "(10, 28, 28, 1) uint8 int64 (10, 28, 28, 1)"
    assert lines[1] == "test split T-shirt/top True"
    assert lines[-1].startswith("error: mnist is not in the Keras cache and the download failed")
    assert str(tmp_path / "datasets" / "mnist.npz") in lines[-1]
    assert lines[2] == str(list(range(10)))  # limit 10 took one image of each class
