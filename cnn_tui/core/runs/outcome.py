"""How a run ended, as the runner returns it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended."""

    state: str
    """finished, stopped or failed."""
    run_dir: Path | None
    epochs_done: int = 0
    test_metrics: dict[str, float] = field(default_factory=dict)
    message: str = ""
    """Why it stopped or failed."""
    bad_input: bool = False
    """The run failed before training because of the user's input (spec,
    dataset, options, an unusable resume): the CLI's exit status 2 rather than 1."""
    history: dict[str, list[float]] = field(default_factory=dict)
