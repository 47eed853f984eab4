"""The app's state: one owner, editors that post, and keys that come faster than messages."""

from __future__ import annotations

from pathlib import Path

from textual import events

from cnn_tui.core.spec import load_spec
from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.options import LaunchOptions
from cnn_tui.ui.panels.model_panel import ModelPanel
from cnn_tui.ui.state import SentValues


def test_sent_values_come_back_in_order_and_anything_else_is_from_elsewhere() -> None:
    sent: SentValues[int] = SentValues()
    assert sent.newest(0) == 0
    sent.sent(1)
    sent.sent(2)
    assert sent.newest(0) == 2  # what the owner will hold once both arrive
    assert sent.came_back(1) and sent.newest(1) == 2
    assert sent.came_back(2) and sent.newest(2) == 2
    sent.sent(3)
    assert not sent.came_back(7)  # set elsewhere: what was sent before is superseded
    assert not sent.came_back(3) and sent.newest(7) == 7


async def test_keys_faster_than_the_apps_messages_edit_the_newest_spec(tmp_path: Path) -> None:
    app = CnnTuiApp(LaunchOptions(dataset="mnist", model="seed-cnn", runs_dir=tmp_path / "r"),
                    load_keras=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        layers = load_spec("seed-cnn")["layers"]
        # Three deletes in one read of the terminal: each key comes before the app has
        # had the edit of the one before.
        for _ in range(3):
            app.post_message(events.Key("d", "d"))
        await pilot.pause()
        await pilot.pause()
        assert app.spec["layers"] == layers[3:]
        assert app.query_one(ModelPanel).spec == app.spec
        for _ in range(3):
            app.post_message(events.Key("u", "u"))
        await pilot.pause()
        await pilot.pause()
        assert app.spec["layers"] == layers
