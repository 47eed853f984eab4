"""What a run is: the table of its settings and the ``TrainConfig`` made from it.

``TrainConfig`` has one field per row of ``SETTINGS`` with ``scope='run'``;
its validation, its ``config.json`` form and the CLI's and TUI's fields all
come from that table (see ``settings.py``). ``config_from_dict`` reads the
``options`` of a run's ``config.json`` back into exactly the config that
wrote them, which is what ``--resume`` needs.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cnn_tui.core.augment_config import NO_AUGMENT, AugmentConfig
from cnn_tui.core.backend import BACKENDS
from cnn_tui.core.errors import ConfigError
from cnn_tui.core.runs.cluster import cluster_of
from cnn_tui.core.runs.placement import check_batch_split, cpu_split, named_replicas
from cnn_tui.core.runs.settings import (
    AUGMENT_PLACES,
    COLOR_CHOICES,
    HANGUP_CHOICES,
    JIT_CHOICES,
    LR_SCHEDULES,
    MONITORS,
    OPTIMIZERS,
    PRECISIONS,
    YES_NO,
    Setting,
)

SETTINGS: tuple[Setting, ...] = (
    Setting("dataset", "text", "mnist",
            "mnist, fashion_mnist, cifar10, cifar100; the bundled mnist-sample (10,000 "
            "images) or cifar10-sample (2,000), which work offline; or a path (IDX folder, "
            ".npz, CIFAR batches, image folder)"),
    Setting("model", "model", "seed-cnn",
            "a preset (seed-cnn, seed-mlp, lenet5, bn-cnn) or a spec .json"),
    Setting("augment", "augment", NO_AUGMENT,
            "none, seed, or k=v,k=v with ImageDataGenerator names "
            "(rotation_range=10,horizontal_flip=true)"),
    Setting("optimizer", "choice", "rmsprop", "rmsprop (the tutorial's), adam, or sgd "
            "(momentum 0.9)", label="optimizer", choices=OPTIMIZERS),
    Setting("learning_rate", "float", 0.001, "learning rate (Keras's RMSprop default)",
            label="learning rate", flag="--lr", minimum=1e-9),
    Setting("batch_size", "int", 256, "images per training step", label="batch size",
            minimum=1, maximum=65536, unit="images"),
    Setting("epochs", "int", 10, "passes over the training images", label="epochs",
            minimum=1, maximum=100000),
    Setting("limit", "int", None, "train on a class-balanced subset of N images",
            label="limit", minimum=1, maximum=10**9, unit="images", optional=True,
            empty_means="all images"),
    Setting("val_split", "float", 0.1, "held-out fraction when the data has no test split",
            label="val split", minimum=0.0, maximum=1.0, exclusive=True),
    Setting("image_size", "size", None, "resize an image folder's images to HxW",
            label="image size", optional=True, empty_means="as stored"),
    Setting("seed", "int", None, "random seed (empty: a new one, recorded in config.json)",
            label="seed", minimum=0, maximum=2**32 - 1, optional=True, empty_means="random"),
    Setting("lr_schedule", "choice", "constant", "how the learning rate changes after any "
            "warm-up: constant; step (times --lr-decay every --lr-step-epochs epochs); "
            "exponential (the same decay, smoothly at every step); cosine (from --lr down to 0 "
            "at the last epoch)", label="lr schedule", choices=LR_SCHEDULES, group="schedule"),
    Setting("warmup_epochs", "int", None, "first raise the learning rate linearly from 0 to "
            "--lr over this many epochs", label="warm-up", minimum=1, maximum=100000,
            unit="epochs", optional=True, empty_means="none", group="schedule"),
    Setting("lr_step_epochs", "int", 5, "step and exponential schedules: epochs per decay by "
            "--lr-decay", label="decay every", minimum=1, maximum=100000, unit="epochs",
            group="schedule"),
    Setting("lr_decay", "float", 0.5, "step and exponential schedules: what the learning rate "
            "is multiplied by every --lr-step-epochs epochs", label="decay factor",
            minimum=0.0, maximum=1.0, exclusive=True, group="schedule"),
    Setting("monitor", "choice", "val_loss", "what reduce-on-plateau and early stopping watch "
            "at each epoch's end (a loss should fall, an accuracy rise)", label="monitor",
            choices=MONITORS, group="monitors"),
    Setting("plateau_patience", "int", None, "multiply the learning rate by --plateau-factor "
            "after this many epochs without improvement of --monitor (Keras's "
            "ReduceLROnPlateau; needs --lr-schedule constant)", label="plateau wait",
            minimum=1, maximum=100000, unit="epochs", optional=True, empty_means="off",
            group="monitors"),
    Setting("plateau_factor", "float", 0.1, "what reduce-on-plateau multiplies the learning "
            "rate by", label="plateau factor", minimum=0.0, maximum=1.0, exclusive=True,
            group="monitors"),
    Setting("early_stop_patience", "int", None, "end the run after this many epochs without "
            "improvement of --monitor (Keras's EarlyStopping); it ends as finished",
            label="stop wait", minimum=1, maximum=100000, unit="epochs", optional=True,
            empty_means="off", group="monitors"),
    Setting("early_stop_min_delta", "float", 0.0, "early stopping: the least change of "
            "--monitor that counts as an improvement", label="stop min delta", minimum=0.0,
            group="monitors"),
    Setting("restore_best", "choice", "yes", "early stopping: end with the weights of the "
            "epoch where --monitor was best, not the last epoch's", label="restore best",
            choices=YES_NO, group="monitors"),
    Setting("devices", "devices", "auto", "where to train: auto (every GPU, else the CPU), "
            "cpu, cpu:N (the CPU split into N devices, to try several replicas without GPUs), "
            "or GPU indices (0,1 or gpu:0-3); more than one device trains one replica on each "
            "(MirroredStrategy) and --batch-size is split between them", label="devices",
            group="compute"),
    Setting("precision", "choice", "auto", "float precision: mixed computes in float16 on a "
            "GPU, bfloat16 on a CPU, keeping the weights and the softmax output in float32 "
            "(with Keras's loss scaling for float16); auto: mixed where the hardware does it "
            "fast (a GPU with tensor cores, a CPU with AMX or AVX-512 BF16), else float32",
            label="precision", choices=PRECISIONS, group="compute"),
    Setting("jit", "choice", "auto", "XLA compilation of the training step; auto: Keras's "
            "rule, on for a GPU, off on a CPU (where it trains several times slower)",
            label="XLA", choices=JIT_CHOICES, group="compute"),
    Setting("augment_on", "choice", "auto", "where augmentation runs: host (TensorFlow's "
            "tf.data pipeline, on the CPU beside training; tensorflow backend only) or device "
            "(the augmentation layers at the front of the model, in the training step on its "
            "device; predictions skip them); auto: device, but host for TensorFlow on a CPU "
            "(measured faster there)", label="augment on", choices=AUGMENT_PLACES,
            group="compute"),
    Setting("tensorboard", "choice", "no", "also write TensorBoard logs (each epoch's "
            "metrics and learning rate, and the model's graph) into the run's tensorboard/ "
            "folder, for `tensorboard --logdir runs`", label="TensorBoard", choices=YES_NO,
            group="compute"),
    Setting("backend", "choice", None, "the Keras backend that trains and inspects: "
            "tensorflow, jax or torch (installed with pip install 'cnn-tui[jax]' or "
            "'cnn-tui[torch]'); chosen as the process starts", choices=BACKENDS,
            optional=True, empty_means="KERAS_BACKEND, else keras.json, else tensorflow",
            scope="process", group="compute"),
    Setting("cluster", "text", None, "train with other machines: every worker's HOST:PORT, "
            "the chief first (the same list on every worker; without it a TF_CONFIG in the "
            "environment is used)", optional=True, group="cluster"),
    Setting("worker_index", "int", None, "with --cluster: this machine's place in the list "
            "(0: the chief, which writes the run directory)", minimum=0, maximum=4095,
            optional=True, group="cluster"),
    Setting("cluster_timeout", "int", 60, "with --cluster: seconds to wait for every worker "
            "to join before stopping with a message naming the one missing", minimum=1,
            maximum=86400, unit="s", group="cluster"),
    Setting("runs_dir", "path", "runs", "where run directories go"),
    Setting("name", "text", None, "run name (default: <model>-<dataset>)", optional=True),
    Setting("on_hangup", "choice", "finish", "when the app's terminal goes away during "
            "training: finish the run without a screen, or stop it at the next batch",
            label="on hang-up", choices=HANGUP_CHOICES, scope="app"),
    Setting("color", "choice", "auto", "colours the app draws with: auto (what TERM and "
            "COLORTERM say), truecolor (SSH forwards TERM but rarely COLORTERM), or 256 "
            "(images dithered to the 256-colour palette)", choices=COLOR_CHOICES, scope="app"),
)
SETTING_GROUPS = {
    "schedule": "learning-rate schedule",
    "monitors": "reduce on plateau and early stopping",
    "compute": "devices, precision, XLA, where augmentation runs, and logs",
    "cluster": "several machines",
}
"""The sections of related settings (``Setting.group``) and their titles."""
SETTING = {setting.name: setting for setting in SETTINGS}
RUN_SETTINGS = tuple(s for s in SETTINGS if s.scope == "run")
TUI_FIELDS = tuple(s for s in SETTINGS if s.label)
"""The Train tab's fields, in the table's order."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run needs; each field is a row of ``SETTINGS``."""

    dataset: str = SETTING["dataset"].default
    model: str | dict[str, Any] = SETTING["model"].default
    augment: AugmentConfig = SETTING["augment"].default
    optimizer: str = SETTING["optimizer"].default
    learning_rate: float = SETTING["learning_rate"].default
    batch_size: int = SETTING["batch_size"].default
    epochs: int = SETTING["epochs"].default
    limit: int | None = SETTING["limit"].default
    val_split: float = SETTING["val_split"].default
    image_size: tuple[int, int] | None = SETTING["image_size"].default
    seed: int | None = SETTING["seed"].default
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
    precision: str = SETTING["precision"].default
    jit: str = SETTING["jit"].default
    augment_on: str = SETTING["augment_on"].default
    tensorboard: str = SETTING["tensorboard"].default
    cluster: str | None = SETTING["cluster"].default
    worker_index: int | None = SETTING["worker_index"].default
    cluster_timeout: int = SETTING["cluster_timeout"].default
    runs_dir: str | Path = SETTING["runs_dir"].default
    name: str | None = SETTING["name"].default

    def validate(self) -> None:
        """Raise ConfigError for the first setting out of range (the table's message)."""
        for setting in RUN_SETTINGS:
            if setting.kind in ("int", "float", "choice", "size", "devices"):
                setting.check(getattr(self, setting.name))
        check_combination({s.name: getattr(self, s.name) for s in RUN_SETTINGS})
        # The flags alone; a TF_CONFIG in the environment is read when the run starts.
        cluster_of(self.cluster, self.worker_index, {})

    @property
    def model_name(self) -> str:
        if isinstance(self.model, dict):
            return str(self.model.get("name") or "custom")
        return Path(self.model).stem if self.model.lower().endswith(".json") else self.model

    @property
    def dataset_name(self) -> str:
        return Path(self.dataset).name or self.dataset

    @property
    def run_name(self) -> str:
        return self.name or f"{self.model_name}-{self.dataset_name}"

    def resolved(self) -> TrainConfig:
        """This config with a seed: a random one when none was given."""
        if self.seed is not None:
            return self
        return replace(self, seed=random.SystemRandom().randrange(2**31))


def check_combination(values: Mapping[str, Any]) -> None:
    """Raise ConfigError when settings that are each valid do not go together.

    ``values``: setting name -> value, each already checked (the Train tab
    passes its fields, ``TrainConfig.validate`` all of its own).
    """
    warmup, epochs = values.get("warmup_epochs"), values.get("epochs")
    if warmup is not None and epochs is not None and warmup >= epochs:
        raise ConfigError(
            f"warm-up must be shorter than the run: {warmup} warm-up epochs "
            f"(--warmup-epochs) leave none of the run's {epochs} (--epochs) for the schedule; "
            "lower one or raise the other.")
    devices, batch = values.get("devices"), values.get("batch_size")
    if isinstance(devices, str) and batch is not None:
        replicas = named_replicas(devices)
        if replicas is not None:  # auto: checked once the GPUs are known (placement.place)
            check_batch_split(batch, replicas, devices)
    if isinstance(devices, str) and cpu_split(devices) > 1 and values.get("jit") == "on":
        # XLA compiles the replicas' step for the one host device, then cannot reach the
        # variables of the other logical CPU devices (TensorFlow's known XLA issue).
        raise ConfigError(f"XLA (--jit on) cannot train the replicas of devices {devices}, "
                          "which share one CPU; use --jit auto or off with cpu:N.")
    schedule = values.get("lr_schedule", "constant")
    if values.get("plateau_patience") is not None and (schedule != "constant" or warmup):
        what = f"lr schedule {schedule}" + (" with a warm-up" if warmup else "")
        raise ConfigError(
            "plateau wait (--plateau-patience) needs lr schedule constant without warm-up "
            f"(Keras's ReduceLROnPlateau cannot change a scheduled rate); got {what}.")


def config_to_dict(config: TrainConfig) -> dict[str, Any]:
    """The config as JSON-ready data (``config.json``'s ``options``), stamped ``created``."""
    data = {s.name: s.to_json(getattr(config, s.name)) for s in RUN_SETTINGS}
    data["created"] = datetime.now().isoformat(timespec="seconds")
    return data


def config_from_dict(data: Any) -> TrainConfig:
    """The config that ``config_to_dict`` wrote; ConfigError when it cannot be read."""
    if not isinstance(data, dict):
        raise ConfigError("config.json has no options object; this run cannot be read back.")
    values = {}
    for setting in RUN_SETTINGS:
        if setting.name in data:
            values[setting.name] = setting.from_json(data[setting.name])
    known = {f.name for f in fields(TrainConfig)}
    assert set(values) <= known
    return TrainConfig(**values)


def settings_from_texts(texts: dict[str, str]) -> dict[str, Any]:
    """Parse typed settings (TUI fields or CLI flags) by name; ConfigError on the first bad one."""
    return {name: SETTING[name].parse(text) for name, text in texts.items()}
