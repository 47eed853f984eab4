"""Threads that run TensorFlow yield the CPU to the UI thread (Linux: per-thread nice)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from cnn_tui.ui.thread_priority import BACKGROUND_NICE, in_lowered_thread, lower_this_thread

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="per-thread nice is Linux's")


def _nice_of(thread_id: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, thread_id)


def test_only_the_calling_thread_and_its_children_are_lowered() -> None:
    seen: dict[str, int] = {}

    def child() -> None:  # like TensorFlow's pool threads, started from the lowered one
        seen["child"] = _nice_of(threading.get_native_id())

    def worker() -> None:
        lower_this_thread()
        lower_this_thread()  # a reused pool thread: the same value, not lower again
        seen["worker"] = _nice_of(threading.get_native_id())
        started = threading.Thread(target=child)
        started.start()
        started.join()

    ui_before = _nice_of(threading.get_native_id())
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    lowered = max(BACKGROUND_NICE, ui_before)  # a test run under `nice` starts lower
    assert seen == {"worker": lowered, "child": lowered}
    assert _nice_of(threading.get_native_id()) == ui_before


def test_work_in_a_lowered_thread_leaves_the_caller_as_it_was() -> None:
    caller_before = _nice_of(threading.get_native_id())
    started: dict[str, int] = {}

    def start_pools() -> str:  # like TensorFlow's runtime starting its thread pools
        def pool_thread() -> None:
            started["pool"] = _nice_of(threading.get_native_id())

        pool = threading.Thread(target=pool_thread)
        pool.start()
        pool.join()
        return "started"

    assert in_lowered_thread(start_pools) == "started"
    assert started["pool"] == max(BACKGROUND_NICE, caller_before)
    assert _nice_of(threading.get_native_id()) == caller_before

    def fails() -> None:
        raise ValueError("no TensorFlow here")

    with pytest.raises(ValueError, match="no TensorFlow here"):
        in_lowered_thread(fails)
