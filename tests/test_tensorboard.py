"""``--tensorboard yes``: Keras's TensorBoard callback writes into the run's folder.

Read back with TensorBoard's own event reader, the logs hold each epoch's
metrics exactly as history.csv has them, on the epoch's index, and a resumed
run goes on from the epoch it stopped at rather than starting again at 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cnn_tui.core.runs.history import read_history
from cnn_tui.core.runs.rundir import TENSORBOARD_DIR
from tests.tiny_runs import load_tiny_mnist, resume, train

pytestmark = pytest.mark.tf_only("Keras's TensorBoard callback writes through tf.summary")


@pytest.fixture(scope="module")
def tiny() -> Any:
    return load_tiny_mnist()


def _scalars(folder: Path) -> dict[str, dict[int, float]]:
    """Tag -> step -> value of every scalar in the event files under ``folder``."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.util import tensor_util

    values: dict[str, dict[int, float]] = {}
    for events in sorted(p for p in folder.iterdir() if p.name.startswith("events.")):
        reader = EventAccumulator(str(events))
        reader.Reload()
        for tag in reader.Tags()["tensors"]:
            for event in reader.Tensors(tag):
                array = tensor_util.make_ndarray(event.tensor_proto)
                if array.ndim == 0 and array.dtype.kind == "f":
                    values.setdefault(tag, {})[event.step] = float(array)
    return values


def test_the_logs_hold_each_epochs_metrics_and_a_resume_goes_on(tmp_path: Path,
                                                               tiny: Any) -> None:
    outcome = train(tmp_path, tiny, epochs=3, stop_after=2, tensorboard="yes")
    assert outcome.state == "stopped" and outcome.run_dir is not None
    run_dir = outcome.run_dir
    assert resume(run_dir, tiny).state == "finished"

    history = read_history(run_dir)
    train_logs = _scalars(run_dir / TENSORBOARD_DIR / "train")
    val_logs = _scalars(run_dir / TENSORBOARD_DIR / "validation")
    assert sorted(train_logs["epoch_loss"]) == [0, 1, 2]
    for epoch in range(3):
        assert train_logs["epoch_loss"][epoch] == pytest.approx(history["loss"][epoch],
                                                                rel=1e-5)
        assert val_logs["epoch_accuracy"][epoch] == pytest.approx(
            history["val_accuracy"][epoch], rel=1e-5)
        assert train_logs["epoch_learning_rate"][epoch] == pytest.approx(0.01)


def test_no_logs_unless_asked(tmp_path: Path, tiny: Any) -> None:
    outcome = train(tmp_path, tiny, epochs=1)
    assert outcome.state == "finished" and outcome.run_dir is not None
    assert not (outcome.run_dir / TENSORBOARD_DIR).exists()
