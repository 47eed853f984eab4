"""The tf.data input pipeline: uint8 arrays in, scaled float batches out.

The dataset stays uint8 in memory; each batch is gathered by index, scaled
to float32 in [0, 1], one-hot encoded for categorical cross-entropy and (for
training only) augmented, in parallel and ahead of the model (prefetch).
Only the source arrays are placed, in host memory: on a GPU machine the
model runs on the GPU while this pipeline feeds it from the CPU.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cnn_tui.core.tf_setup import import_tensorflow

if TYPE_CHECKING:
    from cnn_tui.core.datasets import Dataset

TFDataset = Any
"""A ``tf.data.Dataset`` (TensorFlow ships no type information)."""


def make_train_val_datasets(
    dataset: Dataset, batch_size: int, augmenter: Any = None, seed: int = 0
) -> tuple[TFDataset, TFDataset]:
    """``(train_ds, val_ds)`` yielding ``(images float32 [0,1], one-hot labels)`` batches.

    ``train_ds`` is reshuffled every epoch (seeded) and passes through
    ``augmenter`` (a Keras layer/model or ``None``); ``val_ds`` is neither
    shuffled nor augmented.
    """
    tf = import_tensorflow()
    num_classes = dataset.info.num_classes
    autotune = tf.data.AUTOTUNE

    def batches(x: Any, y: Any, *, shuffle: bool) -> TFDataset:
        # One tensor of the uint8 images; batches gather rows from it by index,
        # which is much cheaper than shuffling and batching single images.
        # tf.data runs on the host: keep the arrays in host memory even when a
        # GPU is the default device (the model still trains on the GPU).
        with tf.device("/CPU:0"):
            images = tf.constant(x)
            labels = tf.constant(y.astype("int64"))
        indices = tf.data.Dataset.range(len(x))
        if shuffle:
            indices = indices.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)

        def gather(index: Any) -> tuple[Any, Any]:
            batch_x = tf.cast(tf.gather(images, index), tf.float32) / 255.0
            batch_y = tf.one_hot(tf.gather(labels, index), num_classes)
            return batch_x, batch_y

        return indices.batch(batch_size).map(gather, num_parallel_calls=autotune)

    train = batches(dataset.x_train, dataset.y_train, shuffle=True)
    if augmenter is not None:
        train = train.map(
            lambda x, y: (augmenter(x, training=True), y), num_parallel_calls=autotune
        )
    val = batches(dataset.x_val, dataset.y_val, shuffle=False)
    return train.prefetch(autotune), val.prefetch(autotune)


def steps_per_epoch(n_images: int, batch_size: int) -> int:
    """Batches in one pass over ``n_images`` (the last one may be short)."""
    return max(1, -(-n_images // batch_size))
