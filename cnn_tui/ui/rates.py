"""How often the screen redraws what changes fast, in one place.

Every redraw runs on the UI thread, and while a run trains that thread
shares the GIL with the training thread: on a small machine each redraw
is training time lost and a key press answered later. So what changes
many times a second is drawn a few times a second at most, and messages
that would pile up in between replace each other (``can_replace``).
"""

from __future__ import annotations

BATCH_TEXT_INTERVAL_S = 0.25
"""The Train tab's state line, bars, speed and ETA, at most this often: a few
redraws a second is all the eye follows, and each costs the training thread."""

CURVES_REDRAW_INTERVAL_S = 1.0
"""The running trail inside an epoch on the loss/accuracy plots: redrawing both
plots takes tens of milliseconds of the UI thread. An epoch's end redraws at once."""

WATCH_INTERVAL_S = 0.5
"""A watched run's files are read this often: its process rewrites its progress
once a second, so twice a second never misses one and costs two ``stat`` calls."""

RUNS_REFRESH_S = 3.0
"""The Runs tab reads the runs folder again this often while a listed run runs:
a listing reads every run's files, and a run's epochs take seconds anyway."""

DATASET_PROGRESS_INTERVAL_S = 0.1
"""The Dataset tab's loading bar: a decompression reports thousands of steps, and
ten updates a second look smooth."""

PROBE_PROGRESS_INTERVAL_S = 0.25
"""The Runs tab's shift-probe line: reading a dataset reports thousands of steps,
and a probe's passes over a small split come many a second."""
