"""Training a prepared run: build (or load from its checkpoint), fit, save.

``prepare.py`` checks what can be the user's fault and creates (or reopens)
the run directory; ``train_prepared`` imports TensorFlow, builds the model
or loads it with its optimizer from the checkpoint, fits from the first
unfinished epoch, and saves. The runner turns whatever it raises into a
failed run.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from typing import Any

from cnn_tui.core.augment import build_augmenter
from cnn_tui.core.runs.agreement import agree_before_training, cluster_flags
from cnn_tui.core.runs.build import run_model
from cnn_tui.core.runs.callbacks import (
    StopRequested,
    close_callbacks,
    make_callbacks,
    save_checkpoint,
)
from cnn_tui.core.runs.checkpoint import load_model, read_best_weights, save_model
from cnn_tui.core.runs.cluster_join import join_cluster
from cnn_tui.core.runs.control import StopSignal, clear_stop_request, stop_reason
from cnn_tui.core.runs.events import RunEvent, RunFinished, RunStarted, RunStopped, StatusChanged
from cnn_tui.core.runs.history import HISTORY_FILE, HistoryWriter, Row, read_history
from cnn_tui.core.runs.monitors import best_weights, ending, make_monitors
from cnn_tui.core.runs.monitors import state as monitor_state
from cnn_tui.core.runs.outcome import RunOutcome
from cnn_tui.core.runs.placement import place
from cnn_tui.core.runs.prepare import PreparedRun, library_versions
from cnn_tui.core.runs.rundir import (
    CHECKPOINT_FILE,
    MODEL_FILE,
    SUMMARY_FILE,
    TENSORBOARD_DIR,
    update_status,
    write_config,
)
from cnn_tui.core.runs.worker_loop import train_on_cluster


def train_prepared(
    prepared: PreparedRun, emit: Callable[[RunEvent], None], stop_event: Any
) -> RunOutcome:
    """Build or load, fit and save; emits the run's events. Raises on failure."""
    from cnn_tui.core.backend import (
        TENSORFLOW,
        backend_devices,
        backend_name,
        backend_version,
        configured_backend,
        ready_backend,
        seed_everything,
    )
    from cnn_tui.core.pipeline import steps_per_epoch
    from cnn_tui.core.tf_setup import device_names

    config, dataset, run_dir = prepared.config, prepared.dataset, prepared.run_dir
    rows: list[Row] = list(prepared.resume.rows) if prepared.resume else []
    initial_epoch = len(rows)
    backend = configured_backend()
    on_tf = backend == TENSORFLOW  # else JAX/torch: no tf.data, no tf.distribute
    emit(StatusChanged(f"Starting {backend_name(backend)}"))
    ready_backend()

    cluster = prepared.cluster
    if cluster is not None:  # before TensorFlow runs any op: see cluster_join.py
        emit(StatusChanged(f"Waiting for the other {cluster.size - 1} worker(s)"))
        strategy = join_cluster(cluster, config.cluster_timeout, cluster_flags(config))
        compute: dict[str, str] = {"workers": cluster.role()}
        replicas = 1  # tf.data splits the batches itself
        synchronous = False
    else:
        placement = prepared.placement or place(config.devices, config.batch_size)
        strategy = placement.strategy
        compute = {"replicas": placement.describe()}
        replicas = placement.replicas
        # JAX's steps all-reduce between CPU devices (cpu:N): Keras's asynchronous
        # batch hooks deadlock XLA there (callbacks.py, SynchronousBatches).
        synchronous = not on_tf and replicas > 1 and placement.devices[0].startswith("CPU")
        prepared.run_config.update(placement.record())

    # A resumed run draws new random numbers rather than replaying epoch 1's.
    seed_everything((config.seed or 0) + initial_epoch)
    prepared.run_config["versions"] = library_versions()
    prepared.run_config["devices"] = device_names() if on_tf else backend_devices(backend)
    prepared.run_config["compute"] = compute
    write_config(run_dir, prepared.run_config)

    # Off TensorFlow an epoch takes a multiple of the devices' number (batches.py).
    from cnn_tui.core.batches import images_per_epoch

    n_train = len(dataset.x_train) if on_tf else images_per_epoch(len(dataset.x_train), replicas)
    steps = steps_per_epoch(n_train, config.batch_size)
    emit(StatusChanged("Loading the checkpoint" if prepared.resume else "Building the model"))
    if cluster is None:
        model = run_model(prepared, steps, strategy, compute)
    else:
        # Each variable made in the scope is a collective: every worker must make
        # the same ones in the same order, so a resumed chief loads its checkpoint
        # apart and copies it into a model built as the others build theirs.
        model = run_model(prepared, steps, strategy, compute, fresh=True)
        loaded = load_model(prepared.resume.checkpoint) if prepared.resume else None
        initial_epoch = agree_before_training(strategy, prepared, model, initial_epoch, loaded)
        # Another worker joining a resumed run has no rows of the chief's first
        # epochs: stand-ins count them (its folder is temporary).
        rows.extend({"epoch": float(n + 1)} for n in range(len(rows), initial_epoch))
    compute["backend"] = f"{backend_name(backend)} {backend_version(backend)}"
    write_config(run_dir, prepared.run_config)  # now with how the model computes
    lines: list[str] = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    summary = "\n".join(lines)
    (run_dir / SUMMARY_FILE).write_text(summary + "\n", encoding="utf-8")

    history = HistoryWriter(run_dir / HISTORY_FILE)
    if prepared.resume is not None:
        history.restart(rows)  # drops rows the checkpoint does not hold
    else:
        save_checkpoint(model, run_dir, rows)  # epoch 0: even epoch 1 can be resumed

    train_ds, val_ds = _inputs(prepared, on_tf, initial_epoch, model, replicas)
    stop = StopSignal(stop_event, run_dir)
    resume = prepared.resume
    monitors = make_monitors(
        config, resume.monitors if resume else None,
        read_best_weights(resume.checkpoint) if resume else None,
        extending=resume is not None and resume.extending)
    callbacks = make_callbacks(run_dir=run_dir, stop=stop, emit=emit, history=history,
                               rows=rows, epochs=config.epochs, steps=steps,
                               batch_size=config.batch_size, monitors=monitors,
                               tensorboard_dir=(run_dir / TENSORBOARD_DIR
                                                if config.tensorboard == "yes" else None),
                               agreed_stops=cluster is not None,
                               synchronous=synchronous)
    emit(RunStarted(run_dir=run_dir, config=config, report=prepared.report,
                    dataset_info=dataset.info, n_train=len(dataset.x_train),
                    n_val=len(dataset.x_val), steps_per_epoch=steps, summary=summary,
                    initial_epoch=initial_epoch, history=read_history(run_dir),
                    compute=compute))
    stopped = False
    try:
        if initial_epoch < config.epochs and cluster is not None:
            train_on_cluster(strategy=strategy, cluster=cluster, model=model, train_ds=train_ds,
                             val_ds=val_ds, callbacks=callbacks, epochs=config.epochs,
                             initial_epoch=initial_epoch, steps=steps, stop=stop)
        elif initial_epoch < config.epochs:
            # A Keras distribution (JAX) holds per thread: fit inside its scope.
            with contextlib.nullcontext() if on_tf else strategy.scope():
                model.fit(train_ds, validation_data=val_ds, epochs=config.epochs,
                          initial_epoch=initial_epoch, verbose=0,
                          shuffle=False,  # either pipeline shuffles every epoch itself
                          callbacks=callbacks)
    except (StopRequested, KeyboardInterrupt):
        # Ctrl-C in the CLI is a stop request too: save what was learnt.
        stopped = True
    finally:
        close_callbacks(callbacks)
        getattr(train_ds, "close", lambda: None)()  # the PyDataset's prefetch threads
    epochs_done = len(rows)
    early, why, restored = ending(monitors, epochs_done, config.epochs)
    stopped = not early and (stopped or epochs_done < config.epochs)
    # model.keras holds the weights as they stand (the best epoch's, when early
    # stopping restored them); after a stop mid-epoch they are past the
    # checkpoint, which stays the point to resume from.
    state = {"epochs_done": epochs_done, "history": rows, "complete": not stopped,
             "monitors": monitor_state(monitors)}
    save_model(model, run_dir / MODEL_FILE, state, best_weights(monitors))
    clear_stop_request(run_dir)
    if stopped:
        reason = stop_reason(stop_event) or "stopped"
        update_status(run_dir, state="stopped", message=reason, epochs_done=epochs_done)
        emit(RunStopped(run_dir, epochs_done, reason))
        return RunOutcome("stopped", run_dir, epochs_done, message=reason,
                          history=read_history(run_dir))
    # The finished model.keras holds the optimizer and the rows: it is what an
    # extension (--resume --epochs more) starts from, so the checkpoint can go.
    (run_dir / CHECKPOINT_FILE).unlink(missing_ok=True)
    # fit's validation of the epoch whose weights the model holds is
    # model.evaluate on the val/test split: the test metrics, without a second
    # pass over the data.
    kept = rows[restored - 1] if restored else rows[-1] if rows else {}
    test_metrics = {name.removeprefix("val_"): value for name, value in kept.items()
                    if name.startswith("val_") and not math.isnan(value)}
    update_status(run_dir, state="finished", message=why or "finished",
                  epochs_done=epochs_done, test_metrics=test_metrics)
    emit(RunFinished(run_dir, test_metrics, epochs_done, why))
    return RunOutcome("finished", run_dir, epochs_done, test_metrics, message=why,
                      history=read_history(run_dir))


def _inputs(prepared: PreparedRun, on_tf: bool, initial_epoch: int,
            model: Any, replicas: int) -> tuple[Any, Any]:
    """``(train, val)``: tf.data datasets under TensorFlow, else the PyDatasets of
    ``batches.py``; augmented on the host unless ``model`` augments on the device."""
    from cnn_tui.core.augment_place import has_augmenter

    config, dataset = prepared.config, prepared.dataset
    on_host = config.augment.enabled and not has_augmenter(model)
    if on_tf:
        from cnn_tui.core.pipeline import make_train_val_datasets

        augmenter = build_augmenter(config.augment, seed=config.seed) if on_host else None
        return make_train_val_datasets(dataset, config.batch_size, augmenter, config.seed or 0)
    if on_host:  # a run begun under TensorFlow augmenting in tf.data, resumed here
        from cnn_tui.core.errors import ConfigError

        raise ConfigError("this run augments on the host (tf.data), which only the "
                          "tensorflow backend has; resume it with the tensorflow backend.")
    from cnn_tui.core.batches import make_train_val_batches

    return make_train_val_batches(dataset, config.batch_size, config.seed or 0, initial_epoch,
                                  devices=replicas)

