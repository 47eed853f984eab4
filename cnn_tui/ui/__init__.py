"""The Textual app of cnn-tui: screens, panels, widgets and their stylesheet.

Importing this package is cheap: nothing here imports TensorFlow at module
level. The app loads TensorFlow in a worker thread after its first paint.
"""
