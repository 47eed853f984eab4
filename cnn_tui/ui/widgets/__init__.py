"""Widgets of the cnn-tui Textual app."""
