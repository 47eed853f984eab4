"""Offline, the app opens on a bundled sample and trains at once; a named dataset it
cannot load offers its sample with one key."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from textual.widgets import Static

from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.options import LaunchOptions
from tests.ui.settle import panels_ready


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty Keras cache, and the download server refused."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr("cnn_tui.core.datasets.named._reachable", lambda url: False)


async def wait_until(pilot, condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.1)


def text_of(app: CnnTuiApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_offline_first_launch_opens_on_the_sample_and_trains(
    offline: None, tmp_path: Path
) -> None:
    # As `cnn-tui` with no --dataset: the default, mnist, gives way to its sample.
    options = LaunchOptions(model="seed-mlp", epochs=1, limit=500, runs_dir=tmp_path / "runs",
                            sample_if_unavailable=True)
    app = CnnTuiApp(options, load_keras=False)
    assert app.dataset_source == "mnist-sample"
    assert app.dataset_info is not None and app.dataset_info.source == "bundled"
    async with app.run_test(size=(100, 30)) as pilot:
        await panels_ready(pilot)
        await pilot.press("1")  # the Dataset tab says why
        await app.workers.wait_for_complete()
        await pilot.pause()
        notice = text_of(app, "#dataset-notice")
        assert app.query_one("#dataset-notice").display
        assert "mnist is not in the Keras cache (it would need a download first)" in notice
        assert "opened on mnist-sample" in notice
        info = text_of(app, "#dataset-info")
        for fact in ("mnist-sample", "train   10,000", "none (hold-out)", "format  bundled"):
            assert fact in info

        await pilot.press("t")
        await wait_until(pilot, lambda: app.last_run_dir is not None and not app.training)
        run_dir = app.last_run_dir
        assert run_dir is not None
        assert json.loads((run_dir / "status.json").read_text())["state"] == "finished"
        config = json.loads((run_dir / "config.json").read_text())
        assert config["dataset"]["source"] == "mnist-sample"


async def test_a_dataset_given_is_kept_and_offers_its_sample_with_one_key(
    offline: None, tmp_path: Path
) -> None:
    app = CnnTuiApp(LaunchOptions(dataset="mnist", runs_dir=tmp_path / "runs"),
                    load_keras=False)
    assert app.dataset_source == "mnist"  # given on the command line: not replaced
    async with app.run_test(size=(100, 30)) as pilot:
        await panels_ready(pilot)
        assert "use_sample" not in {b.action for _, b, _, _ in
                                    app.screen.active_bindings.values()}
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        message = text_of(app, "#dataset-message")
        assert "cannot be downloaded" in message
        assert "Press b to use mnist-sample" in message
        assert not app.query_one("#dataset-notice").display
        shown = {binding.action for _, binding, enabled, _ in
                 app.screen.active_bindings.values() if enabled and binding.show}
        assert "use_sample" in shown  # in the footer

        await pilot.press("b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.dataset_source == "mnist-sample"
        assert app.dataset_info is not None and app.dataset_info.n_train == 10_000
        assert "mnist-sample: sample training images" in text_of(app, "#dataset-message")
        assert app.dataset_samples is not None and app.dataset_samples.source == "mnist-sample"
        assert "use_sample" not in {b.action for _, b, _, _ in
                                    app.screen.active_bindings.values()}


async def test_the_list_shows_the_samples_beside_the_named_datasets(
    offline: None, tmp_path: Path
) -> None:
    from textual.widgets import OptionList

    app = CnnTuiApp(LaunchOptions(dataset="cifar10-sample", runs_dir=tmp_path / "runs"),
                    load_keras=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await panels_ready(pilot)
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        option_list = app.query_one("#dataset-list", OptionList)
        names = [option_list.get_option_at_index(i).id for i in range(option_list.option_count)]
        assert names == ["mnist", "fashion_mnist", "cifar10", "cifar100", "mnist-sample",
                         "cifar10-sample"]
        assert option_list.highlighted == 5
        assert option_list.max_scroll_y == 0  # all six rows show, no scrolling (80x24)
        info = text_of(app, "#dataset-info")
        assert "train   2,000" in info and "airplane" in info and "offline yes" in info


def test_only_a_launch_without_dataset_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from cnn_tui.cli import main

    launched: list[LaunchOptions] = []
    monkeypatch.setattr("cnn_tui.ui.launch.run_app",
                        lambda options: launched.append(options) or 0)
    assert main([]) == 0 and main(["--dataset", "mnist"]) == 0
    assert [o.sample_if_unavailable for o in launched] == [True, False]


def test_a_cached_dataset_is_kept_and_no_server_is_asked_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cnn_tui.ui.options import starting_dataset

    def probe(url: str) -> bool:
        raise AssertionError("a network probe before the first frame")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr("cnn_tui.core.datasets.named._reachable", probe)
    source, notice = starting_dataset(LaunchOptions(sample_if_unavailable=True))
    assert source == "mnist-sample" and "not in the Keras cache" in notice
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "mnist.npz").write_bytes(b"")  # in the cache: no probe needed
    assert starting_dataset(LaunchOptions(sample_if_unavailable=True)) == ("mnist", "")
    # No sample for it: kept, and the Dataset tab says it cannot be loaded.
    options = LaunchOptions(dataset="fashion_mnist", sample_if_unavailable=True)
    assert starting_dataset(options) == ("fashion_mnist", "")
