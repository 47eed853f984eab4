"""What the workers of a cluster settle before their first step.

``agree_before_training`` checks that every worker was started with the same
settings and read data of the same sizes (``cluster_join.check_agreement``),
gives every worker the chief's weights and optimizer state (for a resume the
chief alone loaded them from its checkpoint), and the epoch the chief goes on
from. ``cluster_flags`` is how a missing worker is to be started, for the
message that names it.
"""

from __future__ import annotations

from typing import Any

from cnn_tui.core.runs.cluster import NOT_AGREED, agreement
from cnn_tui.core.runs.config import RUN_SETTINGS, TrainConfig, config_to_dict
from cnn_tui.core.runs.prepare import PreparedRun

DATA_TITLES = {
    "n_train": "number of training images",
    "n_val": "number of validation images",
    "num_classes": "number of classes",
    "input_shape": "image shape",
}
"""What the data's sizes are called in a disagreement's message."""


def agree_before_training(strategy: Any, prepared: PreparedRun, model: Any,
                          initial_epoch: int, loaded: Any = None) -> int:
    """Check, then share the chief's model; the chief's first epoch (raises ClusterError).

    ``loaded``: a resumed chief's checkpoint, loaded outside the strategy's scope.
    """
    import keras

    from cnn_tui.core.runs.cluster_join import check_agreement, from_chief
    from cnn_tui.core.runs.worker_loop import share_chiefs_model

    cluster, dataset, config = prepared.cluster, prepared.dataset, prepared.config
    assert cluster is not None
    data = {"n_train": len(dataset.x_train), "n_val": len(dataset.x_val),
            "num_classes": dataset.info.num_classes,
            "input_shape": list(dataset.info.input_shape)}
    titles = {**{s.name: s.title for s in RUN_SETTINGS}, **DATA_TITLES}
    # A resumed chief's epochs come from its config.json; the others' from their flags.
    check_agreement(strategy, cluster, agreement(config_to_dict(config), data), titles)
    share_chiefs_model(strategy, cluster, model, loaded)
    chiefs_epoch = int(from_chief(strategy, [float(initial_epoch)])[0])
    # The shuffle order must be the same on every worker (each takes its share of
    # every batch): the seed a resumed chief draws with, here on all of them.
    keras.utils.set_random_seed((config.seed or 0) + chiefs_epoch)
    return chiefs_epoch


def cluster_flags(config: TrainConfig) -> str:
    """The run's flags that differ from their defaults (``--epochs 2 ...``), for a message."""
    parts = []
    for setting in RUN_SETTINGS:
        value = getattr(config, setting.name)
        if setting.name in NOT_AGREED or value == setting.default:
            continue
        if setting.kind in ("augment", "model") and not isinstance(value, str):
            continue  # a spec dict or parsed augmentation has no one-word form
        parts.append(f" {setting.cli_flag} {setting.format(value)}")
    return "".join(parts)
