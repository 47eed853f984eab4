"""Background threads yield the CPU to the UI thread.

A run trains in a thread of the app's process, and TensorFlow's own thread
pools (created from that thread, or from the one that imports TensorFlow)
use every core. On a small machine a key press then waits for a core: a tab
switch that takes 35 ms of the UI thread's time took 60-150 ms on 2 cores
while training. On Linux the nice value is per thread and inherited by the
threads it creates, so raising it in the workers that run TensorFlow makes
the kernel run the UI thread first whenever it has work, and gives training
every cycle the UI leaves idle (nearly all of them: ``tui_vs_headless`` in
``make bench``). Elsewhere this does nothing.
"""

from __future__ import annotations

import os
import sys
import threading

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
