"""What a test needs from the machine (real data, tmux, Debian's Fashion-MNIST, root).

Outside CI a missing resource skips the test with the reason. Under CI
(``CI=true``, as ``.ci/run`` runs) it fails instead: CI installs and lays out
everything the suite needs, so a skip there would hide a broken set-up behind
a green run.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(reason: str) -> NoReturn:
    """Skip (on a developer's machine) or fail (in CI) because ``reason``."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI lacks what this test needs: {reason}", pytrace=False)
    pytest.skip(reason)
