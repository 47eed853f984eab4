"""The Model tab driven by keys: the shape table, editing, invalid layers, undo, save/load."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Button, Input, OptionList, Select

from cnn_tui.core.limits import bytes_text
from cnn_tui.core.memory import training_memory
from cnn_tui.core.shapes import infer_shapes, layer_arithmetic
from cnn_tui.core.spec import load_spec
from cnn_tui.ui.app import CnnTuiApp
from cnn_tui.ui.options import LaunchOptions
from cnn_tui.ui.panels.model_panel import ModelPanel
from cnn_tui.ui.screens.layer_form import LayerFormScreen, LayerTypeScreen
from cnn_tui.ui.widgets.layer_table import COLUMNS, SHAPE_COLUMNS, format_shape

MNIST_SHAPE = ((28, 28, 1), 10)


def make_app(tmp_path: Path, model: str = "seed-cnn") -> CnnTuiApp:
    # "mnist" is peeked without files or TensorFlow: shapes only.
    options = LaunchOptions(dataset="mnist", model=model, runs_dir=tmp_path / "runs")
    return CnnTuiApp(options, load_keras=False)


def table_rows(app: CnnTuiApp) -> list[list[str]]:
    table = app.query_one(ModelPanel).table
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def types(app: CnnTuiApp) -> list[str]:
    return [layer["type"] for layer in app.query_one(ModelPanel).spec["layers"]]


async def set_arg(app: CnnTuiApp, pilot, name: str, text: str) -> None:
    """Open the edit form on the selected layer, type ``text`` into ``name`` and apply."""
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, LayerFormScreen)
    field = app.screen.query_one(f"#arg-{name}", Input)
    field.value = text
    field.focus()
    await pilot.press("enter")
    await pilot.pause()


async def test_launch_shows_the_shape_table_of_the_model(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        report = infer_shapes(load_spec("seed-cnn"), *MNIST_SHAPE)
        rows = table_rows(app)
        assert len(rows) == len(report.rows) > 0
        for cells, row in zip(rows, report.rows, strict=True):
            assert cells[:4] == [str(row.index), row.type, row.args_summary,
                                 format_shape(row.output_shape)]
            assert cells[4] == f"{row.params:,}"
        assert app.focused is app.query_one(ModelPanel).table
        totals = str(app.query_one("#model-totals").render())
        assert f"{report.total_params:,}" in totals
        # The first layer's arithmetic is on screen at once.
        arithmetic = str(app.query_one("#arithmetic").render())
        assert layer_arithmetic(report, 1)[-1] in arithmetic


async def test_an_invalid_layer_is_shown_in_place_and_blocks_training(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.query_one(ModelPanel)
        await pilot.press("down")  # layer 2: Conv2D with 'valid' padding
        await set_arg(app, pilot, "kernel_size", "50")
        assert panel.spec["layers"][1]["kernel_size"] == 50
        assert not panel.report.ok
        assert "✗ invalid" in table_rows(app)[1][3]
        assert table_rows(app)[2][3] == "—"  # later shapes are unknown, not guessed
        errors = str(app.query_one("#model-errors").render())
        assert "layer 2 (Conv2D)" in errors
        # No cost for a model that does not build: the errors need the row.
        assert "MACs" not in str(app.query_one("#model-totals").render())
        assert app.query_one("#model-errors").display
        assert app.query_one("#start", Button).disabled
        await pilot.press("t")
        await pilot.pause()
        assert not app.workers  # no training worker was started
        assert any("Fix the model first" in (n.title or "") for n in app._notifications)

        await set_arg(app, pilot, "kernel_size", "5")
        assert panel.report.ok
        assert table_rows(app)[1][3] == "24×24×32"  # (28 - 5) / 1 + 1
        assert panel.report.rows[1].params == 5 * 5 * 32 * 32 + 32
        assert not app.query_one("#model-errors").display
        assert not app.query_one("#start", Button).disabled


async def test_the_form_refuses_unreadable_values(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await set_arg(app, pilot, "filters", "lots")
        assert isinstance(app.screen, LayerFormScreen)  # still open
        problem = app.screen.query_one("#problem-filters")
        assert problem.display and "filters" in str(problem.render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.query_one(ModelPanel).spec == load_spec("seed-cnn")


async def test_add_delete_move_duplicate_undo_redo(tmp_path: Path) -> None:
    app = make_app(tmp_path, model="seed-mlp")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.query_one(ModelPanel)
        start = types(app)
        assert start[:2] == ["Flatten", "Dense"]

        await pilot.press("a")  # add after the cursor (row 1)
        await pilot.pause()
        assert isinstance(app.screen, LayerTypeScreen)
        options = app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("BatchNormalization")
        await pilot.press("enter")
        await pilot.pause()
        assert types(app) == [start[0], "BatchNormalization", *start[1:]]
        assert panel.cursor == 1
        assert len(table_rows(app)) == len(start) + 1

        await pilot.press("K")  # move it above Flatten
        await pilot.pause()
        assert types(app)[:2] == ["BatchNormalization", "Flatten"]
        assert panel.cursor == 0
        await pilot.press("J")
        await pilot.pause()
        assert types(app)[:2] == ["Flatten", "BatchNormalization"]

        await pilot.press("c")  # duplicate
        await pilot.pause()
        assert types(app)[1:3] == ["BatchNormalization", "BatchNormalization"]
        assert panel.cursor == 2
        await pilot.press("d")
        await pilot.pause()
        assert panel.cursor == 2 and types(app)[2] == start[1]  # the cursor stays in place
        await pilot.press("up", "delete")
        await pilot.pause()
        assert types(app) == start

        await pilot.press("u")
        await pilot.pause()
        assert types(app)[1] == "BatchNormalization"
        await pilot.press("u", "u", "u", "u", "u")  # delete, duplicate, J, K, add
        await pilot.pause()
        assert types(app) == start
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert types(app) == [start[0], "BatchNormalization", *start[1:]]
        # BatchNormalization of a 784-vector: 4 * 784 params, shapes re-inferred at once.
        assert panel.report.rows[1].params == 4 * 784


async def test_add_before_and_the_form_of_a_new_layer(tmp_path: Path) -> None:
    app = make_app(tmp_path, model="seed-mlp")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("Conv2D")
        await pilot.press("enter")
        await pilot.pause()
        panel = app.query_one(ModelPanel)
        assert types(app)[0] == "Conv2D"
        assert panel.report.rows[0].output_shape == (26, 26, 32)
        await set_arg(app, pilot, "filters", "8")
        assert panel.report.rows[0].output_shape == (26, 26, 8)
        assert panel.report.rows[0].params == 3 * 3 * 1 * 8 + 8


async def test_save_and_load_a_spec(tmp_path: Path) -> None:
    app = make_app(tmp_path, model="lenet5")
    target = tmp_path / "my-model.json"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.query_one(ModelPanel)
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert json.loads(target.read_text())["layers"] == load_spec("lenet5")["layers"]

        await pilot.press("d")
        await pilot.pause()
        assert len(panel.spec["layers"]) == len(load_spec("lenet5")["layers"]) - 1
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert panel.spec["layers"] == load_spec("lenet5")["layers"]

        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one(Input).value = str(tmp_path / "missing.json")
        await pilot.press("enter")
        await pilot.pause()
        assert any(n.severity == "error" for n in app._notifications)
        assert panel.spec["layers"] == load_spec("lenet5")["layers"]


async def test_presets_are_selectable(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        panel = app.query_one(ModelPanel)
        panel.query_one("#preset").value = "bn-cnn"
        await pilot.pause()
        assert panel.spec["layers"] == load_spec("bn-cnn")["layers"]
        assert len(table_rows(app)) == len(load_spec("bn-cnn")["layers"])
        await pilot.press("u")
        await pilot.pause()
        assert panel.spec["layers"] == load_spec("seed-cnn")["layers"]


async def test_choosing_another_dataset_re_infers_the_shapes(tmp_path: Path) -> None:
    from cnn_tui.core.datasets import peek_dataset
    from cnn_tui.ui.panels.dataset_panel import DatasetPanel

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        info = peek_dataset("cifar10")
        app.query_one(DatasetPanel).post_message(DatasetPanel.Selected("cifar10", info))
        await pilot.pause()
        panel = app.query_one(ModelPanel)
        expected = infer_shapes(load_spec("seed-cnn"), info.input_shape, info.num_classes)
        assert panel.report == expected
        assert app.dataset_source == "cifar10"
        assert table_rows(app)[0][3] == "32×32×32"
        assert panel.report.rows[0].params == 3 * 3 * 3 * 32 + 32


async def test_a_custom_spec_without_a_preset_name_loads_and_undoes(tmp_path: Path) -> None:
    # A spec from a run's config.json or a hand-written file has no preset name:
    # the preset selector must go blank, not crash.
    custom = {"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10,
                                                "activation": "softmax"}]}
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.query_one(ModelPanel)
        app.spec = custom  # as opening a run's config.json does
        await pilot.pause()
        assert types(app) == ["Flatten", "Dense"]
        assert "custom" in str(panel.query_one("#model-title").render())
        await pilot.press("u")
        await pilot.pause()
        assert types(app)[0] == "Conv2D"


# --- the cost of each layer --------------------------------------------------------------------


async def test_the_table_shows_each_layers_cost_and_the_totals_the_estimate(
        tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(ModelPanel).table
        assert table.shown_columns == COLUMNS
        rows = table_rows(app)
        assert rows[0][5:] == ["225.8K", "3×3"]  # 28*28*3*3*1*32 MACs on MNIST
        assert rows[2][5:] == ["0", "6×6"]  # max pooling: no MACs; 5 + (2-1)*1
        assert rows[13][5:] == ["32.8K", "all"]  # Dense 64 -> 512 sees the whole image
        report = infer_shapes(load_spec("seed-cnn"), *MNIST_SHAPE)
        memory = training_memory(report, 256, "rmsprop")
        totals = str(app.query_one("#model-totals").render())
        assert "MACs 15.3M per image" in totals and report.total_macs == 15_322_624
        assert f"training ≈ {bytes_text(memory.total)} at batch 256 (rmsprop)" in totals
        arithmetic = str(app.query_one("#arithmetic").render())
        assert "MACs = 28*28*3*3*1*32 = 225,792" in arithmetic


async def test_the_estimate_follows_the_train_tabs_batch_size_and_optimizer(
        tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.query_one("#tabs").active = "train-tab"
        await pilot.pause()
        field = app.query_one("#batch-size", Input)
        field.value = ""
        field.focus()
        await pilot.press("6", "4")
        app.query_one("#optimizer", Select).value = "adam"
        await pilot.pause()
        app.query_one("#tabs").active = "model-tab"
        await pilot.pause()
        report = infer_shapes(load_spec("seed-cnn"), *MNIST_SHAPE)
        memory = training_memory(report, 64, "adam")
        totals = str(app.query_one("#model-totals").render())
        assert f"training ≈ {bytes_text(memory.total)} at batch 64 (adam)" in totals
        arithmetic = str(app.query_one("#arithmetic").render())
        assert "activations = 6.4 MB at batch 64" in arithmetic  # 28*28*32 * 4 B * 64
        assert f"adam {bytes_text(memory.optimizer_state)}" in arithmetic

        app.query_one("#tabs").active = "train-tab"
        await pilot.pause()
        field.focus()
        await pilot.press("x")  # "64x" does not read: no estimate rather than a wrong one
        await pilot.pause()
        totals = str(app.query_one("#model-totals").render())
        assert "training memory: the Train tab's batch size is not valid" in totals


async def test_cost_columns_give_way_when_the_table_is_narrow(tmp_path: Path) -> None:
    app = make_app(tmp_path, model="bn-cnn")  # long type names and arguments
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(ModelPanel).table
        assert table.shown_columns == SHAPE_COLUMNS
        await pilot.resize_terminal(90, 24)  # still narrow: the box goes under the table
        await pilot.pause()
        assert table.shown_columns == SHAPE_COLUMNS + ("MACs",)
        await pilot.resize_terminal(200, 40)
        await pilot.pause()
        assert table.shown_columns == COLUMNS
        assert table_rows(app)[1][5:] == ["25.1K", "3×3"]  # BatchNormalization: 28*28*32
