"""One worker of a test cluster, in its own process: ``python -m tests.cluster_worker JSON``.

JSON holds ``cluster``, ``index``, ``runs_dir``, ``weights`` (where to save
the final weights, as .npy), and optionally ``epochs``, ``resume`` (a run
directory, for the chief), ``stop_after`` (ask to stop once that epoch
ended), ``timeout`` and other settings in ``options``. The last line printed
is the outcome as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from cnn_tui.core.runs import fit
from cnn_tui.core.runs.config import TrainConfig
from cnn_tui.core.runs.resume import plan_resume
from cnn_tui.core.runs.runner import run_training
from tests.tiny_runs import BATCH, RATE, TINY_SPEC, load_tiny_mnist, stopper


def main(args: dict[str, Any]) -> None:
    saving = fit.save_model

    def save_and_keep(model: Any, path: Path, *rest: Any) -> None:
        # A worker's model.keras goes with its temporary folder: keep its weights.
        if path.name == "model.keras":
            np.save(args["weights"], np.concatenate([w.ravel() for w in model.get_weights()]))
        saving(model, path, *rest)

    fit.save_model = save_and_keep
    cluster = {"cluster": args["cluster"], "worker_index": args["index"],
               "cluster_timeout": args.get("timeout", 60)}
    emit, stop = stopper(args.get("stop_after"))
    data = load_tiny_mnist()
    if args.get("resume"):
        config, point = plan_resume(Path(args["resume"]), epochs=args.get("epochs"),
                                    given=cluster)
        outcome = run_training(config, emit, stop, dataset=data, resume=point)
    else:
        settings = {"dataset": "mnist-tiny", "model": TINY_SPEC, "batch_size": BATCH,
                    "seed": 1, "learning_rate": RATE, "epochs": args.get("epochs", 2),
                    "runs_dir": args["runs_dir"], **args.get("options", {}), **cluster}
        outcome = run_training(TrainConfig(**settings), emit, stop, dataset=data)
    print(json.dumps({"state": outcome.state, "message": outcome.message,
                      "run_dir": str(outcome.run_dir) if outcome.run_dir else None,
                      "epochs_done": outcome.epochs_done}), flush=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
