"""cnn-tui: build, train and compare convolutional networks from the terminal."""

__version__ = "0.1.0"
