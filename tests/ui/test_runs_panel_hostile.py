"""The Runs tab with hostile run folders: unreadable rows say why, names are never markup."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input
from textual.widgets._data_table import default_cell_formatter

from cnn_tui.ui.panels.runs_panel import RunsPanel
from cnn_tui.ui.screens.export import ExportScreen
from tests.run_files import write_good_run, write_hostile_runs
from tests.ui.run_folders import scanned
from tests.ui.test_runs_panel import RunsApp


def shown(cell: object) -> str:
    """A cell as the table draws it: a str cell is parsed as markup, a Text is not."""
    return default_cell_formatter(cell).plain  # type: ignore[union-attr]


async def test_hostile_folders_and_a_markup_name_in_the_runs_tab(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    marked = write_good_run(runs, "[b]x")
    expected = write_hostile_runs(runs)
    app = RunsApp(runs)
    async with app.run_test(size=(120, 30)) as pilot:
        await scanned(pilot)
        panel = app.query_one(RunsPanel)
        table = app.query_one(DataTable)
        assert sorted(row.name for row in panel.rows) == sorted(["[b]x", *expected])
        for name in expected:
            assert str(table.get_row(name)[2]) == "unreadable"
        assert shown(table.get_row("[b]x")[1]) == "[b]x"

        table.focus()
        table.move_cursor(row=table.get_row_index("[b]x"))
        await pilot.pause()
        assert "[b]x: no augmentation" in str(app.query_one("#runs-status").render())
        await pilot.press("o")
        await pilot.pause()
        assert app.opened and app.opened[-1]["name"] == "[b]x"

        table.move_cursor(row=table.get_row_index("epochs-x"))
        await pilot.pause()
        status = str(app.query_one("#runs-status").render())
        assert 'unreadable, config.json: epochs is the string "x"' in status
        await pilot.press("o")  # an unreadable run is not opened (its types are wrong)
        await pilot.pause()
        assert len(app.opened) == 1
        assert "no readable config.json" in list(app._notifications)[-1].message
        await pilot.press("space")  # selecting it draws nothing and does not crash
        await pilot.pause()

        table.move_cursor(row=table.get_row_index("[b]x"))
        panel.selected = []
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert str(app.screen.query_one("#export-runs").render()) == "[b]x"
        field = app.screen.query_one("#export-path", Input)
        field.value = str(marked / "history.csv")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)  # refused, stays open and says why
        assert "inside the run directory" in str(app.screen.query_one("#export-error").render())
        history = (marked / "history.csv").read_text()
        assert history.startswith("epoch,") and history.count("\n") == 2
        field.value = str(tmp_path / "out.csv")
        await pilot.press("enter")
        await pilot.pause()
        assert (tmp_path / "out.csv").read_text().splitlines()[1].startswith("[b]x,1,")
        assert str(tmp_path / "out.csv") in list(app._notifications)[-1].message
