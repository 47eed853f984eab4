"""Preparing a run: everything that can be the user's fault, checked before training.

``prepare_run`` validates the settings, reads the spec and the data, checks
the model's shapes, and only then creates the run directory (or reopens it,
for a resume or a detached run) and writes ``config.json`` and
``status.json``. ``plan_resume`` reads a run back from its folder: its
settings, and the checkpoint to go on from.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnn_tui.core.backend import check_backend_settings, configured_backend
from cnn_tui.core.errors import ConfigError
from cnn_tui.core.runs.cluster import Cluster, cluster_of
from cnn_tui.core.runs.config import TrainConfig, config_to_dict
from cnn_tui.core.runs.control import clear_stop_request
from cnn_tui.core.runs.events import RunEvent, StatusChanged
from cnn_tui.core.runs.files import remove_stale_temps, write_json_atomic
from cnn_tui.core.runs.placement import Placement, place
from cnn_tui.core.runs.resume import ResumePoint
from cnn_tui.core.runs.rundir import (
    CONFIG_FILE,
    create_run_dir,
    process_identity,
    update_status,
)

if TYPE_CHECKING:
    from cnn_tui.core.datasets import Dataset
    from cnn_tui.core.shapes import ShapeReport


@dataclass
class PreparedRun:
    config: TrainConfig
    """Resolved: its seed is set."""
    spec: dict[str, Any]
    dataset: Any
    report: Any
    run_dir: Path
    run_config: dict[str, Any]
    """What config.json holds."""
    resume: ResumePoint | None = None
    warnings: list[str] = field(default_factory=list)
    placement: Placement | None = None
    """The devices and strategy it trains with (``placement.py``); set by ``prepare_run``."""
    cluster: Cluster | None = None
    """The machines training this run together (``--cluster`` or TF_CONFIG), or None."""


def prepare_run(
    config: TrainConfig,
    emit: Callable[[RunEvent], None],
    dataset: Any = None,
    *,
    run_dir: Path | None = None,
    resume: ResumePoint | None = None,
    kind: str = "api",
    before_run_dir: Callable[[], None] | None = None,
    report: ShapeReport | None = None,
) -> PreparedRun:
    """Check the options, spec and data, then create or reopen the run directory.

    ``run_dir``: an existing, empty run folder to use (a detached run's,
    made by its parent). ``resume``: go on with that run. ``kind`` is
    recorded in status.json (``cli`` runs take SIGTERM as a stop request).
    ``before_run_dir`` is called just before the folder is created: from
    then on an interruption must stop the run rather than abandon it.
    ``report``: the spec's shapes, when the caller inferred them already for
    this dataset's input (the CLI does, before loading). Raises CnnTuiError.
    """
    from cnn_tui.core.keras_model import check_report
    from cnn_tui.core.shapes import infer_shapes
    from cnn_tui.core.spec import load_spec

    config.validate()
    cluster = cluster_of(config.cluster, config.worker_index, os.environ)
    if cluster is not None and config.devices != "auto":
        raise ConfigError(f"--devices {config.devices} cannot go with --cluster: each worker "
                          "trains on every GPU it sees (else its CPU); leave --devices auto "
                          "and choose a worker's GPUs with CUDA_VISIBLE_DEVICES.")
    if cluster is not None and config.seed is None:
        # Every worker must draw the same data and shuffle it alike.
        config = replace(config, seed=cluster.default_seed())
    config = config.resolved()
    # Before any data is read: what JAX/torch cannot do yet is bad input.
    check_backend_settings(configured_backend(), cluster=cluster is not None,
                           augment=config.augment.enabled, augment_on=config.augment_on)
    if resume is not None:
        spec = resume.spec
    else:
        spec = dict(config.model) if isinstance(config.model, dict) else load_spec(config.model)
    if dataset is None:
        emit(StatusChanged(f"Loading {config.dataset}"))
        dataset = load_run_dataset(config, lambda _fraction, text: emit(StatusChanged(text)))
    info = dataset.info
    if report is None or not report.fits(info.input_shape, info.num_classes):
        report = infer_shapes(spec, info.input_shape, info.num_classes)
    check_report(report)
    # The devices are checked against the machine (TensorFlow's first use) before
    # the run folder exists: naming a GPU the box lacks is bad input, not a failed run.
    # With a cluster, MultiWorkerMirroredStrategy places the replicas, and placing
    # them here would start TensorFlow before the cluster can be joined.
    placement = None
    if cluster is None:
        placement = place(config.devices, config.batch_size)
        placement.check_first_batches(len(dataset.x_train), len(dataset.x_val))
    if before_run_dir is not None:
        before_run_dir()
    if resume is not None:
        run_dir = resume.run_dir
        run_config = _resumed_config(resume, config)
    else:
        if run_dir is None:
            run_dir = create_run_dir(config.runs_dir, config.run_name)
        run_config = _new_config(run_dir, config, spec, dataset, report)
    if cluster is not None:
        run_config["cluster"] = {"workers": list(cluster.workers), "index": cluster.index}
    remove_stale_temps(run_dir)
    clear_stop_request(run_dir)  # one left from before must not stop this run
    write_json_atomic(run_dir / CONFIG_FILE, run_config)
    epochs_done = len(resume.rows) if resume else 0
    update_status(run_dir, state="running", message="", epochs_planned=config.epochs,
                  epochs_done=epochs_done, kind=kind, **process_identity())
    return PreparedRun(config, spec, dataset, report, run_dir, run_config, resume,
                       list(getattr(dataset, "warnings", []) or []), placement, cluster)


def load_run_dataset(
    config: TrainConfig, progress: Callable[[float, str], None] | None = None
) -> Dataset:
    """The data a run with ``config`` trains and validates on (raises DatasetError).

    The one place where a run's settings become its data: training calls it,
    and so does inspection (``core/inspect``), which rebuilds a finished run's
    validation split from its config.json with the same seed and settings.
    ``config`` must be resolved (its seed set).
    """
    from cnn_tui.core.datasets import load_dataset

    return load_dataset(
        config.dataset,
        val_split=config.val_split,
        limit=config.limit,
        image_size=config.image_size,
        seed=config.seed or 0,
        progress=progress,
    )


def _new_config(run_dir: Path, config: TrainConfig, spec: dict[str, Any], dataset: Any,
                report: Any) -> dict[str, Any]:
    info = dataset.info
    options = config_to_dict(config)
    return {
        "name": run_dir.name,
        "created": options["created"],
        "dataset": {
            "source": config.dataset,
            "name": info.name,
            "format": info.source,
            "input_shape": list(info.input_shape),
            "num_classes": info.num_classes,
            "class_names": list(info.class_names),
            "n_train": len(dataset.x_train),
            "n_val": len(dataset.x_val),
            "val_source": dataset.val_source,
            "limit": config.limit,
            "val_split": config.val_split,
            "image_size": options["image_size"],
            "warnings": list(getattr(dataset, "warnings", []) or []),
        },
        "model": {
            "name": config.model_name,
            "source": None if isinstance(config.model, dict) else str(config.model),
            "spec": spec,
            "total_params": report.total_params,
        },
        "augmentation": config.augment.to_dict(),
        "optimizer": config.optimizer,
        "learning_rate": config.learning_rate,
        "batch_size": config.batch_size,
        "epochs": config.epochs,
        "seed": config.seed,
        "options": options,
        "resumes": [],
    }


def _resumed_config(resume: ResumePoint, config: TrainConfig) -> dict[str, Any]:
    """The run's config.json with this resume recorded and its new total of epochs."""
    run_config = dict(resume.run_config)
    run_config["epochs"] = config.epochs
    options = dict(run_config.get("options") or {})
    options["epochs"] = config.epochs
    options["devices"] = config.devices  # may differ from the first part's (another box)
    run_config["options"] = options
    resumes = run_config.get("resumes")
    resumes = list(resumes) if isinstance(resumes, list) else []
    resumes.append({"at": datetime.now().isoformat(timespec="seconds"),
                    "from_epoch": len(resume.rows), "epochs": config.epochs,
                    "devices": config.devices, "checkpoint": resume.checkpoint.name})
    run_config["resumes"] = resumes
    return run_config


def library_versions() -> dict[str, str]:
    """Versions recorded in config.json: the backend's name and its library's
    version under its own name (``tensorflow``, ``jax``, ``torch``; imports it)."""
    import keras
    import numpy

    import cnn_tui
    from cnn_tui.core.backend import backend_version

    backend = keras.backend.backend()
    return {
        "python": platform.python_version(),
        "backend": backend,
        backend: backend_version(backend),
        "keras": keras.__version__,
        "numpy": numpy.__version__,
        "cnn-tui": cnn_tui.__version__,
    }
