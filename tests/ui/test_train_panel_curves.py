"""The curve data behind the Train tab: epoch points, the running trail, best epoch, gap."""

from __future__ import annotations

import pytest

from cnn_tui.core.time_format import format_duration
from cnn_tui.ui.widgets.curves import RunCurves


def test_running_trail_follows_the_epoch_points_and_is_cleared_by_the_epoch() -> None:
    curves = RunCurves()
    curves.set_running(1, 2, 8, {"loss": 2.0, "accuracy": 0.3})
    curves.set_running(1, 6, 8, {"loss": 1.5, "accuracy": 0.5})
    train, val = curves.series("loss")
    assert (train.xs, train.ys) == ([0.25, 0.75], [2.0, 1.5])
    assert val.xs == []
    assert curves.running_x == 0.75

    curves.add_epoch(1, {"loss": 1.4, "accuracy": 0.55, "val_loss": 1.2, "val_accuracy": 0.6})
    assert curves.running_x is None
    curves.set_running(2, 4, 8, {"loss": 1.0, "accuracy": 0.7})
    train, val = curves.series("accuracy")
    assert (train.xs, train.ys) == ([1.0, 1.5], [0.55, 0.7])
    assert (val.xs, val.ys) == ([1.0], [0.6])


def test_best_epoch_and_the_train_val_gap() -> None:
    curves = RunCurves()
    assert curves.best_epoch() is None and curves.gap() is None
    for epoch, (acc, val_acc) in enumerate([(0.6, 0.62), (0.8, 0.75), (0.95, 0.72)], start=1):
        curves.add_epoch(epoch, {"accuracy": acc, "val_accuracy": val_acc,
                                 "loss": 1 / epoch, "val_loss": 1 / epoch})
    assert curves.best_epoch() == 2  # highest validation accuracy, not the last epoch
    assert curves.gap() == pytest.approx(0.95 - 0.72)


def test_best_epoch_falls_back_to_the_lowest_validation_loss() -> None:
    curves = RunCurves()
    for epoch, val_loss in enumerate([0.9, 0.4, 0.5], start=1):
        curves.add_epoch(epoch, {"loss": 1.0, "val_loss": val_loss})
    assert curves.best_epoch() == 2


@pytest.mark.parametrize(("seconds", "text"), [(0.4, "0s"), (59, "59s"), (185, "3m05s"),
                                               (3720, "1h02m")])
def test_durations_are_short(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
