"""An evaluation from labels and predicted probabilities: pure numpy, no Keras.

Figures that divide by zero are ``None`` ("undefined") rather than a made-up
0 or 1: precision when nothing was predicted as the class, recall when the
split holds no image of it. F1 is ``2·TP / (2·TP + FP + FN)``, which equals
the harmonic mean of precision and recall wherever both exist and stays
defined (0) when only one does; it is ``None`` only for a class that
neither occurs nor is predicted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

CONFUSED_PAIRS_SHOWN = 10


@dataclass(frozen=True)
class ClassFigures:
    """One class's figures over the split."""

    name: str
    precision: float | None
    """Of the images predicted as this class, the share that are; None if none were."""
    recall: float | None
    """Of this class's images, the share predicted as it; None if the split has none."""
    f1: float | None
    support: int
    """This class's images in the split."""


@dataclass(frozen=True)
class ConfusedPair:
    """Images of class ``true`` predicted as ``predicted`` (an off-diagonal cell)."""

    true: str
    predicted: str
    count: int
    share: float
    """``count`` over the true class's images."""


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A model's predictions over a split, and the figures made from them."""

    classes: tuple[str, ...]
    split: str
    """Which images: ``test split`` or ``10% held out of train``."""
    labels: np.ndarray
    """int64 (N,) true classes."""
    probabilities: np.ndarray
    """float32 (N, K) the model's output for each image."""
    predicted: np.ndarray
    """int64 (N,) the most probable class (the lower index on a tie)."""
    confidence: np.ndarray
    """float32 (N,) the probability of the predicted class."""
    confusion: np.ndarray
    """int64 (K, K): rows are true classes, columns predicted ones."""
    accuracy: float
    per_class: tuple[ClassFigures, ...]
    confused_pairs: tuple[ConfusedPair, ...]
    """The most frequent mistakes, most first (at most ``CONFUSED_PAIRS_SHOWN``)."""

    def mistakes(self, limit: int | None = None) -> np.ndarray:
        """Indices of the misclassified images, the most confident mistakes first."""
        wrong = np.flatnonzero(self.predicted != self.labels)
        order = np.lexsort((wrong, -self.confidence[wrong].astype(np.float64)))
        return wrong[order][:limit]

    def to_json(self) -> dict[str, Any]:
        """What ``cnn-tui inspect --json`` prints (and ``inspect/evaluation.json`` holds)."""
        return {
            "split": self.split,
            "n_images": int(len(self.labels)),
            "classes": list(self.classes),
            "confusion": self.confusion.tolist(),
            "accuracy": self.accuracy,
            "per_class": [{"class": f.name, "precision": f.precision, "recall": f.recall,
                           "f1": f.f1, "support": f.support} for f in self.per_class],
            "confused_pairs": [{"true": p.true, "predicted": p.predicted, "count": p.count,
                                "share": p.share} for p in self.confused_pairs],
        }


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """int64 (K, K) counts, rows true and columns predicted."""
    cells = labels.astype(np.int64) * num_classes + predicted.astype(np.int64)
    counts = np.bincount(cells, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(np.int64)


def class_figures(confusion: np.ndarray, names: Sequence[str]) -> tuple[ClassFigures, ...]:
    """Precision, recall, F1 and support per class, from a confusion matrix."""
    true_positive = np.diag(confusion)
    support = confusion.sum(axis=1)
    predicted = confusion.sum(axis=0)
    figures = []
    for index, name in enumerate(names):
        tp, sup, pred = int(true_positive[index]), int(support[index]), int(predicted[index])
        f1_denominator = sup + pred  # 2TP + FP + FN
        figures.append(ClassFigures(
            name,
            precision=tp / pred if pred else None,
            recall=tp / sup if sup else None,
            f1=2 * tp / f1_denominator if f1_denominator else None,
            support=sup,
        ))
    return tuple(figures)


def most_confused(confusion: np.ndarray, names: Sequence[str],
                  limit: int = CONFUSED_PAIRS_SHOWN) -> tuple[ConfusedPair, ...]:
    """The largest off-diagonal cells, largest first (ties: row, then column order)."""
    off = confusion.copy()
    np.fill_diagonal(off, 0)
    rows, columns = np.nonzero(off)
    counts = off[rows, columns]
    order = np.lexsort((columns, rows, -counts))[:limit]
    support = confusion.sum(axis=1)
    return tuple(ConfusedPair(names[rows[i]], names[columns[i]], int(counts[i]),
                              float(counts[i] / support[rows[i]])) for i in order)


def evaluation_from_probabilities(labels: np.ndarray, probabilities: np.ndarray,
                                  classes: Sequence[str], split: str = "") -> Evaluation:
    """Every figure of an evaluation from the true labels and the model's outputs."""
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    probabilities = np.asarray(probabilities, dtype=np.float32)
    k = len(classes)
    if probabilities.shape != (len(labels), k):
        raise ValueError(f"probabilities {probabilities.shape} do not fit {len(labels)} labels "
                         f"of {k} classes")
    if len(labels) and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"labels outside 0..{k - 1}")
    predicted = probabilities.argmax(axis=1).astype(np.int64) if len(labels) else labels.copy()
    confidence = probabilities[np.arange(len(labels)), predicted]
    confusion = confusion_matrix(labels, predicted, k)
    accuracy = float(np.trace(confusion) / len(labels)) if len(labels) else 0.0
    return Evaluation(tuple(classes), split, labels, probabilities, predicted, confidence,
                      confusion, accuracy, class_figures(confusion, classes),
                      most_confused(confusion, classes))
