"""The Train tab's settings to a run's ``TrainConfig`` and back again.

The Train tab's settings are a mapping of setting name -> value (the
fields of ``TUI_FIELDS``). ``build_train_config`` turns them, with what the
other panels show, into the runner's ``TrainConfig``; ``values_from_run_config``
reads a run's config.json back into such a mapping through the same table
(the Runs tab's "open config").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cnn_tui.core.augment_config import NO_AUGMENT, AugmentConfig
from cnn_tui.core.runs.config import SETTING, TUI_FIELDS, TrainConfig, config_from_dict

RUN_FIELDS = tuple(s.name for s in TUI_FIELDS if s.scope == "run")
"""The Train tab's fields that are part of a run (``on_hangup`` is the app's own)."""


def build_train_config(
    *,
    dataset: str,
    spec: dict[str, Any],
    augment: AugmentConfig | None,
    values: Mapping[str, Any],
    runs_dir: Path,
) -> TrainConfig:
    """The run the panels describe; raises ConfigError for an option out of range."""
    chosen = {name: value for name, value in values.items() if SETTING[name].scope == "run"}
    config = TrainConfig(dataset=dataset, model=spec, augment=augment or NO_AUGMENT,
                         runs_dir=runs_dir, **chosen)
    config.validate()
    return config


def values_from_run_config(run_config: Mapping[str, Any]) -> dict[str, Any]:
    """The Train tab's run settings recorded in a run's config.json; ConfigError if unreadable.

    A run records them under ``options`` (``config_to_dict``). Runs made
    before that kept a few at the top level (optimizer, learning rate, batch
    size, epochs, seed): those are read through the same table, and the rest
    take the table's defaults.
    """
    options = run_config.get("options")
    if not isinstance(options, dict):
        options = {name: run_config[name] for name in RUN_FIELDS if name in run_config}
    config = config_from_dict(options)
    return {name: getattr(config, name) for name in RUN_FIELDS}
