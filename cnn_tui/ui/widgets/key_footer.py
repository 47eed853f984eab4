"""A Footer that rebuilds its keys only when the keys it would show change.

Textual's ``Footer`` recomposes (removes and mounts a widget per key, then
lays the screen out again, twice) whenever the focused widget or the
bindings are refreshed, even when it would show exactly the same keys, as
after a cursor move or a focus change inside one tab. While a run trains
that work competes with the key presses and the training thread.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.widgets import Footer


class KeyFooter(Footer):
    """``Footer`` that skips recomposing when the shown keys are unchanged."""

    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:
        super().__init__(compact=compact, id=id)
        self._shown_keys: Hashable = None

    def _keys_signature(self) -> Hashable:
        """What compose() reads from the bindings, for the keys it would show."""
        active = self.screen.active_bindings
        shown = tuple(
            (binding.key, binding.action, binding.description, binding.key_display,
             binding.group, enabled, tooltip)
            for (_, binding, enabled, tooltip) in active.values()
            if binding.show
        )
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        palette_key = None if palette is None else (palette[1].key, palette[2])
        return (shown, palette_key, self.compact, self.show_command_palette)

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        signature = self._keys_signature() if self._bindings_ready else None
        if signature is not None and signature == self._shown_keys:
            return
        self._shown_keys = signature
        await super().recompose()
