"""What a version calls itself: the agency's label ("UPDATE 2", "CORRECTED-UPDATE 1",
"REFILE") spelled by headline tags, and the signals a JSON item lists by name or code.

Formats keep the label on Story.label; the signals' words are the ones Story.signals uses.
"""

from __future__ import annotations

import re
from typing import Any

from wiredesk.formats.wirerules import HEADLINE_TAG, strip_tags

_VERSION_TAG = re.compile(r"(?:UPDATE|WRAPUP|CORRECTED|CORRECTION|REFILE|RPT|REPEAT)(?: \d+)?$")
# Signal names and codes agencies use, to our words (IPTC sig:, AP, Superdesk, Reuters).
_SIGNALS = {"correction": "correction", "corrected": "correction", "update": "update",
            "writethru": "update", "refile": "refile", "repeat": "refile",
            "withdrawn": "withdrawn", "kill": "withdrawn"}


def tags_label(tags: list[str]) -> str | None:
    """The version label the headline tags spell, joined as the agency joins them ("UPDATE 2",
    "CORRECTED-UPDATE 1", "REFILE"); None when no tag names a version."""
    kept = [tag for tag in tags if _VERSION_TAG.match(tag)]
    return "-".join(kept) or None


def label_of(title: str | None) -> str | None:
    """tags_label of a headline as sent ("UPDATE 2-Oil rises..." -> "UPDATE 2")."""
    if not title or not HEADLINE_TAG.match(title.lstrip()):
        return None  # nearly every title: one failed match
    return tags_label(strip_tags(" ".join(title.split()))[1])


def signal_words(value: Any) -> tuple[str, ...]:
    """A JSON item's `signals` (ninjs extensions: ["correction"], [{"code": "sig:correction"}],
    [{"uri": "http://cv.iptc.org/newscodes/signal/correction"}]) as our signal words; names
    we do not know are left out."""
    items = value if isinstance(value, list) else [value] if value else []
    words = []
    for item in items:
        names = [item] if isinstance(item, str) else [
            item.get(k) for k in ("qcode", "code", "name", "uri")] if isinstance(item, dict) else []
        for name in names:
            if isinstance(name, str) and name.strip():
                word = re.split(r"[:/#]", name.strip().lower())[-1]
                if word in _SIGNALS:
                    words.append(_SIGNALS[word])
                    break
    return tuple(dict.fromkeys(words))
