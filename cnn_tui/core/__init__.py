"""The headless engine of cnn-tui.

Everything here works without a UI: model specs and their shape inference,
presets, datasets, augmentation, the training runner and the run directory.
It never imports Textual, and imports TensorFlow only inside the functions
that need it, so that importing the core is instant.
"""
