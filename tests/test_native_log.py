"""fd 2 goes to the log file, from C-level writes and other threads; the terminal gets nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def _run(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_native_writes_from_any_thread_go_to_the_log(tmp_path: Path) -> None:
    result = _run(
        """
        import logging, os, sys, threading
        from pathlib import Path
        from cnn_tui.core.native_log import NativeStderr
        log = Path(sys.argv[1]) / "session.log"
        with NativeStderr(log) as native:
            import ctypes
            ctypes.CDLL(None).write(2, b"native line from C level\\n", 25)
            thread = threading.Thread(target=lambda: os.write(2, b"from a thread\\n"))
            thread.start(); thread.join()
            print("python stderr", file=sys.stderr)
            logging.getLogger("tensorflow").warning("tf logger line")
            logging.getLogger("absl").warning("absl logger line")
            print("error: for the user", file=native.terminal)
        os.write(2, b"after restore\\n")
        print("stdout untouched")
        """,
        tmp_path,
    )
    log = (tmp_path / "session.log").read_text()
    for line in (
        "native line from C level",
        "from a thread",
        "python stderr",
        "tf logger line",
        "absl logger line",
    ):
        assert line in log
        assert line not in result.stderr
    assert result.stderr == "error: for the user\nafter restore\n"
    assert result.stdout == "stdout untouched\n"
    assert "after restore" not in log


def test_retarget_carries_earlier_lines_and_returns_home(tmp_path: Path) -> None:
    result = _run(
        """
        import os, sys
        from pathlib import Path
        from cnn_tui.core.native_log import NativeStderr
        base = Path(sys.argv[1])
        native = NativeStderr(base / "session.log").start()
        os.write(2, b"import-time line\\n")
        native.retarget(base / "run1" / "tensorflow.log")
        os.write(2, b"run1 line\\n")
        native.retarget(base / "session.log", carry_over=False)
        os.write(2, b"between runs\\n")
        native.retarget(base / "run2" / "tensorflow.log")
        os.write(2, b"run2 line\\n")
        native.restore()
        native.restore()  # idempotent
        """,
        tmp_path,
    )
    assert result.stderr == ""
    run1 = (tmp_path / "run1" / "tensorflow.log").read_text()
    run2 = (tmp_path / "run2" / "tensorflow.log").read_text()
    assert run1 == "import-time line\nrun1 line\n"
    assert run2 == "between runs\nrun2 line\n"
    assert (tmp_path / "session.log").read_text() == "import-time line\nbetween runs\n"


def test_tensorflow_import_logs_stay_off_the_terminal(tmp_path: Path) -> None:
    result = _run(
        """
        import sys
        from pathlib import Path
        from cnn_tui.core.native_log import NativeStderr
        with NativeStderr(Path(sys.argv[1]) / "tf.log"):
            from cnn_tui.core.tf_setup import import_tensorflow
            tf = import_tensorflow()
            tf.constant([1.0]) + 1.0
            tf.get_logger().warning("through tf.get_logger")
        """,
        tmp_path,
    )
    assert result.stderr == ""
    log = (tmp_path / "tf.log").read_text()
    assert "through tf.get_logger" in log
    # The C++ runtime announces itself on this build (oneDNN / CPU features).
    assert "I0000" in log or "oneDNN" in log or "cpu_feature_guard" in log
