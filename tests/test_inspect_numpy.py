"""Inspection's pure-numpy parts: figures, shifts, top classes, the cache (no TensorFlow)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from cnn_tui.core.inspect import (
    edge_background,
    evaluation_from_probabilities,
    shift_images,
    top_classes,
)
from cnn_tui.core.inspect.cache import CACHE_DIR, read_cached, write_cached
from cnn_tui.core.inspect.shift import shift_toward


def one_hot_like(predicted: list[int], confidence: list[float], k: int) -> np.ndarray:
    """Probabilities whose argmax is ``predicted`` with that ``confidence``."""
    rows = np.full((len(predicted), k), 0.0, dtype=np.float32)
    for row, (p, c) in enumerate(zip(predicted, confidence, strict=True)):
        rows[row] = (1 - c) / (k - 1)
        rows[row, p] = c
    return rows


def test_figures_match_a_hand_computation() -> None:
    # true:      0  0  0  1  1  2  2  2  2   (class 3 never occurs, never predicted)
    # predicted: 0  0  1  1  2  2  2  0  2
    labels = [0, 0, 0, 1, 1, 2, 2, 2, 2]
    predicted = [0, 0, 1, 1, 2, 2, 2, 0, 2]
    confidence = [0.9, 0.8, 0.95, 0.7, 0.6, 0.9, 0.5, 0.99, 0.4]
    evaluation = evaluation_from_probabilities(
        np.array(labels), one_hot_like(predicted, confidence, 4), ("a", "b", "c", "d"))
    assert evaluation.confusion.tolist() == [[2, 1, 0, 0], [0, 1, 1, 0], [1, 0, 3, 0],
                                             [0, 0, 0, 0]]
    assert evaluation.accuracy == pytest.approx(6 / 9)
    a, b, c, d = evaluation.per_class
    assert (a.precision, a.recall, a.f1, a.support) == pytest.approx((2 / 3, 2 / 3, 2 / 3, 3))
    assert (b.precision, b.recall, b.f1, b.support) == pytest.approx((1 / 2, 1 / 2, 1 / 2, 2))
    assert (c.precision, c.recall, c.support) == pytest.approx((3 / 4, 3 / 4, 4))
    assert c.f1 == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))
    # Undefined, not a made-up 0: nothing predicted as d and no image of it.
    assert (d.precision, d.recall, d.f1, d.support) == (None, None, None, 0)
    pairs = [(p.true, p.predicted, p.count) for p in evaluation.confused_pairs]
    assert pairs == [("a", "b", 1), ("b", "c", 1), ("c", "a", 1)]
    assert evaluation.confused_pairs[2].share == pytest.approx(1 / 4)
    # Most confident mistakes first: image 7 (0.99), 2 (0.95), 4 (0.6).
    assert evaluation.mistakes().tolist() == [7, 2, 4]
    assert evaluation.mistakes(limit=1).tolist() == [7]
    assert evaluation.confidence[7] == pytest.approx(0.99)


def test_a_class_never_predicted_has_no_precision_but_an_f1_of_zero() -> None:
    evaluation = evaluation_from_probabilities(
        np.array([0, 1, 1]), one_hot_like([0, 0, 0], [0.9, 0.9, 0.9], 2), ("x", "y"))
    x, y = evaluation.per_class
    assert y.precision is None and y.recall == 0.0 and y.f1 == 0.0
    assert x.precision == pytest.approx(1 / 3) and x.recall == 1.0
    assert evaluation.to_json()["per_class"][1] == {
        "class": "y", "precision": None, "recall": 0.0, "f1": 0.0, "support": 2}


def test_json_has_the_documented_shape() -> None:
    evaluation = evaluation_from_probabilities(
        np.array([0, 1]), one_hot_like([0, 1], [0.6, 0.7], 2), ("cat", "dog"), "test split")
    data = json.loads(json.dumps(evaluation.to_json()))
    assert data["classes"] == ["cat", "dog"] and data["confusion"] == [[1, 0], [0, 1]]
    assert data["accuracy"] == 1.0 and data["split"] == "test split"
    assert [set(row) for row in data["per_class"]] == [
        {"class", "precision", "recall", "f1", "support"}] * 2
    assert data["confused_pairs"] == []


def test_probabilities_that_do_not_fit_are_refused() -> None:
    with pytest.raises(ValueError):
        evaluation_from_probabilities(np.array([0, 1]), np.zeros((2, 3), np.float32), ("a", "b"))
    with pytest.raises(ValueError):
        evaluation_from_probabilities(np.array([0, 5]), np.zeros((2, 2), np.float32), ("a", "b"))


def test_shift_moves_pixels_and_fills_what_it_uncovers() -> None:
    image = np.arange(1, 10, dtype=np.uint8).reshape(1, 3, 3, 1)  # 1 2 3 / 4 5 6 / 7 8 9
    down = shift_images(image, 1, 0, fill=0)[0, ..., 0]
    assert down.tolist() == [[0, 0, 0], [1, 2, 3], [4, 5, 6]]
    left = shift_images(image, 0, -2, fill=7)[0, ..., 0]
    assert left.tolist() == [[3, 7, 7], [6, 7, 7], [9, 7, 7]]
    diagonal = shift_images(image, -1, 1, fill=0)[0, ..., 0]
    assert diagonal.tolist() == [[0, 4, 5], [0, 7, 8], [0, 0, 0]]
    assert shift_images(image, 0, 0).tolist() == image.tolist()
    assert (shift_images(image, 5, 0, fill=9) == 9).all()  # past the frame: only fill
    assert image[0, 0, 0, 0] == 1  # the input is untouched
    assert shift_toward(image, "up", 1)[0, ..., 0].tolist() == [[4, 5, 6], [7, 8, 9], [0, 0, 0]]
    assert shift_toward(image, "right", 1)[0, 0, :, 0].tolist() == [0, 1, 2]


def test_fill_per_image_and_channel() -> None:
    images = np.zeros((2, 2, 2, 3), dtype=np.uint8)
    fill = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    shifted = shift_images(images, 0, 1, fill)
    assert shifted[0, 0, 0].tolist() == [1, 2, 3] and shifted[1, 1, 0].tolist() == [4, 5, 6]
    assert shifted[0, 0, 1].tolist() == [0, 0, 0]


def test_background_is_the_most_common_border_value() -> None:
    images = np.zeros((2, 4, 4, 1), dtype=np.uint8)
    images[0, 1:3, 1:3] = 255  # a bright centre on black: background 0
    images[1] = 200
    images[1, 0, :2] = 10  # two odd border pixels do not change the mode
    images[1, 1:3, 1:3] = 0  # the centre is not border
    assert edge_background(images)[:, 0].tolist() == [0, 200]
    rgb = np.zeros((1, 3, 3, 3), dtype=np.uint8)
    rgb[..., 1] = 50
    assert edge_background(rgb).tolist() == [[0, 50, 0]]


def test_top_classes_most_probable_first() -> None:
    top = top_classes(np.array([0.1, 0.5, 0.05, 0.35]), ("a", "b", "c", "d"))
    assert [(c.name, c.probability) for c in top] == [("b", 0.5), ("d", 0.35), ("a", 0.1)]
    assert len(top_classes(np.array([0.4, 0.6]), ("a", "b"))) == 2


def test_cache_returns_only_for_the_same_key(tmp_path: Path) -> None:
    key = {"model": {"sha256": "abc"}, "data": {"seed": 1, "size": (2, 2)}}
    arrays = {"labels": np.array([1, 2]), "probabilities": np.eye(2, dtype=np.float32)}
    assert write_cached(tmp_path, "evaluation", key, {"split": "x"}, arrays)
    result, stored = read_cached(tmp_path, "evaluation", key, with_arrays=True)
    assert result == {"split": "x"} and stored["labels"].tolist() == [1, 2]
    assert read_cached(tmp_path, "evaluation", {**key, "model": {"sha256": "abd"}}) is None
    # A damaged npz (or one from another write) is a miss, never an error.
    npz = tmp_path / CACHE_DIR / "evaluation.npz"
    npz.write_bytes(npz.read_bytes()[:-10])
    assert read_cached(tmp_path, "evaluation", key, with_arrays=True) is None
    # A compressed npz (not what the cache writes; it could be a bomb) whose hash fits.
    compressed = tmp_path / "compressed.npz"
    np.savez_compressed(compressed, **arrays)
    npz.write_bytes(compressed.read_bytes())
    entry = json.loads((tmp_path / CACHE_DIR / "evaluation.json").read_text())
    entry["npz_sha256"] = hashlib.sha256(npz.read_bytes()).hexdigest()
    (tmp_path / CACHE_DIR / "evaluation.json").write_text(json.dumps(entry))
    assert read_cached(tmp_path, "evaluation", key) is not None  # the JSON alone is fine
    assert read_cached(tmp_path, "evaluation", key, with_arrays=True) is None
    (tmp_path / CACHE_DIR / "evaluation.json").write_text("[" * 100_000)
    assert read_cached(tmp_path, "evaluation", key) is None


def test_a_run_folder_that_cannot_be_written_is_inspected_without_a_cache(tmp_path: Path
                                                                         ) -> None:
    (tmp_path / CACHE_DIR).write_text("a file where the cache folder goes")
    assert write_cached(tmp_path, "evaluation", {}, {}, None) is False
    assert read_cached(tmp_path, "evaluation", {}) is None
