"""Screens of the cnn-tui Textual app."""
