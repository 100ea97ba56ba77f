"""Urgent first: when several deliveries wait, flashes and urgency-1 stories go ahead.

A drop folder that receives a burst (an agency's catch-up after a line outage: hundreds of
files at once) would otherwise put a flash behind every routine story sent before it. The
files waiting are read and parsed once more to learn their urgency; that costs a parse per
file (well under the cost of applying one), and only when more than one file waits. Files
too large or too many are left in their order, as sent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from wiredesk import formats

log = logging.getLogger("wiredesk.sources")

URGENT = 1  # ninjs urgency 1: a flash (ANPA priority f, IPTC 7901 priority 1)
PEEK_FILES = 500  # files looked into per pass at most
PEEK_BYTES = 256 * 1024  # larger files are not read ahead (they are rarely flashes)


def is_urgent(data: bytes, fmt: str | None = None, agency: str | None = None) -> bool:
    """Does the delivery hold a flash or an urgency-1 story? Unreadable bytes are not."""
    try:
        stories = formats.parse(data, fmt or formats.detect(data), agency=agency)
    except Exception:  # the desk will quarantine it with its own words; not urgent
        return False
    return any(story.urgency is not None and story.urgency <= URGENT for story in stories)


def urgent_first(folder: Path, names: Sequence[str], *, fmt: str | None = None,
                 agency: str | None = None, max_bytes: int = PEEK_BYTES) -> list[str]:
    """`names` with the urgent files first, each group in its given order. No file over
    `max_bytes` (the source's limit) is read."""
    if len(names) < 2:
        return list(names)
    urgent: list[str] = []
    for name in names[:PEEK_FILES]:
        try:
            path = folder / name
            if path.stat().st_size > min(PEEK_BYTES, max_bytes):
                continue
            with path.open("rb") as f:
                data = f.read(min(PEEK_BYTES, max_bytes) + 1)
        except OSError:
            continue  # gone or unreadable: taking it will say so
        if is_urgent(data, fmt, agency):
            urgent.append(name)
    if urgent:
        log.info("%s: %d urgent file(s) of %d go first", folder, len(urgent), len(names))
    chosen = set(urgent)
    return urgent + [name for name in names if name not in chosen]
