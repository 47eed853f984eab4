"""Inspection with Keras models whose predictions are known (``inspect_runs.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cnn_tui.core.inspect import (
    FeatureExtractor,
    InspectError,
    cached_evaluation,
    cached_probe,
    evaluate_run,
    first_filters,
    load_model,
    load_run,
    open_run,
    predict_probabilities,
    probe_run,
    read_image_file,
    top_classes,
)
from cnn_tui.core.runs.checkpoint import save_model
from cnn_tui.core.runs.rundir import CHECKPOINT_FILE, MODEL_FILE
from tests.dataset_files import write_png
from tests.inspect_runs import column_model, confidence, write_dataset, write_run

# (row, column, brightness) and label; column_model predicts column % 3.
EVAL_IMAGES = [
    ((1, 1, 255), 1),  # right
    ((1, 2, 255), 2),  # right
    ((2, 1, 128), 1),  # right
    ((2, 2, 255), 0),  # predicted 2: the most confident mistake
    ((1, 1, 60), 2),  # predicted 1: a less confident mistake
    ((1, 0, 255), 0),  # right
    ((2, 3, 255), 0),  # right (column 3 is class 0)
    ((2, 2, 200), 2),  # right
]


@pytest.fixture(scope="module")
def eval_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("inspect")
    data = write_dataset(root / "spots", [s for s, _ in EVAL_IMAGES], [y for _, y in EVAL_IMAGES])
    return write_run(root / "runs", "column", data, column_model())


def test_evaluation_matches_the_hand_computation(eval_run: Path) -> None:
    evaluation = evaluate_run(load_run(eval_run), use_cache=False)
    assert evaluation.classes == ("0", "1", "2") and evaluation.split == "test split"
    assert evaluation.confusion.tolist() == [[2, 0, 1], [0, 2, 0], [0, 1, 2]]
    assert evaluation.accuracy == pytest.approx(6 / 8)
    figures = [(f.precision, f.recall, f.f1, f.support) for f in evaluation.per_class]
    assert figures[0] == pytest.approx((1.0, 2 / 3, 0.8, 3))
    assert figures[1] == pytest.approx((2 / 3, 1.0, 0.8, 2))
    assert figures[2] == pytest.approx((2 / 3, 2 / 3, 2 / 3, 3))
    assert [(p.true, p.predicted, p.count) for p in evaluation.confused_pairs] == [
        ("0", "2", 1), ("2", "1", 1)]
    assert evaluation.mistakes().tolist() == [3, 4]
    assert evaluation.confidence[3] == pytest.approx(confidence(255), abs=1e-6)
    assert evaluation.confidence[4] == pytest.approx(confidence(60), abs=1e-6)


def test_the_evaluation_is_cached_until_the_model_file_changes(
        eval_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cnn_tui.core.inspect import evaluate as evaluate_module

    loaded = load_run(eval_run)
    first = evaluate_run(loaded)
    assert (eval_run / "inspect" / "evaluation.json").is_file()

    def no_predictions(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a cached evaluation must not predict again")

    with monkeypatch.context() as patch:
        patch.setattr(evaluate_module, "predict_probabilities", no_predictions)
        again = evaluate_run(loaded)
        cached = cached_evaluation(open_run(eval_run))
    assert cached is not None
    for evaluation in (again, cached):
        assert evaluation.confusion.tolist() == first.confusion.tolist()
        assert np.array_equal(evaluation.probabilities, first.probabilities)

    # Another model saved in its place (as a resumed run does): the cache is stale.
    original = (eval_run / MODEL_FILE).read_bytes()
    try:
        save_model(column_model(scale=-10.0), eval_run / MODEL_FILE,
                   {"epochs_done": 2, "history": [], "complete": True})
        assert cached_evaluation(open_run(eval_run)) is None
        changed = evaluate_run(load_run(eval_run))
        assert changed.confusion.tolist() != first.confusion.tolist()
    finally:
        (eval_run / MODEL_FILE).write_bytes(original)
    assert cached_evaluation(open_run(eval_run)) is None  # the cache now holds the other's


def test_the_probe_matches_the_hand_computation(tmp_path: Path) -> None:
    # Lit pixels inside the frame, labelled by their column: right when unshifted and when
    # moved up or down; moved left or right, the column changes and every image is wrong.
    spots = [(1, 1, 255), (1, 2, 255), (2, 1, 200), (2, 2, 200)]
    data = write_dataset(tmp_path / "spots", spots, [1, 2, 1, 2])
    run = write_run(tmp_path / "runs", "probe", data, column_model())
    loaded = load_run(run)
    result = probe_run(loaded)  # default k: a quarter of 4 pixels
    assert result.shifts == (0, 1) and result.n_images == 4
    assert result.by_direction == ((1.0,) * 4, (1.0, 1.0, 0.0, 0.0))
    assert result.accuracy == (1.0, 0.5)
    assert cached_probe(open_run(run)) == result
    with pytest.raises(InspectError, match="from 0 to 1 pixels"):
        probe_run(loaded, max_shift=2)
    assert probe_run(loaded, max_shift=0).accuracy == (1.0,)


def test_predict_converts_image_files_to_the_models_input(eval_run: Path, tmp_path: Path
                                                          ) -> None:
    run = open_run(eval_run)
    grey = np.zeros((4, 4, 1), dtype=np.uint8)
    grey[1, 2] = 255
    write_png(tmp_path / "grey.png", grey)
    rgb = np.zeros((4, 4, 3), dtype=np.uint8)
    rgb[2, 1] = 255  # white in colour: grey 255 once converted
    write_png(tmp_path / "rgb.png", rgb)
    large = np.zeros((16, 16, 1), dtype=np.uint8)
    large[4:8, 12:16] = 255  # column 3 once shrunk to 4x4
    write_png(tmp_path / "large.png", large)
    images = np.stack([read_image_file(tmp_path / name, run.input_shape)
                       for name in ("grey.png", "rgb.png", "large.png")])
    assert images.shape == (3, 4, 4, 1) and images[1, 2, 1, 0] == 255
    probabilities = predict_probabilities(load_model(run).model, images)
    tops = [top_classes(p, run.class_names) for p in probabilities]
    assert [top[0].name for top in tops] == ["2", "1", "0"]  # columns 2, 1, 3
    assert tops[0][0].probability == pytest.approx(confidence(255), abs=1e-6)
    assert all(len(top) == 3 and top[0].probability >= top[1].probability >= top[2].probability
               for top in tops)


def test_images_that_cannot_be_converted_say_why(tmp_path: Path) -> None:
    (tmp_path / "noise.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    noise = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    write_png(tmp_path / "whole.png", noise)
    whole = (tmp_path / "whole.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(whole[: len(whole) // 2])
    for name, words in [("missing.png", "does not exist"), ("noise.png", "cannot be read"),
                        ("cut.png", "cannot be read"), (".", "not a file")]:
        with pytest.raises(InspectError, match=words):
            read_image_file(tmp_path / name, (4, 4, 1))


def test_feature_maps_and_filters_of_one_image(tmp_path: Path) -> None:
    import keras

    model = keras.Sequential([
        keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3, padding="same", name="conv"),
        keras.layers.MaxPooling2D(2, name="pool"), keras.layers.Flatten(),
        keras.layers.Dense(3, activation="softmax", name="out")])
    extractor = FeatureExtractor(model)
    assert extractor.layers == (("conv", "Conv2D"), ("pool", "MaxPooling2D"))
    image = np.random.default_rng(0).integers(0, 256, (8, 8, 1), dtype=np.uint8)
    inside = extractor.inside(image)
    assert [(m.layer, m.shape) for m in inside.maps] == [("conv", (8, 8, 2)), ("pool", (4, 4, 2))]
    batch = image[np.newaxis].astype("float32") / 255
    conv_only = keras.Model(model.inputs[0], model.get_layer("conv").output)
    np.testing.assert_allclose(inside.maps[0].values, np.asarray(conv_only(batch))[0], atol=1e-6)
    np.testing.assert_allclose(inside.probabilities, np.asarray(model(batch))[0], atol=1e-6)
    shown = inside.maps[1].channel_for_display(0)
    assert shown.shape == (4, 4) and shown.min() == 0.0 and shown.max() == 1.0

    filters = first_filters(model)
    assert filters is not None and filters.layer == "conv" and filters.weights.shape == (2, 3, 3, 1)
    kernel = np.asarray(model.get_layer("conv").kernel)
    np.testing.assert_allclose(filters.weights[1, ..., 0], kernel[..., 0, 1])
    assert all(f.min() == 0.0 and f.max() == 1.0 for f in filters.display)
    assert first_filters(column_model()) is None
    with pytest.raises(InspectError, match="does not fit"):
        extractor.inside(np.zeros((4, 4, 1), dtype=np.uint8))


def test_runs_that_cannot_be_inspected_say_why(eval_run: Path, tmp_path: Path) -> None:
    with pytest.raises(InspectError, match="not a run directory"):
        open_run(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(eval_run, copy)
    shutil.rmtree(copy / "inspect", ignore_errors=True)
    (copy / MODEL_FILE).unlink()
    # A run that has only epoch 0's checkpoint holds untrained weights: nothing to inspect.
    save_model(column_model(), copy / CHECKPOINT_FILE, {"epochs_done": 0, "history": []})
    with pytest.raises(InspectError, match="no saved model yet"):
        open_run(copy)
    save_model(column_model(), copy / CHECKPOINT_FILE, {"epochs_done": 1, "history": []})
    assert open_run(copy).model_path.name == CHECKPOINT_FILE  # a stopped or running run's

    (copy / CHECKPOINT_FILE).write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InspectError, match="damaged"):
        load_model(open_run(copy))


def test_safe_mode_refuses_a_model_that_carries_code(eval_run: Path, tmp_path: Path) -> None:
    import keras

    copy = tmp_path / "lambda"
    shutil.copytree(eval_run, copy)
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                              keras.layers.Lambda(lambda x: x[:, :3] * 2)])
    model.save(copy / MODEL_FILE)
    with pytest.raises(InspectError, match="cannot be loaded"):
        load_model(open_run(copy))


def test_a_dataset_that_went_away_is_one_clear_error(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "spots", [(1, 1, 255), (1, 2, 255)], [1, 2])
    run = write_run(tmp_path / "runs", "gone", data, column_model())
    shutil.rmtree(data)
    with pytest.raises(InspectError, match="can no longer be read"):
        load_run(run)
