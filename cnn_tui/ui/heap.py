"""Keep Python's cyclic garbage collector from pausing the UI while a run trains.

Once TensorFlow and Keras are imported the heap holds millions of objects, and
every full (generation 2) collection walks them all: 200-300 ms with the GIL
held, a frozen screen and a late key press every few seconds of training.
``gc.freeze()`` moves the objects alive at that moment to a permanent
generation that collections skip. Long-lived objects (the libraries, a run's
model) are frozen; when a run ends they are thawed and collected once, so
a finished run's cyclic garbage is still freed.
"""

from __future__ import annotations

import gc


def freeze_long_lived(*, collect_first: bool = False) -> None:
    """Exempt every object alive now from later collections.

    ``collect_first`` frees the garbage already there (one full collection)
    so that it is not kept forever; call it when a pause does not matter.
    """
    if collect_first:
        gc.collect()
    gc.freeze()


def collect_and_refreeze() -> None:
    """Thaw, collect everything once (frees what a finished run left), freeze again."""
    gc.unfreeze()
    freeze_long_lived(collect_first=True)
