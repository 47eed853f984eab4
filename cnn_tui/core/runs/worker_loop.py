"""Training on several machines: a custom step under ``MultiWorkerMirroredStrategy``.

With Keras 3.15 and TensorFlow 2.21, ``model.fit`` under this strategy fails
on two workers ("Attempt to convert a value (PerReplica...) to a Tensor",
keras-team/keras#20585), while the strategy's own ``run`` and ``reduce``
around a Keras model and optimizer train. So this loop replaces ``fit`` and
drives the run's callbacks itself (``CallbackList``): the same history rows,
checkpoints, progress events and monitors as a one-machine run.

Every worker must run exactly the same collectives, or the others wait for
ever. So each step all-reduces, with its image count, whether any worker
wants to stop (a signal or a stop-request file), and all stop after that
same step; at each epoch's end the workers also take the chief's decision of
its early stopping and the chief's learning rate (reduce-on-plateau). A NaN
loss is the all-reduced loss, the same on every worker, so all fail at the
same step. The callbacks run synchronously for the same reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cnn_tui.core.runs.callbacks import StopRequested
from cnn_tui.core.runs.cluster import Cluster
from cnn_tui.core.runs.cluster_join import from_chief, gather_rows
from cnn_tui.core.runs.control import StopSignal
from cnn_tui.core.runs.rendezvous import ClusterError


def share_chiefs_model(strategy: Any, cluster: Cluster, model: Any, loaded: Any = None) -> None:
    """Every worker gets the chief's weights and optimizer state.

    ``loaded``: the chief's checkpoint (a resume), whose values the chief sends.
    """
    optimizer = model.optimizer
    with strategy.scope():
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
    variables = [*model.weights, *optimizer.variables]
    if loaded is not None:
        saved = [*loaded.weights, *loaded.optimizer.variables]
        if [tuple(v.shape) for v in saved] != [tuple(v.shape) for v in variables]:
            raise ClusterError("the checkpoint does not fit the model its run's spec builds; "
                               "this run cannot be resumed on a cluster.")
        for variable, value in zip(variables, saved, strict=True):
            variable.assign(value.numpy())
    shapes = [(tuple(v.shape), str(v.dtype)) for v in variables]
    layout = gather_rows(strategy, cluster, [float(len(variables))])
    if len(set(layout[:, 0].tolist())) != 1:
        raise ClusterError("the workers built different models (the chief's has "
                           f"{int(layout[0, 0])} variables, this one {len(variables)}); "
                           "start every worker with the same --model.")
    values = from_chief(strategy, [v.numpy() for v in variables])
    for variable, value, (shape, _) in zip(variables, values, shapes, strict=True):
        variable.assign(value.reshape(shape))


def train_on_cluster(*, strategy: Any, cluster: Cluster, model: Any, train_ds: Any,
                     val_ds: Any, callbacks: Sequence[Any], epochs: int, initial_epoch: int,
                     steps: int, stop: StopSignal) -> None:
    """Train epochs ``initial_epoch``..``epochs - 1``; raises StopRequested on an agreed stop."""
    import keras
    import tensorflow as tf

    options = tf.data.Options()
    # Every worker builds the same batches (same seed); each takes its share of
    # every global batch. Files are no unit here: the arrays are in memory.
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    train = strategy.experimental_distribute_dataset(train_ds.with_options(options))
    val = strategy.experimental_distribute_dataset(val_ds.with_options(options))
    optimizer = model.optimizer
    sum_ = tf.distribute.ReduceOp.SUM

    def measured(x: Any, y: Any, training: bool) -> tuple[Any, Any, Any]:
        predicted = model(x, training=training)
        per_image = keras.losses.categorical_crossentropy(y, predicted)
        hits = tf.cast(tf.equal(tf.argmax(predicted, -1), tf.argmax(y, -1)), tf.float32)
        return per_image, tf.reduce_sum(per_image), tf.reduce_sum(hits)

    def replica_step(x: Any, y: Any, wants_stop: Any) -> Any:
        context = tf.distribute.get_replica_context()
        # One collective tells the global batch's size (the last one is short)
        # and whether anyone wants to stop.
        count, stops = tf.unstack(context.all_reduce(
            sum_, tf.stack([tf.cast(tf.shape(x)[0], tf.float32), wants_stop])))
        with tf.GradientTape() as tape:
            per_image, loss_sum, hits = measured(x, y, True)
            # The optimizer sums the replicas' gradients: each replica's share of the mean.
            loss = tf.reduce_sum(per_image) / tf.maximum(count, 1.0)
            if model.losses:
                loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
        # Keras's LossScaleOptimizer (mixed_float16) scales the loss here and
        # unscales the gradients in apply; any other optimizer leaves it as it is.
        gradients = tape.gradient(optimizer.scale_loss(loss), model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        local = tf.cast(tf.shape(x)[0], tf.float32)
        return tf.stack([loss_sum, hits, local, stops / tf.cast(
            strategy.num_replicas_in_sync, tf.float32)])

    def train_step_eager(x: Any, y: Any, wants_stop: Any) -> Any:
        return strategy.reduce(sum_, strategy.run(replica_step, args=(x, y, wants_stop)),
                               axis=None)

    def replica_val(x: Any, y: Any) -> Any:
        _, loss_sum, hits = measured(x, y, False)
        return tf.stack([loss_sum, hits, tf.cast(tf.shape(x)[0], tf.float32)])

    def val_step_eager(x: Any, y: Any) -> Any:
        return strategy.reduce(sum_, strategy.run(replica_val, args=(x, y)), axis=None)

    # One graph each (the short last batch may add one more trace).
    train_step = tf.function(train_step_eager, reduce_retracing=True)
    val_step = tf.function(val_step_eager, reduce_retracing=True)

    hooks = keras.callbacks.CallbackList(list(callbacks), model=model, epochs=epochs,
                                         steps=steps, verbose=0)
    # Keras runs async-safe batch hooks on a thread pool, where an error (a NaN
    # loss) surfaces a step or two later: each worker could fail at another
    # step, leaving the others in a collective. Here every hook runs in line.
    hooks._async_train = hooks._async_test = False
    hooks.on_train_begin()
    try:
        _epochs(strategy, cluster, model, train, val, hooks, train_step, val_step,
                range(initial_epoch, epochs), stop)
    except (tf.errors.UnavailableError, tf.errors.DeadlineExceededError,
            tf.errors.AbortedError) as error:
        raise ClusterError(lost_worker(str(error), cluster)) from error
    hooks.on_train_end()  # early stopping restores the best weights here


def lost_worker(text: str, cluster: Cluster) -> str:
    """What to say when TensorFlow reports that a worker stopped answering mid-run."""
    import re

    # TensorFlow names this worker's own device too: the lost one is another.
    tasks = [int(n) for n in re.findall(r"/job:worker/(?:replica:\d+/)?task:(\d+)", text)]
    lost = [n for n in tasks if n != cluster.index and n < cluster.size]
    who = f"worker {lost[0]} at {cluster.workers[lost[0]]}" if lost else "a worker"
    return (f"{who} stopped answering during training (it was killed, crashed or lost the "
            "network); the chief's last checkpoint stands: start every worker again, the "
            "chief with cnn-tui train --resume RUN_DIR.")


def _epochs(strategy: Any, cluster: Cluster, model: Any, train: Any, val: Any, hooks: Any,
            train_step: Any, val_step: Any, epochs: range, stop: StopSignal) -> None:
    import tensorflow as tf

    optimizer = model.optimizer
    for epoch in epochs:
        hooks.on_epoch_begin(epoch)
        totals = [0.0, 0.0, 0.0]
        for step, (x, y) in enumerate(train):
            out = train_step(x, y, tf.constant(1.0 if stop.is_set() else 0.0)).numpy()
            if out[3] > 0:
                _say_who_stopped(stop)
                raise StopRequested  # every worker, after this same step
            totals = [a + float(b) for a, b in zip(totals, out[:3], strict=True)]
            hooks.on_train_batch_end(step, _logs(totals))
        logs = _logs(totals)
        val_totals = [0.0, 0.0, 0.0]
        for x, y in val:
            out = val_step(x, y).numpy()
            val_totals = [a + float(b) for a, b in zip(val_totals, out, strict=True)]
        logs.update({f"val_{name}": value for name, value in _logs(val_totals).items()})
        # A stop asked for during validation abandons the epoch, as with fit.
        if _agreed_stop(strategy, cluster, stop, False, None)[0]:
            raise StopRequested
        hooks.on_epoch_end(epoch, logs)
        asked, early, rate = _agreed_stop(strategy, cluster, stop, model.stop_training,
                                          _rate_of(optimizer))
        if rate is not None:
            optimizer.learning_rate = rate
        if asked or early:
            model.stop_training = True
            break


def _say_who_stopped(stop: StopSignal) -> None:
    """A stop that another worker asked for is recorded as such (the CLI's ``StopRequest``)."""
    request = getattr(stop.event, "request", None)
    if request is not None and not stop.event.is_set():
        request("another worker stopped")


def _agreed_stop(strategy: Any, cluster: Cluster, stop: StopSignal, early: bool,
                 rate: float | None) -> tuple[bool, bool, float | None]:
    """Whether any worker was asked to stop, whether the chief's early stopping ends the
    run, and the chief's learning rate."""
    rows = gather_rows(strategy, cluster, [float(stop.is_set()), float(early), rate or 0.0])
    asked = bool(rows[:, 0].max() > 0)
    if asked:
        _say_who_stopped(stop)
    return asked, bool(rows[0, 1] > 0), (float(rows[0, 2]) if rate is not None else None)


def _rate_of(optimizer: Any) -> float | None:
    """The optimizer's constant rate (a variable plateau may lower); None for a schedule."""
    import keras

    if isinstance(optimizer._learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        return None
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


def _logs(totals: Sequence[float]) -> dict[str, float]:
    loss, hits, count = totals
    return {"loss": loss / max(count, 1.0), "accuracy": hits / max(count, 1.0)}
