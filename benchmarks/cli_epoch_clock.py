"""``cnn-tui`` with the process's CPU clock stamped at every history.csv row.

bench_backends.py runs this instead of ``python -m cnn_tui`` so that its per-CPU-second
cross-check covers the same epochs as the wall-clock figure. It wraps
``HistoryWriter.append`` (one call per finished epoch) and appends
``{"epoch": N, "cpu": process seconds}`` to the file named by ``CNN_TUI_CPU_STAMPS``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any


def main() -> int:
    from cnn_tui.cli import main as cli_main
    from cnn_tui.core.runs.history import HistoryWriter

    path = os.environ["CNN_TUI_CPU_STAMPS"]
    append = HistoryWriter.append

    def stamped(self: HistoryWriter, epoch: int, logs: dict[str, Any]) -> None:
        cpu = time.process_time()  # all of this process's threads, at the epoch's end
        append(self, epoch, logs)
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps({"epoch": epoch, "cpu": cpu}) + "\n")

    HistoryWriter.append = stamped  # type: ignore[method-assign]
    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
