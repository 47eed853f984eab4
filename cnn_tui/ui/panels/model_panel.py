"""The Model tab: the layer/shape table, presets, and keyboard editing.

The spec is the app's (``CnnTuiApp.spec``, bound here with the dataset's
``dataset_info``). An edit is applied here at once, so that the next key
edits the newest spec even when it comes before the app has the message,
and posted as ``SpecChanged``; the app's spec comes back through the
binding, where ``SentValues`` recognises it. A spec set elsewhere (a run's
config opened) is shown and can be undone like an edit. The shapes are
re-inferred with the engine's pure-Python ``infer_shapes`` (instant, no
TensorFlow) on every change. The Train tab's settings (``train_settings``,
bound too) size the training-memory estimate under the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Label, Select, Static

from cnn_tui.core.datasets import DatasetInfo
from cnn_tui.core.memory import TrainingMemory
from cnn_tui.core.presets import PRESETS
from cnn_tui.core.shapes import ShapeReport, infer_shapes
from cnn_tui.ui.panels.model_edits import ModelEdits
from cnn_tui.ui.panels.model_text import (
    arithmetic_text,
    errors_text,
    memory_for,
    preset_name,
    title_text,
    totals_text,
)
from cnn_tui.ui.state import SentValues, TrainSettings, model_input
from cnn_tui.ui.widgets.layer_table import LayerTable
from cnn_tui.ui.widgets.text_update import update_text

UNDO_LIMIT = 200

Spec = dict[str, Any]


class ModelPanel(ModelEdits, Vertical):
    """Shows and edits the app's model spec on the current dataset's input shape."""

    DEFAULT_CSS = """
    ModelPanel {
        #model-bar { height: 1; }
        #model-bar Select { width: 20; }
        #model-title { width: 1fr; color: $text-muted; }
        #model-body { height: 1fr; }
        #arithmetic { width: 44; height: 100%; padding: 0 1; border-left: vkey $secondary; }
        #model-totals { height: auto; }
        #model-errors {
            display: none; height: auto; max-height: 4; color: $error; text-style: bold;
        }
        #model-errors.-shown { display: block; }
    }
    """

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

    spec: reactive[Spec] = reactive(dict, repaint=False, init=False)
    """Bound to ``CnnTuiApp.spec``; ahead of it by the edits posted and not back yet."""
    dataset_info: reactive[DatasetInfo | None] = reactive(None, repaint=False, init=False)
    """Bound to ``CnnTuiApp.dataset_info``: the input the shapes are inferred for."""
    train_settings: reactive[TrainSettings] = reactive(TrainSettings, repaint=False, init=False)
    """Bound to ``CnnTuiApp.train_settings``: the batch size and optimizer of the estimate."""

    @dataclass
    class SpecChanged(Message):
        """The user changed the model (an edit, undo or redo, a preset, a file)."""

        spec: Spec

    def __init__(self, *, id: str | None = "model-panel") -> None:
        super().__init__(id=id)
        self.report: ShapeReport = infer_shapes({}, *model_input(None))
        """The shapes of ``spec`` as the table shows them."""
        self._undo: list[Spec] = []
        self._redo: list[Spec] = []
        self._sent: SentValues[Spec] = SentValues()
        self._has_spec = False
        """The app's first spec has arrived (it is where undo stops, not an edit)."""

    # -- layout -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="model-bar"):
            yield Label("preset ")
            yield Select([(name, name) for name in PRESETS], prompt="custom", id="preset",
                         compact=True)
            yield Static("", id="model-title")
        with Horizontal(id="model-body"):
            yield LayerTable(id="layer-table")
            yield Static("", id="arithmetic")
        yield Static("", id="model-totals")
        yield Static("", id="model-errors")

    @property
    def table(self) -> LayerTable:
        return self.query_one(LayerTable)

    @property
    def cursor(self) -> int:
        """0-based index of the selected layer."""
        return self.table.cursor_row

    # -- the app's state ----------------------------------------------------------

    def watch_spec(self, old: Spec, new: Spec) -> None:
        if not self.is_mounted or self._sent.came_back(new):
            return  # an edit of ours: already shown
        if self._has_spec and old != new:  # set elsewhere: undone like an edit
            self._record(old)
        self._has_spec = True
        self._redraw(cursor=0)

    def watch_dataset_info(self) -> None:
        if self.is_mounted:
            self._redraw()  # another input: not an edit, nothing to undo

    def watch_train_settings(self, old: TrainSettings, new: TrainSettings) -> None:
        # Every keystroke in the Train tab's fields comes here: redraw only for the two
        # settings the estimate uses, and then only the text (the table has no memory).
        keys = ("batch_size", "optimizer")
        if self.is_mounted and ([old.values.get(k) for k in keys]
                                != [new.values.get(k) for k in keys]):
            self._show_totals()
            self._show_arithmetic()

    # -- editing ----------------------------------------------------------------

    def _change(self, spec: Spec, *, cursor: int | None = None) -> None:
        """Make ``spec`` the model, recording the one it replaces for undo."""
        if spec != self.spec:
            self._record(self.spec)
        self._show(spec, cursor)

    def _record(self, replaced: Spec) -> None:
        self._undo.append(replaced)
        del self._undo[:-UNDO_LIMIT]
        self._redo.clear()

    def _show(self, spec: Spec, cursor: int | None) -> None:
        """Show ``spec`` now and post it to the app (the binding brings it back later)."""
        changed = spec != self.spec
        self.set_reactive(ModelPanel.spec, spec)
        self._redraw(cursor=cursor)
        if changed:
            self.post_message(self.SpecChanged(self._sent.sent(spec)))

    @on(DataTable.RowSelected, "#layer-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_layer()

    def action_undo(self) -> None:
        self._restore(self._undo, self._redo, "Nothing to undo.")

    def action_redo(self) -> None:
        self._restore(self._redo, self._undo, "Nothing to redo.")

    def _restore(self, source: list[Spec], target: list[Spec], nothing: str) -> None:
        """Make the newest spec on ``source`` current, keeping the current one on ``target``."""
        if not source:
            self.notify(nothing)
            return
        target.append(self.spec)
        self._show(source.pop(), None)

    @on(Select.Changed, "#preset")
    def _preset_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is Select.NULL or event.value == self.spec.get("name"):
            return
        self.load_model(str(event.value))
        self.table.focus()

    # -- drawing ----------------------------------------------------------------

    def _redraw(self, cursor: int | None = None) -> None:
        self.report = infer_shapes(self.spec, *model_input(self.dataset_info))
        self.table.show_report(self.report, cursor)
        self.query_one("#model-title", Static).update(title_text(self.spec))
        preset = self.query_one("#preset", Select)
        with preset.prevent(Select.Changed):
            preset.value = preset_name(self.spec) or Select.NULL
        self._show_totals()
        errors = self.query_one("#model-errors", Static)
        errors.update(errors_text(self.report))
        errors.set_class(not self.report.ok, "-shown")
        self._show_arithmetic()

    def _memory(self) -> TrainingMemory | None:
        return memory_for(self.report, self.train_settings.values)

    def _show_totals(self) -> None:
        self.query_one("#model-totals", Static).update(totals_text(self.report, self._memory()))

    def _show_arithmetic(self) -> None:
        """The selected layer's arithmetic, then (where there is room) what it does."""
        box = self.query_one("#arithmetic", Static)
        if not self.report.rows:
            box.update("")
            return
        # Every cursor move: no layout of the screen unless the box's height changes.
        update_text(box, arithmetic_text(self.report, self.cursor, self.spec, self._memory()))

    @on(DataTable.RowHighlighted, "#layer-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_arithmetic()
