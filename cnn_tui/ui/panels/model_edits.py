"""The Model tab's edits: add, delete, move, duplicate and edit layers; save and load the spec.

``ModelEdits`` is mixed into ``ModelPanel``. Every edit changes a copy of
the spec (the panel's spec is the app's, shared: never changed in place)
and hands it to the panel's ``_change``, which records the old one for
undo, shows the new one and posts it to the app.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnn_tui.core.errors import CnnTuiError
from cnn_tui.core.layers import LAYER_SCHEMAS, new_layer
from cnn_tui.core.spec import load_spec, save_spec
from cnn_tui.ui.screens.layer_form import LayerFormScreen, LayerTypeScreen
from cnn_tui.ui.screens.text_prompt import TextPromptScreen

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:
    _Base = object

Spec = dict[str, Any]


class ModelEdits(_Base):
    """The layer table's editing keys (a mixin of ``ModelPanel``)."""

    spec: Spec
    """ModelPanel's: the spec shown (the app's, with the edits not back yet)."""
    _change: Callable[..., None]
    """ModelPanel's: make a spec the model, undoably."""

    if TYPE_CHECKING:

        @property
        def cursor(self) -> int:
            """ModelPanel's: the selected layer, 0-based."""

    @property
    def spec_layers(self) -> list[Spec]:
        """The spec's layers (read only: an edit changes a copy, see ``_copy``)."""
        layers = self.spec.get("layers")
        return layers if isinstance(layers, list) else []

    def _copy(self) -> tuple[Spec, list[Spec]]:
        """A copy of the spec to edit, and its list of layers."""
        spec = copy.deepcopy(self.spec)
        layers = spec.get("layers")
        if not isinstance(layers, list):
            layers = spec["layers"] = []
        return spec, layers

    def load_model(self, name_or_path: str) -> None:
        """Replace the spec with a preset or JSON file (undoable); raises SpecError."""
        self._change(load_spec(name_or_path), cursor=0)

    def action_add_layer(self, where: str) -> None:
        def add(type_name: str | None) -> None:
            if type_name is None:
                return
            spec, layers = self._copy()
            index = self.cursor + 1 if where == "after" and layers else self.cursor
            index = max(0, min(index, len(layers)))
            layers.insert(index, new_layer(type_name))
            self._change(spec, cursor=index)

        self.app.push_screen(LayerTypeScreen(where), add)

    def action_delete_layer(self) -> None:
        if not self.spec_layers:
            self.notify("There is no layer to delete.", severity="warning")
            return
        spec, layers = self._copy()
        index = min(self.cursor, len(layers) - 1)
        del layers[index]
        self._change(spec, cursor=index)

    def action_move_layer(self, step: int) -> None:
        index, target, count = self.cursor, self.cursor + step, len(self.spec_layers)
        if not (0 <= index < count and 0 <= target < count):
            return
        spec, layers = self._copy()
        layers[index], layers[target] = layers[target], layers[index]
        self._change(spec, cursor=target)

    def action_duplicate_layer(self) -> None:
        if not self.spec_layers:
            return
        spec, layers = self._copy()
        index = min(self.cursor, len(layers) - 1)
        layers.insert(index + 1, copy.deepcopy(layers[index]))
        self._change(spec, cursor=index + 1)

    def action_edit_layer(self) -> None:
        if not self.spec_layers:
            self.notify("The model has no layers; press a to add one.", severity="warning")
            return
        index = min(self.cursor, len(self.spec_layers) - 1)
        layer = self.spec_layers[index]
        if layer.get("type") not in LAYER_SCHEMAS:
            self.notify("Unknown layer type: delete this layer and add a new one.",
                        severity="error")
            return

        def apply(new: Spec | None) -> None:
            if new is None or index >= len(self.spec_layers):
                return
            spec, layers = self._copy()
            layers[index] = new
            self._change(spec, cursor=index)

        self.app.push_screen(LayerFormScreen(layer, index + 1), apply)

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

        self.app.push_screen(TextPromptScreen("Save the model spec as JSON to:", default), save)

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

        self.app.push_screen(TextPromptScreen("Load a model spec (JSON file or preset):"), load)

