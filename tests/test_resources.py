"""A missing resource skips on a developer's machine and fails under CI=true."""

from __future__ import annotations

import pytest

from tests.resources import missing


def test_missing_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no tmux"):
        missing("no tmux")


def test_missing_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI lacks what this test needs: no tmux"):
        missing("no tmux")
