"""Training runs: their settings, the engine that trains them, and their files.

``config`` and ``settings`` say what a run is; ``runner`` and ``fit`` train
it, reporting through ``events`` and the Keras ``callbacks``; ``rundir``,
``history`` and ``checkpoint`` write its folder; ``index`` and ``control``
read and steer the runs folder from another process. Nothing here imports
Textual, and TensorFlow is imported only inside the functions that train.
"""
