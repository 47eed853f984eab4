"""The Model tab: the layer/shape table, presets, and keyboard editing.

Every edit goes through ``_change``: it records the old spec for undo,
re-infers the shapes with the engine's pure-Python ``infer_shapes`` (instant,
no TensorFlow), redraws the table and posts ``SpecChanged`` so the app can
enable or disable training.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Label, Select, Static

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.layers import LAYER_SCHEMAS, new_layer
from cnn_tui.core.presets import PRESETS
from cnn_tui.core.shapes import ShapeReport, infer_shapes, layer_arithmetic
from cnn_tui.core.spec import load_spec, save_spec
from cnn_tui.ui.screens.layer_form import LayerFormScreen, LayerTypeScreen
from cnn_tui.ui.screens.path_prompt import PathPromptScreen
from cnn_tui.ui.widgets.layer_table import LayerTable, format_shape
from cnn_tui.ui.widgets.text_update import update_text

UNDO_LIMIT = 200


class ModelPanel(Vertical):
    """Shows and edits one model spec on the current dataset's input shape."""

    BINDINGS = [
        Binding("enter", "edit_layer", "Edit", key_display="⏎",
                tooltip="edit the selected layer's arguments in a form"),
        Binding("a", "add_layer('after')", "Add", tooltip="add a layer after the cursor"),
        Binding("A,shift+a", "add_layer('before')", "Add before", key_display="A", show=False,
                tooltip="add a layer before the cursor"),
        Binding("d,delete", "delete_layer", "Delete", tooltip="delete the selected layer"),
        Binding("ctrl+up,K", "move_layer(-1)", "Move up", key_display="K", show=False,
                tooltip="move the selected layer up"),
        Binding("ctrl+down,J", "move_layer(1)", "Move down", key_display="J", show=False,
                tooltip="move the selected layer down"),
        Binding("c", "duplicate_layer", "Duplicate", show=False,
                tooltip="duplicate the selected layer"),
        Binding("u,ctrl+z", "undo", "Undo", tooltip="undo the last change to the model"),
        Binding("ctrl+r,ctrl+y", "redo", "Redo", key_display="^r", show=False,
                tooltip="redo"),
        Binding("ctrl+s", "save_spec", "Save spec", key_display="^s", show=False,
                tooltip="save the model spec as JSON (asks for a path)"),
        Binding("ctrl+o", "load_spec", "Load spec", key_display="^o", show=False,
                tooltip="load a model spec from JSON or a preset name"),
    ]

    @dataclass
    class SpecChanged(Message):
        """The spec or the input shape changed; ``report`` is the new shape table."""

        spec: dict[str, Any]
        report: ShapeReport

    def __init__(
        self,
        spec: dict[str, Any],
        input_shape: tuple[int, ...],
        num_classes: int,
        *,
        id: str | None = "model-panel",
    ) -> None:
        super().__init__(id=id)
        self.spec = copy.deepcopy(spec)
        self.input_shape = tuple(input_shape)
        self.num_classes = num_classes
        self.report = infer_shapes(self.spec, self.input_shape, self.num_classes)
        self._undo: list[dict[str, Any]] = []
        self._redo: list[dict[str, Any]] = []

    # -- layout -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        preset = self.spec.get("name") if self.spec.get("name") in PRESETS else Select.NULL
        with Horizontal(id="model-bar"):
            yield Label("preset ")
            yield Select(
                [(name, name) for name in PRESETS], value=preset, prompt="custom",
                id="preset", compact=True,
            )
            yield Static("", id="model-title")
        with Horizontal(id="model-body"):
            yield LayerTable(id="layer-table")
            yield Static("", id="arithmetic")
        yield Static("", id="model-totals")
        yield Static("", id="model-errors")

    def on_mount(self) -> None:
        self._redraw(cursor=0)

    @property
    def table(self) -> LayerTable:
        return self.query_one(LayerTable)

    @property
    def cursor(self) -> int:
        """0-based index of the selected layer."""
        return self.table.cursor_row

    @property
    def spec_layers(self) -> list[dict[str, Any]]:
        return self.spec.setdefault("layers", [])

    # -- public API -------------------------------------------------------------

    def set_input(self, input_shape: tuple[int, ...], num_classes: int) -> None:
        """Re-infer the shapes for another dataset (not an undoable edit)."""
        self.input_shape = tuple(input_shape)
        self.num_classes = num_classes
        self._redraw()

    def load_model(self, name_or_path: str) -> None:
        """Replace the spec with a preset or JSON file (undoable); raises SpecError."""
        spec = load_spec(name_or_path)
        self._change(lambda: self._replace_spec(spec), cursor=0)

    def set_spec(self, spec: dict[str, Any]) -> None:
        """Replace the spec (undoable), e.g. from a run's config.json."""
        self._change(lambda: self._replace_spec(copy.deepcopy(spec)), cursor=0)

    # -- editing ----------------------------------------------------------------

    def _replace_spec(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def _change(self, edit: Callable[[], None], *, cursor: int | None = None) -> None:
        """Apply ``edit`` to the spec, recording the previous spec for undo."""
        before = copy.deepcopy(self.spec)
        edit()
        if self.spec != before:
            self._undo.append(before)
            del self._undo[:-UNDO_LIMIT]
            self._redo.clear()
        self._redraw(cursor=cursor)

    def action_add_layer(self, where: str) -> None:
        def add(type_name: str | None) -> None:
            if type_name is None:
                return
            index = self.cursor + 1 if where == "after" and self.spec_layers else self.cursor
            index = max(0, min(index, len(self.spec_layers)))
            self._change(lambda: self.spec_layers.insert(index, new_layer(type_name)), cursor=index)

        self.app.push_screen(LayerTypeScreen(where), add)

    def action_delete_layer(self) -> None:
        if not self.spec_layers:
            self.notify("There is no layer to delete.", severity="warning")
            return
        index = self.cursor
        self._change(lambda: self.spec_layers.__delitem__(index), cursor=index)

    def action_move_layer(self, step: int) -> None:
        index, target = self.cursor, self.cursor + step
        if not self.spec_layers or not 0 <= target < len(self.spec_layers):
            return

        def move() -> None:
            layers = self.spec_layers
            layers[index], layers[target] = layers[target], layers[index]

        self._change(move, cursor=target)

    def action_duplicate_layer(self) -> None:
        if not self.spec_layers:
            return
        index = self.cursor
        copy_of = copy.deepcopy(self.spec_layers[index])
        self._change(lambda: self.spec_layers.insert(index + 1, copy_of), cursor=index + 1)

    def action_edit_layer(self) -> None:
        if not self.spec_layers:
            self.notify("The model has no layers; press a to add one.", severity="warning")
            return
        index = self.cursor
        layer = self.spec_layers[index]
        if layer.get("type") not in LAYER_SCHEMAS:
            self.notify("Unknown layer type: delete this layer and add a new one.",
                        severity="error")
            return

        def apply(new: dict[str, Any] | None) -> None:
            if new is not None:
                self._change(lambda: self.spec_layers.__setitem__(index, new), cursor=index)

        self.app.push_screen(LayerFormScreen(layer, index + 1), apply)

    @on(DataTable.RowSelected, "#layer-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_layer()

    def action_undo(self) -> None:
        self._restore(self._undo, self._redo, "Nothing to undo.")

    def action_redo(self) -> None:
        self._restore(self._redo, self._undo, "Nothing to redo.")

    def _restore(
        self, source: list[dict[str, Any]], target: list[dict[str, Any]], nothing: str
    ) -> None:
        """Make the newest spec on ``source`` current, keeping the current one on ``target``."""
        if not source:
            self.notify(nothing)
            return
        target.append(copy.deepcopy(self.spec))
        self.spec = source.pop()
        self._redraw()

    def action_save_spec(self) -> None:
        default = f"{self.spec.get('name') or 'model'}.json"

        def save(path: str | None) -> None:
            if not path:
                return
            try:
                save_spec(self.spec, path)
            except (CnnTuiError, OSError) as exc:
                self.notify(str(exc), title="Could not save", severity="error", markup=False)
                return
            self.notify(f"Saved the model to {Path(path).expanduser()}.", markup=False)

        self.app.push_screen(PathPromptScreen("Save the model spec as JSON to:", default), save)

    def action_load_spec(self) -> None:
        def load(path: str | None) -> None:
            if not path:
                return
            try:
                self.load_model(path)
            except CnnTuiError as exc:
                self.notify(str(exc), title="Could not load", severity="error", markup=False)
                return
            self.notify(f"Loaded {path}.", markup=False)

        self.app.push_screen(PathPromptScreen("Load a model spec (JSON file or preset):"), load)

    @on(Select.Changed, "#preset")
    def _preset_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is Select.NULL or event.value == self.spec.get("name"):
            return
        self.load_model(str(event.value))
        self.table.focus()

    # -- drawing ----------------------------------------------------------------

    def _redraw(self, cursor: int | None = None) -> None:
        self.report = infer_shapes(self.spec, self.input_shape, self.num_classes)
        self.table.show_report(self.report, cursor)
        self._show_title()
        self._show_totals()
        self._show_errors()
        self._show_arithmetic()
        self.post_message(self.SpecChanged(copy.deepcopy(self.spec), self.report))

    def _show_title(self) -> None:
        name = self.spec.get("name") or "custom"
        edited = " (edited)" if name in PRESETS and self.spec != PRESETS[name] else ""
        self.query_one("#model-title", Static).update(Text(f"  {name}{edited}"))  # not markup
        preset = self.query_one("#preset", Select)
        with preset.prevent(Select.Changed):
            preset.value = name if name in PRESETS else Select.NULL

    def _show_totals(self) -> None:
        report = self.report
        text = Text.assemble(
            ("input ", "dim"), format_shape(report.input_shape),
            (" → output ", "dim"), format_shape(report.output_shape),
            ("  params ", "dim"), (f"{report.total_params:,}", "bold"),
            (f" ({report.trainable_params:,} trainable)", "dim"),
        )
        self.query_one("#model-totals", Static).update(text)

    def _show_errors(self) -> None:
        errors = self.query_one("#model-errors", Static)
        # Text: errors quote the spec's own keys and values, which are not markup.
        errors.update(Text("\n".join(f"✗ {line}" for line in self.report.errors)))
        errors.set_class(not self.report.ok, "-shown")

    def _show_arithmetic(self) -> None:
        """The selected layer's arithmetic, then (where there is room) what it does."""
        box = self.query_one("#arithmetic", Static)
        if not self.report.rows:
            box.update("")
            return
        row = self.report.rows[min(self.cursor, len(self.report.rows) - 1)]
        lines = layer_arithmetic(self.report, row.index)
        body = Text(f"{row.index} {row.name}\n", style="bold")
        body.append("\n".join(lines) if lines else "no arithmetic: shape passes through")
        schema = LAYER_SCHEMAS.get(row.type)
        if schema is not None:
            body.append(f"\n\n{row.type}: {schema.help}", style="dim")
        description = self.spec.get("description")
        if isinstance(description, str) and description:
            body.append(f"\n\nmodel: {description}", style="dim")
        update_text(box, body)  # every cursor move: no screen layout unless its height changes

    @on(DataTable.RowHighlighted, "#layer-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_arithmetic()
