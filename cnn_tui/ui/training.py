"""Between the panels and the engine's runner: configs in, configs back out.

``build_train_config`` turns what the panels show into the runner's
``TrainConfig``; ``settings_from_run_config`` reads a run's config.json back
into the Train tab's settings (the Runs tab's "open config").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cnn_tui.core.augment import NO_AUGMENT, AugmentConfig
from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.ui.panels.train_panel import TrainSettings


def build_train_config(
    *,
    dataset: str,
    spec: dict[str, Any],
    augment: AugmentConfig | None,
    settings: TrainSettings,
    runs_dir: Path,
) -> TrainConfig:
    """The run the panels describe; raises ConfigError for an option out of range."""
    config = TrainConfig(
        dataset=dataset,
        model=spec,
        augment=augment or NO_AUGMENT,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        optimizer=settings.optimizer,
        learning_rate=settings.learning_rate,
        limit=settings.limit,
        seed=settings.seed,
        runs_dir=runs_dir,
    )
    config.validate()
    return config


def settings_from_run_config(config: Mapping[str, Any], fallback: TrainSettings) -> TrainSettings:
    """The Train tab's settings recorded in a run's config.json (missing keys keep ``fallback``)."""
    def pick(key: str, kind: type, default: Any) -> Any:
        value = config.get(key, default)
        try:
            return kind(value) if value is not None else None
        except (TypeError, ValueError):
            return default

    return TrainSettings(
        optimizer=str(config.get("optimizer") or fallback.optimizer),
        learning_rate=pick("learning_rate", float, fallback.learning_rate),
        batch_size=pick("batch_size", int, fallback.batch_size),
        epochs=pick("epochs", int, fallback.epochs),
        limit=_limit(config),
        seed=pick("seed", int, fallback.seed) or 0,
    )


def _limit(config: Mapping[str, Any]) -> int | None:
    """The image limit: under "dataset" in a run's config.json, else at the top level."""
    dataset = config.get("dataset")
    value = dataset.get("limit") if isinstance(dataset, Mapping) else config.get("limit")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
