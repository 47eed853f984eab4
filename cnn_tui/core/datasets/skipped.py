"""What was left out while reading a dataset, grouped by reason, with counts.

An image folder may hold thousands of stray files (thumbnails, notes, a
``.DS_Store`` per class): one warning per file would flood the CLI and grow
without bound. ``SkippedFiles`` keeps, per reason, how many paths were left
out and the first few of them, and turns that into one line per reason
(``Dataset.warnings``); ``format_warnings`` joins those lines into one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SHOWN = 3
"""Paths named per reason; the rest are only counted."""

# Reason key -> (verb, noun phrase for one, for several).
REASONS: dict[str, tuple[str, str, str]] = {
    "not-image": ("ignored", "file that is not a PNG, JPEG, BMP or GIF image",
                  "files that are not PNG, JPEG, BMP or GIF images"),
    "unreadable": ("skipped", "unreadable image", "unreadable images"),
    "empty-class": ("dropped", "class folder holding no images",
                    "class folders holding no images"),
    "empty-split": ("ignored", "test folder holding no images", "test folders holding no images"),
}


@dataclass
class SkippedFiles:
    """Counts and first paths of what was left out, by reason (see REASONS)."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, reason: str, path: Path | str, detail: str = "") -> None:
        """Count ``path`` under ``reason``; ``detail`` (e.g. the decoder's error) is kept
        for the first path of each reason only, to keep the line short."""
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        self.counts[reason] = self.counts.get(reason, 0) + 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < SHOWN:
            shown.append(f"{path} ({detail})" if detail and not shown else str(path))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        """One line per reason: "skipped 12 unreadable images: a.png (why), b.png, c.png, ..."."""
        lines = []
        for reason, count in self.counts.items():
            verb, one, several = REASONS[reason]
            shown = self.examples[reason]
            more = ", ..." if count > len(shown) else ""
            noun = one if count == 1 else several
            lines.append(f"{verb} {count:,} {noun}: {', '.join(shown)}{more}")
        return lines


def format_warnings(warnings: list[str], limit: int = 300) -> str:
    """``Dataset.warnings`` as one line for the CLI ("" when there are none).

    Lines are joined with "; " and the result is cut to ``limit`` characters,
    saying how many warnings were cut, so the line stays one terminal line
    or two.
    """
    if not warnings:
        return ""
    text = "; ".join(warnings)
    if len(text) <= limit:
        return f"warning: {text}"
    cut = text[: max(0, limit - 30)].rstrip(" ;,")
    return f"warning: {cut}... ({len(warnings)} warnings in all)"
