"""``python -m cnn_tui`` is the ``cnn-tui`` command."""

import sys

from cnn_tui.cli import main

sys.exit(main())
