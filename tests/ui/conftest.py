"""Fixtures for the Pilot tests.

A test that ends within a few hundred milliseconds of its first frame shuts the
app down while the hidden tabs' panels are still mounting (tab_panels.py); a
``Select`` whose children shutdown has already removed then fails in its own
``on_mount`` (seen once in CI, on a loaded machine). Each test's app therefore
waits for those panels before ``run_test`` shuts it down, as ``q`` does.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from cnn_tui.ui.app import CnnTuiApp

MOUNT_WAIT_S = 30.0


@pytest.fixture(autouse=True)
def _panels_mount_before_shutdown(monkeypatch: pytest.MonkeyPatch) -> None:
    run_test = CnnTuiApp.run_test

    @contextlib.asynccontextmanager
    async def waiting_run_test(app: CnnTuiApp, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async with run_test(app, *args, **kwargs) as pilot:
            try:
                yield pilot
            finally:
                waited = 0.0
                while app.is_running and not app.panels_mounted and waited < MOUNT_WAIT_S:
                    await pilot.pause(0.02)
                    waited += 0.02

    monkeypatch.setattr(CnnTuiApp, "run_test", waiting_run_test)
