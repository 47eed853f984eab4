"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.resources import missing

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real datasets in ../shared/data (see its README); skips (fails in CI) without."""
    if not SHARED_DATA.is_dir():
        missing(f"real data not found at {SHARED_DATA} (see shared/data/README.md)")
    return SHARED_DATA


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "tf_only(reason): needs the tensorflow backend (tf.data, tf.distribute, "
        "cpu:N, clusters, TensorBoard, TF's timing); skipped with the reason under another "
        "KERAS_BACKEND (`make test`'s JAX pass)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from cnn_tui.core.backend import configured_backend

    backend = configured_backend()
    if backend == "tensorflow":
        return
    for item in items:
        marker = item.get_closest_marker("tf_only")
        if marker is not None:
            why = marker.args[0] if marker.args else "TensorFlow only"
            item.add_marker(pytest.mark.skip(reason=f"tensorflow backend only ({backend} "
                                                    f"here): {why}"))
