"""The app started with ``--devices cpu:2`` splits the CPU before TensorFlow starts and
trains two replicas; the Train tab's compute line and the title say so.

In a subprocess: the split must happen before TensorFlow's runtime starts, and
this pytest process may have started it already.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.test_faults import _env

SCRIPT = textwrap.dedent("""
    import asyncio, json, sys
    from pathlib import Path
    from cnn_tui.ui.app import CnnTuiApp
    from cnn_tui.ui.options import LaunchOptions

    async def main(data, runs):
        options = LaunchOptions(dataset=data, model="seed-mlp", epochs=1, limit=500,
                                batch_size=64, devices="cpu:2", runs_dir=Path(runs))
        app = CnnTuiApp(options)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(1200):  # TensorFlow loads, then the run
                if app.keras_ready:
                    break
                await pilot.pause(0.1)
            title = app.sub_title
            await pilot.press("t")
            await pilot.pause(0.5)
            for _ in range(1200):
                if not app.training and app.last_run_dir is not None:
                    break
                await pilot.pause(0.1)
            compute = str(app.query_one("#train-compute").render())
            field = app.query_one("#devices").value
            print(json.dumps({"title": title, "compute": compute, "field": field,
                              "run": str(app.last_run_dir)}))

    asyncio.run(main(sys.argv[1], sys.argv[2]))
""")


def test_the_app_trains_two_replicas_and_shows_them(shared_data: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(shared_data / "mnist"), str(tmp_path / "runs")],
        capture_output=True, text=True, timeout=240, env=_env())
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["title"] == "TensorFlow ready (CPU as 2 devices)"
    assert seen["field"] == "cpu:2"
    # The replicas first, then what precision and XLA chose.
    assert seen["compute"].startswith("replicas 2 x 32 images (CPU:0, CPU:1) · precision ")
    config = json.loads((Path(seen["run"]) / "config.json").read_text())
    status = json.loads((Path(seen["run"]) / "status.json").read_text())
    assert (config["replicas"], config["strategy"], status["state"]) == (2, "mirrored",
                                                                        "finished")
