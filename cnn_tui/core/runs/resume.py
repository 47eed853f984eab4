"""Reading a run back from its folder to go on with it (``--resume``).

A run resumes from ``checkpoint.keras`` (saved after every finished epoch),
or, when it finished and its checkpoint was removed, from ``model.keras``,
whose state says it holds whole epochs. Its settings come from
``config.json``; only the total number of epochs may change (an extension),
and the devices it trains on (a checkpoint holds no trace of them, so a run
stopped on one box may go on with another's GPUs).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cnn_tui.core.errors import ConfigError
from cnn_tui.core.runs.checkpoint import CheckpointUnusable, read_state
from cnn_tui.core.runs.cluster import CLUSTER_SETTINGS
from cnn_tui.core.runs.config import SETTING, TrainConfig, config_from_dict
from cnn_tui.core.runs.control import effective_state
from cnn_tui.core.runs.files import read_json
from cnn_tui.core.runs.history import Row
from cnn_tui.core.runs.rundir import (
    CHECKPOINT_FILE,
    CONFIG_FILE,
    MODEL_FILE,
    STATUS_FILE,
)

CHANGEABLE_ON_RESUME = ("epochs", "runs_dir", "devices", *CLUSTER_SETTINGS)
"""A resumed run may get more epochs, and it trains on the devices and machines it is
given now."""


@dataclass(frozen=True)
class ResumePoint:
    """Where a run goes on from."""

    run_dir: Path
    checkpoint: Path
    rows: tuple[Row, ...]
    """The history of the epochs the checkpoint holds (its length: epochs done)."""
    spec: dict[str, Any]
    run_config: dict[str, Any]
    """The run's config.json as it stands."""
    monitors: dict[str, Any] = field(default_factory=dict)
    """The early-stopping and plateau counters the checkpoint kept (``monitors.state``)."""
    extending: bool = False
    """The run had finished (its model.keras is the point): it is given more epochs."""


def plan_resume(
    run_dir: Path, *, epochs: int | None = None, given: dict[str, Any] | None = None
) -> tuple[TrainConfig, ResumePoint]:
    """The config and checkpoint to continue ``run_dir`` with; CnnTuiError when it cannot be.

    ``epochs``: the run's new total (default: as planned). ``given``: other
    settings the user passed; any that contradicts the run is refused.
    """
    run_dir = Path(run_dir)
    run_config = read_json(run_dir / CONFIG_FILE)
    if not run_dir.is_dir() or run_config is None:
        raise ConfigError(f"{run_dir} is not a run directory (no readable {CONFIG_FILE}); pass "
                          "a folder made by cnn-tui train, e.g. runs/<date>-<name>.")
    status = read_json(run_dir / STATUS_FILE) or {}
    state = effective_state(status)
    if state == "running":
        raise ConfigError(f"{run_dir.name} is still running (pid {status.get('pid')} on "
                          f"{status.get('host')}); stop it first with cnn-tui stop {run_dir}.")
    config = replace(config_from_dict(run_config.get("options")), runs_dir=run_dir.parent)
    if (given or {}).get("devices") is not None:
        config = replace(config, devices=(given or {})["devices"])
    _refuse_contradictions(config, given or {})
    # The cluster recorded is where the run trained before, not where it goes on.
    config = replace(config, **{name: (given or {}).get(name, SETTING[name].default)
                                for name in CLUSTER_SETTINGS})
    checkpoint, saved = _usable_checkpoint(run_dir)
    rows = tuple(saved["history"])
    done = len(rows)
    total = config.epochs if epochs is None else SETTING["epochs"].check(epochs)
    if total < done:
        raise ConfigError(f"{run_dir.name} has already trained {done} epochs; --epochs is the "
                          f"run's new total and must be at least {done}.")
    if total == done and state == "finished":
        raise ConfigError(f"{run_dir.name} has finished all {done} epochs; pass --epochs with "
                          f"a larger total (e.g. --epochs {done + 5}) to train it further.")
    if state == "finished" and epochs is None:
        # Early stopping ended it before its planned total: going on is a new decision.
        why = str(status.get("message") or "finished early")
        raise ConfigError(f"{run_dir.name} has finished after {done} epochs ({why}); pass "
                          f"--epochs with a new total (e.g. --epochs {done + 5}) to train it "
                          "further.")
    model = run_config.get("model")
    spec = model.get("spec") if isinstance(model, dict) else None
    if not isinstance(spec, dict):
        raise ConfigError(f"{run_dir}/{CONFIG_FILE} has no model spec; this run cannot be "
                          "resumed: start a new run instead.")
    monitors = saved.get("monitors")
    point = ResumePoint(run_dir, checkpoint, rows, spec, run_config,
                        monitors=monitors if isinstance(monitors, dict) else {},
                        extending=checkpoint.name == MODEL_FILE)
    return replace(config, epochs=total), point


def _usable_checkpoint(run_dir: Path) -> tuple[Path, dict[str, Any]]:
    checkpoint = run_dir / CHECKPOINT_FILE
    state = read_state(checkpoint) if checkpoint.is_file() else None
    if state is not None:
        return checkpoint, state
    model = run_dir / MODEL_FILE
    state = read_state(model) if model.is_file() else None
    if state is not None and state.get("complete") is True:
        return model, state
    why = "its checkpoint is damaged" if checkpoint.exists() else "it has no checkpoint"
    raise CheckpointUnusable(f"{run_dir.name} cannot be resumed: {why} (runs made before "
                             "checkpoints existed have none); start a new run instead.")


def _refuse_contradictions(config: TrainConfig, given: dict[str, Any]) -> None:
    for name, value in given.items():
        if name in CHANGEABLE_ON_RESUME or value is None:
            continue
        ours = getattr(config, name)
        if ours != value:
            flag = SETTING[name].cli_flag
            raise ConfigError(f"--resume goes on with the run's own settings, but {flag} "
                              f"{value!r} differs from the run's ({_shown(ours)}); drop "
                              f"{flag}, or start a new run.")


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a spec saved in config.json"
    return repr(value)

