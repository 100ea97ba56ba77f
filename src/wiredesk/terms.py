"""A source's terms: how its copy is read, whom it credits, how long it may be shown.

Worked out in one place (a source's settings, or the CLI's flags) and handed to the desk with
each delivery, so every path into the desk applies the same licence rules.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LICENCE_DAYS = 30  # AP's published limit for stored copy


@dataclass(frozen=True, slots=True)
class Terms:
    format: str | None = None  # None: detect by content
    agency: str | None = None  # credited when the copy names none
    licence_days: int = DEFAULT_LICENCE_DAYS  # counted from the story's first publication
