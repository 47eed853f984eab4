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
