"""Background threads yield the CPU to the UI thread.

A run trains in a thread of the app's process, and TensorFlow's thread pools
use every core. On a small machine a key press then waits for a core: a tab
switch that takes 35 ms of the UI thread's time took 60-150 ms on 2 cores
while training. On Linux the nice value is per thread and inherited by the
threads a thread creates, and TensorFlow creates its pools when its runtime
starts. So the app starts the runtime in a short-lived thread of lower
priority (``in_lowered_thread``): the pools, which do the computing, yield
to the UI thread whenever it has work, and take every cycle it leaves idle
(nearly all: ``tui_vs_headless`` in ``make bench``). Python threads keep
their priority: a lowered one holding the GIL would make the UI thread wait
for it. Elsewhere than Linux this does nothing.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

BACKGROUND_NICE = 5
"""The nice value of threads that run TensorFlow: below the UI, above nothing else
(0 is the default; 19 the lowest)."""


def lower_this_thread() -> None:
    """Give the calling thread (and the threads it will create) ``BACKGROUND_NICE``.

    An absolute value, so that a pool thread reused by a later worker is not
    lowered again. Only ever raises the nice value: an unprivileged process can,
    and a thread already nicer (a ``nice``-launched app) is left as it is.
    """
    if sys.platform != "linux":
        return  # per-thread nice values are Linux's; elsewhere it would lower the whole app
    thread_id = threading.get_native_id()
    try:
        if os.getpriority(os.PRIO_PROCESS, thread_id) < BACKGROUND_NICE:
            os.setpriority(os.PRIO_PROCESS, thread_id, BACKGROUND_NICE)
    except OSError:
        pass  # a sandbox that forbids it: the app works, only less snappy while training


def in_lowered_thread(work: Callable[[], T]) -> T:
    """``work()``, run in a new thread with ``BACKGROUND_NICE``: what it returns, or
    what it raises. The threads it starts keep that priority; the caller keeps its own."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        lower_this_thread()
        try:
            outcome.append(work())
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller
            failure.append(error)

    thread = threading.Thread(target=run, name="lowered-start", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]
