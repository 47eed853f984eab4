"""history.csv byte for byte as written, and read back whatever a kill or an editor left."""

from __future__ import annotations

import math
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_tui.core.runs.history import HistoryWriter, history_rows, order_columns, read_history


def test_rows_are_written_exactly_and_each_is_appended(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    writer = HistoryWriter(path)
    writer.append(1, {"val_loss": 0.5, "loss": 1, "val_accuracy": 0.2, "accuracy": 0.1})
    assert path.read_bytes() == b"epoch,loss,accuracy,val_loss,val_accuracy\n1,1.0,0.1,0.5,0.2\n"
    writer.append(2, {"loss": 0.25, "accuracy": 1 / 3, "val_loss": 0.125, "val_accuracy": 0.5})
    assert path.read_text(encoding="utf-8").splitlines() == [
        "epoch,loss,accuracy,val_loss,val_accuracy", "1,1.0,0.1,0.5,0.2",
        f"2,0.25,{1 / 3!r},0.125,0.5"]
    assert read_history(tmp_path) == {"epoch": [1, 2], "loss": [1.0, 0.25],
                                      "accuracy": [0.1, 1 / 3], "val_loss": [0.5, 0.125],
                                      "val_accuracy": [0.2, 0.5]}


def test_fewer_metrics_than_the_header_leave_cells_empty(tmp_path: Path) -> None:
    writer = HistoryWriter(tmp_path / "history.csv")
    writer.append(1, {"loss": 1.0, "accuracy": 0.5})  # no validation: names in abc order
    writer.append(2, {"loss": 0.5})
    assert (tmp_path / "history.csv").read_text().splitlines() == [
        "epoch,accuracy,loss", "1,0.5,1.0", "2,,0.5"]
    assert math.isnan(read_history(tmp_path)["accuracy"][1])


def test_a_new_metric_rewrites_the_file_with_a_wider_header(tmp_path: Path) -> None:
    writer = HistoryWriter(tmp_path / "history.csv")
    writer.append(1, {"loss": 1.0})
    writer.append(2, {"loss": 0.5, "learning_rate": 0.01})
    assert (tmp_path / "history.csv").read_text().splitlines() == [
        "epoch,loss,learning_rate", "1,1.0,", "2,0.5,0.01"]


def test_a_resumed_run_rewrites_the_history_up_to_its_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    writer = HistoryWriter(path)
    for epoch in (1, 2, 3):
        writer.append(epoch, {"loss": 1.0 / epoch})
    resumed = HistoryWriter(path)
    resumed.restart(history_rows(read_history(tmp_path))[:2])
    resumed.append(3, {"loss": 0.3})
    assert path.read_text().splitlines() == ["epoch,loss", "1,1.0", "2,0.5", "3,0.3"]
    resumed.restart([])
    assert not path.exists()
    resumed.restart([])  # no file: nothing to remove
    resumed.append(1, {"loss": 2.0})
    assert path.read_text().splitlines() == ["epoch,loss", "1,2.0"]


def test_history_rows_are_the_columns_turned_around() -> None:
    assert history_rows({"epoch": [1, 2], "loss": [0.5, 0.25]}) == [
        {"epoch": 1, "loss": 0.5}, {"epoch": 2, "loss": 0.25}]
    assert history_rows({"loss": [0.5]}) == []


def test_columns_follow_keras_logs_and_leave_out_epoch_and_run() -> None:
    assert order_columns({"run", "epoch", "val_auc", "auc", "val_accuracy", "accuracy", "loss",
                          "val_loss", "lr", "val_x", "a_x", "acc", "val_acc"}) == [
        "loss", "accuracy", "acc", "auc", "val_loss", "val_accuracy", "val_acc", "val_auc",
        "val_x", "a_x", "lr"]
    assert order_columns(["accuracy", "val_accuracy", "auc", "val_auc"]) == [
        "accuracy", "auc", "val_accuracy", "val_auc"]
    # The run's own columns come last, in their order.
    assert order_columns({"epoch_time_s", "zz", "learning_rate", "loss", "val_loss"}) == [
        "loss", "val_loss", "zz", "learning_rate", "epoch_time_s"]


def test_a_cut_off_last_line_and_rows_that_are_not_epochs_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "history.csv").write_text(
        "epoch,loss\n1,0.5\n2,x\n3\n4,0.25,9\nnan,0.1\n,0.2\n5,\n6,0.125\r\n7,0.1")
    history = read_history(tmp_path)
    assert history["epoch"] == [1, 5, 6]
    assert history["loss"][0] == 0.5 and math.isnan(history["loss"][1])
    assert history["loss"][2] == 0.125
    (tmp_path / "history.csv").write_text("epoch,loss\n1,0.5\n2,0.25\n")
    assert read_history(tmp_path) == {"epoch": [1, 2], "loss": [0.5, 0.25]}
    (tmp_path / "history.csv").write_text("epoch,loss\n1,0.5\n2")
    assert read_history(tmp_path) == {"epoch": [1], "loss": [0.5]}


def test_a_file_that_is_no_history_reads_as_none(tmp_path: Path) -> None:
    for text in ("", "epoch,loss", "loss,epoch\n1,2\n", "\n1,2\n"):
        (tmp_path / "history.csv").write_text(text)
        assert read_history(tmp_path) == {}, text
    (tmp_path / "history.csv").write_bytes(b"epoch,loss\n1,\xff\n")
    assert read_history(tmp_path) == {}
    assert read_history(tmp_path / "missing") == {}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="epoch,los1234567890.\n\r\"x-e+in", max_size=60))
def test_any_text_reads_as_complete_rows_and_never_raises(text: str) -> None:
    """The listing and the export rely on this: a broken history never stops them."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "history.csv").write_text("epoch,loss\n" + text, encoding="utf-8")
        history = read_history(folder)
    assert list(history) == ["epoch", "loss"]
    assert len(history["epoch"]) == len(history["loss"])
    assert all(isinstance(epoch, int) for epoch in history["epoch"])


def test_rows_are_appended_to_the_same_file_not_rewritten(tmp_path: Path) -> None:
    """Appending keeps every earlier line untouched: a kill can only cut the last one."""
    path = tmp_path / "history.csv"
    writer = HistoryWriter(path)
    writer.append(1, {"loss": 1.0, "val_loss": 2.0})
    inode = path.stat().st_ino
    writer.append(2, {"loss": 0.5, "val_loss": 1.5})
    assert path.stat().st_ino == inode  # checked each time: a freed inode number comes back
    writer.append(3, {"val_loss": 1.0})
    assert path.stat().st_ino == inode
    writer.append(4, {"loss": 0.2, "val_loss": 0.9, "lr": 0.1})  # wider: rewritten whole
    assert path.stat().st_ino != inode


def test_epochs_without_metrics_still_make_a_history(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    writer = HistoryWriter(path)
    writer.append(1, {})
    writer.append(2, {})
    assert path.read_text() == "epoch\n1\n2\n"
    with path.open("a") as file:
        file.write("3")  # a kill in the middle of the third row
    assert read_history(tmp_path) == {"epoch": [1, 2]}
    writer.restart([])
    writer.append(1, {})
    assert path.read_text() == "epoch\n1\n"


def test_a_metric_whose_name_starts_with_val_gets_one_column() -> None:
    """A metric named "val_x" logs "val_x" and "val_val_x": neither may appear twice."""
    columns = order_columns({"loss", "val_loss", "val_x", "val_val_x"})
    assert columns == ["loss", "val_loss", "val_val_x", "val_x"]


def test_runs_from_before_the_rate_and_time_columns_still_read_and_export(
    tmp_path: Path,
) -> None:
    from cnn_tui.core.runs.index import export_histories

    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "history.csv").write_text("epoch,loss,val_loss\n1,0.5,0.6\n")
    HistoryWriter(new / "history.csv").append(
        1, {"loss": 0.4, "val_loss": 0.5, "learning_rate": 0.001, "epoch_time_s": 2.5})
    assert read_history(old) == {"epoch": [1], "loss": [0.5], "val_loss": [0.6]}
    out = export_histories([old, new], tmp_path / "all.csv")
    assert out.read_text().splitlines() == [
        "run,epoch,loss,val_loss,learning_rate,epoch_time_s",
        "old,1,0.5,0.6,,",
        "new,1,0.4,0.5,0.001,2.5",
    ]
