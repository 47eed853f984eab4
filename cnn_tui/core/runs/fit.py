"""The two halves of ``run_training``: preparing a run, then training it.

``prepare_run`` checks everything that can be the user's fault (options,
spec, data) before anything is written, and creates the run directory.
``train_prepared`` imports TensorFlow, builds, trains and saves; the runner
turns whatever it raises into a failed run.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnn_tui.core.augment import build_augmenter
from cnn_tui.core.runs.callbacks import StopRequested, make_run_callback
from cnn_tui.core.runs.events import RunEvent, RunFinished, RunStarted, RunStopped, StatusChanged
from cnn_tui.core.runs.rundir import (
    HISTORY_FILE,
    MODEL_FILE,
    SUMMARY_FILE,
    HistoryWriter,
    create_run_dir,
    read_history,
    update_status,
    write_config,
)
from cnn_tui.core.runs.runner import RunOutcome, TrainConfig, config_to_dict, library_versions


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


def prepare_run(
    config: TrainConfig, emit: Callable[[RunEvent], None], dataset: Any = None
) -> PreparedRun:
    """Check the options, spec and data and create the run directory (raises CnnTuiError)."""
    from cnn_tui.core.keras_model import check_report
    from cnn_tui.core.shapes import infer_shapes
    from cnn_tui.core.spec import load_spec

    config.validate()
    config = config.resolved()
    spec = dict(config.model) if isinstance(config.model, dict) else load_spec(config.model)
    if dataset is None:
        from cnn_tui.core.datasets import load_dataset

        emit(StatusChanged(f"Loading {config.dataset}"))
        dataset = load_dataset(
            config.dataset,
            val_split=config.val_split,
            limit=config.limit,
            image_size=config.image_size,
            seed=config.seed,
            progress=lambda _fraction, text: emit(StatusChanged(text)),
        )
    info = dataset.info
    report = infer_shapes(spec, info.input_shape, info.num_classes)
    check_report(report)
    run_dir = create_run_dir(config.runs_dir, config.run_name)
    options = config_to_dict(config)
    run_config = {
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
    }
    write_config(run_dir, run_config)
    update_status(run_dir, state="running", epochs_planned=config.epochs, epochs_done=0)
    return PreparedRun(config, spec, dataset, report, run_dir, run_config)


def make_optimizer(name: str, learning_rate: float) -> Any:
    import keras

    if name == "adam":
        return keras.optimizers.Adam(learning_rate)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=0.9)
    return keras.optimizers.RMSprop(learning_rate)


def train_prepared(
    prepared: PreparedRun, emit: Callable[[RunEvent], None], stop_event: threading.Event
) -> RunOutcome:
    """Build, compile, fit and save; emits the run's events. Raises on failure."""
    from cnn_tui.core.keras_model import build_keras_model
    from cnn_tui.core.pipeline import make_train_val_datasets, steps_per_epoch
    from cnn_tui.core.tf_setup import device_names, import_tensorflow

    config, dataset, run_dir = prepared.config, prepared.dataset, prepared.run_dir
    emit(StatusChanged("Starting TensorFlow"))
    import_tensorflow()
    import keras

    keras.utils.set_random_seed(config.seed)
    prepared.run_config["versions"] = library_versions()
    prepared.run_config["devices"] = device_names()
    write_config(run_dir, prepared.run_config)

    emit(StatusChanged("Building the model"))
    info = dataset.info
    model = build_keras_model(prepared.spec, info.input_shape, info.num_classes)
    model.compile(
        optimizer=make_optimizer(config.optimizer, config.learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    lines: list[str] = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    summary = "\n".join(lines)
    (run_dir / SUMMARY_FILE).write_text(summary + "\n", encoding="utf-8")

    augmenter = build_augmenter(config.augment, seed=config.seed)
    train_ds, val_ds = make_train_val_datasets(dataset, config.batch_size, augmenter, config.seed)
    steps = steps_per_epoch(len(dataset.x_train), config.batch_size)
    callback = make_run_callback(
        emit=emit,
        stop_event=stop_event,
        history=HistoryWriter(run_dir / HISTORY_FILE),
        run_dir=run_dir,
        epochs=config.epochs,
        steps=steps,
        batch_size=config.batch_size,
    )
    emit(
        RunStarted(
            run_dir=run_dir,
            config=config,
            report=prepared.report,
            dataset_info=info,
            n_train=len(dataset.x_train),
            n_val=len(dataset.x_val),
            steps_per_epoch=steps,
            summary=summary,
        )
    )
    stopped = False
    try:
        model.fit(
            train_ds,
            validation_data=val_ds,
            epochs=config.epochs,
            verbose=0,
            shuffle=False,  # the tf.data pipeline shuffles every epoch itself
            callbacks=[callback],
        )
    except (StopRequested, KeyboardInterrupt):
        # Ctrl-C in the CLI is a stop request too: save what was learnt.
        stopped = True
    stopped = stopped or callback.epochs_done < config.epochs
    model.save(run_dir / MODEL_FILE)
    epochs_done = callback.epochs_done
    if stopped:
        update_status(run_dir, state="stopped", message="stopped", epochs_done=epochs_done)
        emit(RunStopped(run_dir, epochs_done))
        return RunOutcome("stopped", run_dir, epochs_done, history=read_history(run_dir))
    # fit's last validation is model.evaluate on the val/test split with the
    # final weights: the test metrics, without a second pass over the data.
    logs = callback.last_logs
    test_metrics = {
        name.removeprefix("val_"): value
        for name, value in logs.items()
        if name.startswith("val_") and not math.isnan(value)
    }
    update_status(
        run_dir,
        state="finished",
        message="finished",
        epochs_done=epochs_done,
        test_metrics=test_metrics,
    )
    emit(RunFinished(run_dir, test_metrics, epochs_done))
    return RunOutcome("finished", run_dir, epochs_done, test_metrics, history=read_history(run_dir))
