"""What the app was started with, and whether its runs folder can be written.

``LaunchOptions`` holds the command line's choices (the settings table's
defaults unless given). Imports nothing heavy, so the CLI can build it before
deciding to open the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnn_tui.core.augment_config import AugmentConfig
from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.runs.config import SETTING, TUI_FIELDS


@dataclass
class LaunchOptions:
    """What ``cnn-tui`` was started with: the settings table's defaults unless given."""

    dataset: str = SETTING["dataset"].default
    model: str = SETTING["model"].default
    augment: AugmentConfig | None = None
    """None: off."""
    epochs: int = SETTING["epochs"].default
    limit: int | None = SETTING["limit"].default
    runs_dir: Path = Path(SETTING["runs_dir"].default)
    batch_size: int = SETTING["batch_size"].default
    optimizer: str = SETTING["optimizer"].default
    learning_rate: float = SETTING["learning_rate"].default
    lr_schedule: str = SETTING["lr_schedule"].default
    warmup_epochs: int | None = SETTING["warmup_epochs"].default
    lr_step_epochs: int = SETTING["lr_step_epochs"].default
    lr_decay: float = SETTING["lr_decay"].default
    monitor: str = SETTING["monitor"].default
    plateau_patience: int | None = SETTING["plateau_patience"].default
    plateau_factor: float = SETTING["plateau_factor"].default
    early_stop_patience: int | None = SETTING["early_stop_patience"].default
    early_stop_min_delta: float = SETTING["early_stop_min_delta"].default
    restore_best: str = SETTING["restore_best"].default
    devices: str = SETTING["devices"].default
    """auto, cpu, cpu:N or GPU indices; cpu:N splits the CPU before TensorFlow starts."""
    precision: str = SETTING["precision"].default
    jit: str = SETTING["jit"].default
    augment_on: str = SETTING["augment_on"].default
    """auto, host or device: where augmentation runs (core/augment_place.py)."""
    tensorboard: str = SETTING["tensorboard"].default
    val_split: float = SETTING["val_split"].default
    image_size: tuple[int, int] | None = SETTING["image_size"].default
    seed: int | None = SETTING["seed"].default
    on_hangup: str = SETTING["on_hangup"].default
    color: str = SETTING["color"].default
    """auto, truecolor or 256: the colour system the app draws with (color_depth.py)."""
    sample_if_unavailable: bool = False
    """Open on the dataset's bundled sample when the dataset is not in the Keras cache
    (``starting_dataset``): set when ``--dataset`` was not given."""

    def train_values(self) -> dict[str, Any]:
        """The Train tab's starting values, by setting name."""
        return {setting.name: getattr(self, setting.name) for setting in TUI_FIELDS}


def starting_dataset(options: LaunchOptions) -> tuple[str, str]:
    """The dataset the app opens on, and why when it is not ``options.dataset``.

    A first launch whose dataset is not in the Keras cache opens on its bundled
    sample, so that ``t`` trains at once, with or without a network: the full
    dataset is a download away (picked again in the Dataset tab). Only the cache
    is looked at: a probe of the download server here would hold the first
    frame for seconds on a node whose DNS does not answer.
    """
    from cnn_tui.core.datasets import BUNDLED_SAMPLES, NAMED_DATASETS, sample_for
    from cnn_tui.core.datasets.named import missing_cache_files

    source = options.dataset
    spec, sample = NAMED_DATASETS.get(source), sample_for(source)
    if (not options.sample_if_unavailable or spec is None or sample is None
            or not missing_cache_files(spec)):
        return source, ""
    bundled = BUNDLED_SAMPLES[sample]
    return sample, (
        f"{source} is not in the Keras cache (it would need a download first), so "
        f"cnn-tui opened on {sample}, {bundled.n_train:,} real images bundled with it "
        f"({bundled.taken}); pick {source} in this list to download and use it."
    )


def runs_dir_problem(runs_dir: Path) -> str:
    """Why runs cannot be saved in ``runs_dir`` (the engine's check), or ``""`` when they can."""
    from cnn_tui.core.runs.paths import check_runs_dir

    try:
        check_runs_dir(runs_dir)
    except CnnTuiError as error:
        return f"{error} Training is off until then: quit (q) and start again."
    return ""
