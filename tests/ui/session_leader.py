"""Run a command the way a login shell runs a job, and record how it exits.

Usage: ``session_leader.py forward|ignore RC_FILE COMMAND...``

A tmux pane's first process leads its session, and when the pane's
terminal goes away (``tmux kill-session``, like a dropped SSH connection)
the kernel sends SIGHUP to the leader alone. ``forward`` passes it on to
the command, as an SSH login shell passes it to its jobs; ``ignore`` keeps
it, so the command learns of the hang-up only from EIO on the terminal.
Either way the leader outlives the command and writes its exit status to
RC_FILE, which a test cannot otherwise see (the command is not its child).
"""

from __future__ import annotations

import signal
import subprocess
import sys


def main() -> None:
    mode, rc_file, command = sys.argv[1], sys.argv[2], sys.argv[3:]
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    child = subprocess.Popen(
        command, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL)
    )
    if mode == "forward":
        signal.signal(signal.SIGHUP, lambda signum, frame: child.send_signal(signum))
    rc = child.wait()
    with open(rc_file, "w", encoding="ascii") as file:
        file.write(f"{rc}\n")


if __name__ == "__main__":
    main()
