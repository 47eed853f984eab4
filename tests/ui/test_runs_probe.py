"""The Runs tab's shift probe (p, k, v, escape) on real runs and on hand-made ones.

Two tiny runs are trained once for the module on 2,000 real MNIST digits, with
300 of them held out (so each pass of the probe is quick): seed-mlp and LeNet-5,
one epoch each. Their curves must be ``probe_run``'s numbers. Runs whose models
are set by hand (tests/inspect_runs.py) give images of other sizes at no cost.
"""

from __future__ import annotations

import io
import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console
from textual.widgets import ContentSwitcher, DataTable, Input, Static

from cnn_tui.core.augment_config import NO_AUGMENT
from cnn_tui.core.inspect import load_run, probe_run
from cnn_tui.core.inspect import probe as probe_module
from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.runner import run_training
from cnn_tui.ui.panels.probe_runs import probe_step
from cnn_tui.ui.panels.runs_panel import RunsPanel
from cnn_tui.ui.screens.text_prompt import TextPromptScreen
from cnn_tui.ui.widgets.probe_plot import ProbeCurve, ProbePlot, probe_table
from tests.conftest import SHARED_DATA
from tests.inspect_runs import column_model, write_dataset, write_run
from tests.resources import missing
from tests.ui.run_folders import scanned, wait_until
from tests.ui.run_folders import write_run as write_run_without_model
from tests.ui.settle import panels_ready
from tests.ui.test_runs_panel import KNOWN_LOGS, RunsApp

PROBE_TIMEOUT_S = 240.0
"""The first probe imports TensorFlow in its worker: slow on a busy 2-core machine."""


@pytest.fixture(scope="module")
def real_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runs folder with a seed-mlp and a LeNet-5 run, 300 validation images each."""
    mnist = SHARED_DATA / "mnist"
    if not mnist.is_dir():
        missing(f"real MNIST not found at {mnist}")
    from cnn_tui.core.datasets import load_dataset

    root = tmp_path_factory.mktemp("probe-ui")
    digits = load_dataset(str(mnist), limit=2000, seed=0)
    data = root / "digits.npz"  # no test split: the run holds out 15%
    np.savez(data, x=digits.x_train[..., 0], y=digits.y_train)
    for model in ("seed-mlp", "lenet5"):
        config = TrainConfig(dataset=str(data), model=model, epochs=1, batch_size=64, seed=3,
                             val_split=0.15, runs_dir=root / "runs", name=model)
        outcome = run_training(config, lambda _event: None, threading.Event())
        assert outcome.state == "finished", outcome.message
    return root / "runs"


def copy_runs(runs: Path, tmp_path: Path) -> Path:
    """The module's runs, without a cache: each test starts from uncached runs."""
    copy = tmp_path / "runs"
    shutil.copytree(runs, copy, ignore=shutil.ignore_patterns("inspect"))
    return copy


def probe_files(runs: Path) -> list[str]:
    return sorted(path.name for path in runs.glob("*/inspect/probe-*"))


async def select_all(pilot: Any) -> RunsPanel:
    await scanned(pilot)
    panel = pilot.app.query_one(RunsPanel)
    pilot.app.query_one("#runs-table", DataTable).focus()
    for number in range(len(panel.rows)):
        await pilot.press(*(["down"] if number else []), "space")
    await pilot.pause()
    return panel


async def finished(pilot: Any, panel: RunsPanel) -> None:
    await wait_until(pilot, lambda: not panel.probing, PROBE_TIMEOUT_S, "the probe")
    await pilot.app.workers.wait_for_complete(
        [worker for worker in pilot.app.workers if worker.group == "probe"])
    await pilot.pause()


def state_text(pilot: Any) -> str:
    return str(pilot.app.query_one("#probe-state").render())


def table_text(pilot: Any) -> str:
    """The probe's table of numbers as the terminal shows it."""
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(pilot.app.query_one("#probe-table", Static).content)
    return console.export_text()


def notified(pilot: Any) -> str:
    return " | ".join(str(n.message) for n in pilot.app._notifications)


async def choose_shift(pilot: Any, text: str) -> None:
    await pilot.press("k")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TextPromptScreen)
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_two_real_runs_probed_as_overlaid_curves(real_runs: Path, tmp_path: Path) -> None:
    runs = copy_runs(real_runs, tmp_path)
    app = RunsApp(runs)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await select_all(pilot)
        names = [row.name for row in panel.rows]
        models = ["lenet5" if name.endswith("lenet5") else "seed-mlp" for name in names]
        await choose_shift(pilot, "2")
        assert app.query_one(ContentSwitcher).current == "runs-probe"
        await finished(pilot, panel)
        plot = app.query_one(ProbePlot)
        # One line per run, in selection order, named as in the Runs table, in its colour.
        labels = [f"{number} {model} (aug none)" for number, model in enumerate(models, 1)]
        assert [curve.label for curve in plot.curves] == labels
        assert sorted(models) == ["lenet5", "seed-mlp"]
        legend = str(app.query_one("#probe-legend").render())
        assert all(f"●{label}" in legend for label in labels)
        assert plot.series[0].color != plot.series[1].color
        for name, line in zip(names, plot.series, strict=True):
            expected = probe_run(load_run(runs / name), 2, use_cache=False)
            assert line.xs == [0.0, 1.0, 2.0]
            assert line.ys == list(expected.accuracy)
        assert "accuracy on 300 validation images shifted 0 to 2 px" in state_text(pilot)
        rows = table_text(pilot).splitlines()
        assert rows[0].split() == ["shift", "●1", "●2"]
        assert rows[3].split() == ["2", "px", *(f"{line.ys[2]:.4f}" for line in plot.series)]
        assert probe_files(runs) == ["probe-k2.json", "probe-k2.json"]  # cached

        await pilot.press("v")  # back to the training curves, and again
        assert app.query_one(ContentSwitcher).current == "runs-overlay"
        await pilot.press("v")
        assert app.query_one(ContentSwitcher).current == "runs-probe"
        await pilot.press("p")  # k stays 2; from the cache this time
        await finished(pilot, panel)
        assert [line.ys for line in app.query_one(ProbePlot).series] == [
            line.ys for line in plot.series]


class Gate:
    """Holds the probe's predictions while it is closed: a probe stopped mid-way."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.open = threading.Event()
        self.waiting = threading.Event()
        predict = probe_module.predict_probabilities

        def held(*args: Any, **kwargs: Any) -> Any:
            self.waiting.set()
            assert self.open.wait(PROBE_TIMEOUT_S)
            return predict(*args, **kwargs)

        monkeypatch.setattr(probe_module, "predict_probabilities", held)


async def test_escape_cancels_mid_probe_leaving_no_cache(
    real_runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = copy_runs(real_runs, tmp_path)
    gate = Gate(monkeypatch)
    app = RunsApp(runs)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await select_all(pilot)
        await pilot.press("p")
        await wait_until(pilot, gate.waiting.is_set, PROBE_TIMEOUT_S, "the first pass")
        assert panel.probing and "escape cancels" in state_text(pilot)
        await pilot.press("escape")
        assert not panel.probing and state_text(pilot) == "probe cancelled"
        gate.open.set()  # the worker's next pass finds the probe cancelled
        await finished(pilot, panel)
        assert probe_files(runs) == []
        assert app.query_one(ProbePlot).curves == []
        assert state_text(pilot) == "probe cancelled"  # nothing of it arrived later

        await pilot.press("p")  # the panel is still usable: probe again, to the end
        await finished(pilot, panel)
        assert len(app.query_one(ProbePlot).curves) == 2
        assert probe_files(runs) == ["probe-k7.json", "probe-k7.json"]


async def test_a_new_probe_replaces_the_running_one(
    real_runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = copy_runs(real_runs, tmp_path)
    gate = Gate(monkeypatch)
    app = RunsApp(runs)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await select_all(pilot)
        await pilot.press("p")  # k = 7 for both
        await wait_until(pilot, gate.waiting.is_set, PROBE_TIMEOUT_S, "the first pass")
        await choose_shift(pilot, "1")  # another probe, while the first waits
        assert panel.probing
        gate.open.set()
        await finished(pilot, panel)
        # Only the second probe's curves: the first one gave up, and what it had sent
        # was dropped.
        assert [curve.shifts for curve in app.query_one(ProbePlot).curves] == [(0, 1), (0, 1)]
        assert probe_files(runs) == ["probe-k1.json", "probe-k1.json"]


async def test_runs_that_cannot_be_probed_are_refused_with_a_sentence(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    no_model = write_run_without_model(runs, 0, NO_AUGMENT, KNOWN_LOGS["plain"][:1], 3,
                                       "running")
    small = write_dataset(tmp_path / "small", [(0, 1, 255)], [1], size=4)
    write_run(runs, "tiny", small, column_model(size=4))
    app = RunsApp(runs)
    async with app.run_test(size=(80, 24)) as pilot:
        await scanned(pilot)
        panel = app.query_one(RunsPanel)
        app.query_one("#runs-table", DataTable).focus()
        assert panel.rows[0].path == no_model
        await pilot.press("p")
        await pilot.pause()
        assert "has no saved model yet" in notified(pilot)
        assert not panel.probing and app.query_one(ContentSwitcher).current == "runs-overlay"

        await pilot.press("down")  # the 4x4 run: at most 1 pixel of shift
        await choose_shift(pilot, "2")
        assert "from 0 to 1 pixels" in notified(pilot) and not panel.probing
        await choose_shift(pilot, "two")
        assert "whole number of pixels (0 to 1) or auto" in notified(pilot)
        assert not panel.probing and panel.probe_shift is None


async def test_runs_of_different_sizes_each_go_to_their_own_shift(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    small = write_dataset(tmp_path / "small", [(1, 1, 255), (2, 2, 255)], [1, 2], size=4)
    large = write_dataset(tmp_path / "large", [(3, 4, 255), (4, 5, 255)], [1, 2], size=8)
    write_run(runs, "a-small", small, column_model(size=4))
    write_run(runs, "b-large", large, column_model(size=8))
    app = RunsApp(runs)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await select_all(pilot)
        await choose_shift(pilot, "2")  # too far for the 4x4 images: refused, says why
        assert "a-small must be from 0 to 1 pixels" in notified(pilot)
        await pilot.press("p")  # each up to a quarter of its own width
        await finished(pilot, panel)
        curves = app.query_one(ProbePlot).curves
        assert [curve.shifts for curve in curves] == [(0, 1), (0, 1, 2)]
        assert curves[0].accuracy[0] == 1.0 and curves[1].accuracy[0] == 1.0
        assert "shifted 0 to each run's k (1, 2 px)" in state_text(pilot)
        rows = table_text(pilot).splitlines()
        assert rows[-1].split() == ["2", "px", "-", f"{curves[1].accuracy[2]:.4f}"]


def test_probe_step_names_the_pass_probe_run_has_done() -> None:
    passes = 1 + 4 * 7
    assert probe_step(0.0, 7) == "unshifted (shift 0/7)"
    assert probe_step(1 / passes, 7) == "unshifted (shift 0/7)"
    assert probe_step(2 / passes, 7) == "shift 1/7 (up)"
    assert probe_step(13 / passes, 7) == "shift 3/7 (right)"
    assert probe_step(1.0, 7) == "shift 7/7 (right)"


def test_probe_table_marks_shifts_past_a_runs_k() -> None:
    table = probe_table([ProbeCurve("1 a", 0, (0, 1), (0.5, 0.25), 10),
                         ProbeCurve("2 b", 1, (0,), (1.0,), 10)])
    assert [column.header.plain if hasattr(column.header, "plain") else column.header
            for column in table.columns] == ["shift", "●1", "●2"]
    assert list(table.columns[2].cells) == ["1.0000", "-"]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_probe_view_snapshot(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """The whole app's Runs tab after probing two hand-made runs (their numbers are exact)."""
    from cnn_tui.ui.app import CnnTuiApp
    from cnn_tui.ui.options import LaunchOptions

    runs = tmp_path / "runs"
    # A digit in a corner, shifted out of the frame, leaves a blank image: class 0, right.
    small = write_dataset(tmp_path / "small", [(1, 1, 255), (2, 2, 255), (0, 0, 255)],
                          [1, 2, 0], size=4)
    large = write_dataset(tmp_path / "large", [(3, 4, 255), (4, 5, 255)], [1, 2], size=8)
    write_run(runs, "a-small", small, column_model(size=4))
    write_run(runs, "b-large", large, column_model(size=8))
    app = CnnTuiApp(LaunchOptions(dataset="mnist", runs_dir=runs), load_keras=False)

    async def probe_both(pilot: Any) -> None:
        await panels_ready(pilot)  # the Runs tab's panel comes after the first frame
        await pilot.app.workers.wait_for_complete()
        await pilot.press("5")
        panel = await select_all(pilot)
        await pilot.press("p")
        await finished(pilot, panel)

    assert snap_compare(app, terminal_size=size, run_before=probe_both)


def test_the_help_screen_lists_the_probe_keys() -> None:
    from cnn_tui.ui.screens.help import describe_bindings

    keys = dict(describe_bindings(RunsPanel.BINDINGS))
    assert "shift probe" in keys["p"] and "largest shift" in keys["k"]
    assert "shift probe" in keys["v"] and "cancel" in keys["esc"]
