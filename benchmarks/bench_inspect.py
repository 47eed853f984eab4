"""Inspection's speed: a whole split's evaluation, and the feature maps of one image.

* ``inspect_vs_evaluate``: images/s of the Inspect tab's evaluation
  (``predict_probabilities`` through its tf.data pipeline, then every figure
  of ``evaluation_from_probabilities``) over ``model.evaluate``'s through
  training's validation pipeline (``make_train_val_datasets``), on the same
  images, model and batch size. Each side runs once untimed first (tracing),
  then the sides alternate; the figure is the median of the per-round ratios.
* ``feature_maps_s``: seconds for ``FeatureExtractor.inside`` (every
  convolution's and pooling's maps and the probabilities of one image), once
  the extractor is built for the loaded model: the median over many images;
  the first call and the 95th percentile are in the detail.

The model is the benchmark's ``--model`` built fresh (untrained weights cost
the same time as trained ones); the images are the first ``--inspect-images``
of the data's test split.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench_common import Ratio, Results, Throughput, median_ratio, percentile, run_rounds, say

INSPECT_SIDE = "inspect evaluation (predict + figures)"
EVALUATE_SIDE = "model.evaluate (validation pipeline)"
FEATURE_MAP_CALLS = 50


def build_model(name: str, input_shape: tuple[int, int, int], classes: int, seed: int) -> Any:
    import keras

    from cnn_tui.core.keras_model import build_keras_model
    from cnn_tui.core.spec import load_spec

    keras.utils.set_random_seed(seed)
    model = build_keras_model(load_spec(name), input_shape, classes)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def timed(run: Any, images: int) -> Throughput:
    """Images/s (wall and process CPU) of one call of ``run``."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Throughput(images / wall, images / cpu if cpu > 0 else None)


def run_inspect_bench(results: Results, data: Path, model_name: str, limit: int, seed: int,
                      batch_size: int, rounds: int, n_images: int) -> None:
    from cnn_tui.core.datasets import load_dataset
    from cnn_tui.core.inspect import FeatureExtractor, evaluation_from_probabilities
    from cnn_tui.core.inspect.predict import predict_probabilities
    from cnn_tui.core.pipeline import make_train_val_datasets

    dataset = load_dataset(data, limit=limit, seed=seed)
    dataset = replace(dataset, x_val=dataset.x_val[:n_images], y_val=dataset.y_val[:n_images])
    images, labels, info = dataset.x_val, dataset.y_val, dataset.info
    model = build_model(model_name, info.input_shape, info.num_classes, seed)
    _, validation = make_train_val_datasets(dataset, batch_size, None, seed)
    say(f"inspection: {model_name}, {len(images)} images of the test split, batch {batch_size}")

    def inspect() -> None:
        probabilities = predict_probabilities(model, images, batch_size)
        evaluation_from_probabilities(labels, probabilities, info.class_names)

    def evaluate() -> None:
        model.evaluate(validation, verbose=0)

    inspect()  # untimed: traces predict and fills the pipeline
    evaluate()
    run_rounds(results, {INSPECT_SIDE: lambda: timed(inspect, len(images)),
                         EVALUATE_SIDE: lambda: timed(evaluate, len(images))}, rounds)
    median_ratio(results, "inspect_vs_evaluate", INSPECT_SIDE, EVALUATE_SIDE, ">= 0.9")

    started = time.perf_counter()
    extractor = FeatureExtractor(model)
    built = time.perf_counter() - started
    seconds = []
    for index in range(FEATURE_MAP_CALLS + 1):
        started = time.perf_counter()
        extractor.inside(images[index % len(images)])
        seconds.append(time.perf_counter() - started)
    first, steady = seconds[0], seconds[1:]
    say(f"  feature maps of one image ({len(extractor.layers)} layers): first call "
        f"{first:.3f} s, then median {statistics.median(steady):.4f} s "
        f"(extractor built in {built:.3f} s)")
    results.ratios.append(Ratio(
        "feature_maps_s", statistics.median(steady), "< 0.3",
        f"{len(steady)} images; first call {first:.3f} s; p95 {percentile(steady, 95):.4f} s; "
        f"extractor built in {built:.3f} s", "{:.4f}"))
