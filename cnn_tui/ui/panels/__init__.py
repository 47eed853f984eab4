"""Panels of the cnn-tui Textual app."""
